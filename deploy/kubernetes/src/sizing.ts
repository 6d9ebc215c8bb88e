/**
 * Everything in the manifests that is sized from the project's own measurements: pod resources, autoscaling
 * targets, replica bounds, probe and shutdown timings, and the capacity tables (capacity.ts). The numbers come from
 * bench/RESULTS.md (the latest full `npm run bench`); docs/kubernetes.md explains the reasoning.
 */
import { AUTOSCALING } from '../../../observability/config';
import { APP_CONFIG, WORKERS_PER_POD } from './app-config';

export const BENCH_SOURCE =
  'bench/RESULTS.md: `npm run bench` of 2026-11-27 05:22 UTC, 2-core AMD EPYC, Node 20.20.2, the service with 1 inference worker';

/** One request shape as the benchmark measured it (service telemetry on: the Prometheus reporter, as deployed). */
export interface MeasuredLoad {
  /** What the row is in bench/RESULTS.md. */
  row: string;
  textsPerRequest: number;
  requestsPerSecond: number;
  /** Server CPU (all threads) per request. */
  cpuMicrosPerRequest: number;
  p99Ms: number;
  /** Cores the server process kept busy during the run. */
  serverCores: number;
}

export const MEASURED = {
  /** Paced open loop at half of the maximum throughput: the regime the autoscaler keeps pods in. */
  halfLoad: {
    single: { row: 'latency at half of the maximum throughput, 1 text, paced, telemetry on', textsPerRequest: 1, requestsPerSecond: 5770, cpuMicrosPerRequest: 184, p99Ms: 22.59, serverCores: 0.84 },
    batch64: { row: 'latency at half of the maximum throughput, 64 texts, paced, telemetry on', textsPerRequest: 64, requestsPerSecond: 308, cpuMicrosPerRequest: 2955, p99Ms: 11.16, serverCores: 0.8 },
  },
  /** Closed loop at the best concurrency: a pod flat out. */
  fullLoad: {
    single: { row: 'closed loop, 1 text, 64 connections, telemetry on', textsPerRequest: 1, requestsPerSecond: 11540, cpuMicrosPerRequest: 100, p99Ms: 10.07, serverCores: 1.15 },
    batch64: { row: 'closed loop, 64 texts, 16 connections, telemetry on', textsPerRequest: 64, requestsPerSecond: 617, cpuMicrosPerRequest: 2076, p99Ms: 42.77, serverCores: 1.29 },
  },
  /** Resident memory, MiB: idle after start, and the peak (VmHWM) after the load runs. */
  memory: { idleRssMiB: 155.8, peakRssMiB: 294.1 },
  /** Spawn to /readyz 200, telemetry on: median and worst of 5 starts. */
  coldStartMs: { median: 640, worst: 781 },
  /** The model alone, in-process, one thread (featurize + onnxruntime). */
  inProcessTextsPerSecond: { batch1: 16_217, batch64: 45_370 },
} as const satisfies {
  halfLoad: Record<'single' | 'batch64', MeasuredLoad>;
  fullLoad: Record<'single' | 'batch64', MeasuredLoad>;
  memory: Record<string, number>;
  coldStartMs: Record<string, number>;
  inProcessTextsPerSecond: Record<string, number>;
};

export function cpuMicrosPerText(m: MeasuredLoad): number {
  return m.cpuMicrosPerRequest / m.textsPerRequest;
}

const MIB = 2 ** 20;

/**
 * Pod resources. CPU: one core requested per inference worker (the worker runs the model; the HTTP main thread's
 * share is in the measured CPU per text), limited to one more core, the most a pod's two busy threads can use, so
 * bursts are not throttled. Memory: the measured peak RSS under load plus a full inference queue of the longest
 * texts (max_queue x max_text_chars UTF-16 code units), 25% headroom, rounded up to 64 MiB; request = limit, so a
 * pod is never killed for memory the node promised it.
 */
export const POD = (() => {
  const { max_queue } = APP_CONFIG.classifier.batching;
  const { max_text_chars } = APP_CONFIG.classifier.limits;
  const fullQueueMiB = (max_queue * max_text_chars * 2) / MIB;
  const memoryMiB = Math.ceil(((MEASURED.memory.peakRssMiB + fullQueueMiB) * 1.25) / 64) * 64;
  return {
    cpuRequestMillis: 1000 * WORKERS_PER_POD,
    cpuLimitMillis: 1000 * (WORKERS_PER_POD + 1),
    memoryMiB,
    fullQueueMiB,
  };
})();

/** Replicas: dev runs one; production at least one per zone of three, at most what CAPACITY.md budgets for. */
export const REPLICAS = {
  dev: 1,
  production: { min: 3, max: 12 },
} as const;

/**
 * HorizontalPodAutoscaler. CPU utilisation of the request (70%: about the load of the benchmark's half-load runs,
 * 0.80-0.84 cores, whose p99 CAPACITY.md reports), and the saturation guard: the inference queue's average depth
 * per pod, `queuedBatches` full batches. Scale up at once (double, or 4 pods, every 30 s); scale down only after 5
 * minutes below target, by at most a quarter a minute, so bursts do not flap.
 */
export const AUTOSCALER = {
  cpuUtilizationPercent: Math.round(AUTOSCALING.cpuUtilization * 100),
  queueDepthPerPod: AUTOSCALING.queuedBatches * APP_CONFIG.classifier.batching.max_batch_size,
  scaleUp: { stabilizationWindowSeconds: 0, percent: 100, pods: 4, periodSeconds: 30 },
  scaleDown: { stabilizationWindowSeconds: 300, percent: 25, periodSeconds: 60 },
} as const;

/**
 * Shutdown. preStop pauses before SIGTERM so the pod leaves the Service's endpoints (kube-proxy, ingress
 * controllers) while it still serves; then the service drains for up to server.shutdown_timeout_seconds. The grace
 * period covers both and a margin for closing the workers and flushing metrics.
 */
export const SHUTDOWN = {
  preStopSeconds: 10,
  /** server.shutdown_delay_seconds (serving on after SIGTERM with readiness off): 0 here, the preStop pause does it. */
  shutdownDelaySeconds: APP_CONFIG.server.shutdown_delay_seconds,
  drainSeconds: APP_CONFIG.server.shutdown_timeout_seconds,
  marginSeconds: 5,
} as const;

export const TERMINATION_GRACE_SECONDS =
  SHUTDOWN.preStopSeconds + SHUTDOWN.shutdownDelaySeconds + SHUTDOWN.drainSeconds + SHUTDOWN.marginSeconds;

/**
 * Probes. Startup: /healthz answers once the model is loaded (the service listens only then); up to 30 s, ~40x the
 * worst measured cold start, for slow nodes and image page-in. Readiness: /readyz, off within 10 s. Liveness:
 * /healthz, a restart after 30 s without an answer (the main thread's event loop stays under 15 ms at full load).
 */
export const PROBES = {
  startup: { path: '/healthz', periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 30 },
  readiness: { path: '/readyz', periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
  liveness: { path: '/healthz', periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
} as const;
