/**
 * deploy/kubernetes/CAPACITY.md: the pod's sizing and the capacity planning tables, computed from the measurements
 * in sizing.ts (so the report, the manifests and docs/kubernetes.md cannot disagree).
 */
import { AUTOSCALING, SLOS } from '../../../observability/config';
import { APP_CONFIG } from './app-config';
import {
  AUTOSCALER,
  BENCH_SOURCE,
  MEASURED,
  POD,
  PROBES,
  REPLICAS,
  SHUTDOWN,
  TERMINATION_GRACE_SECONDS,
  cpuMicrosPerText,
  type MeasuredLoad,
} from './sizing';

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const num = (x: number, digits: number) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** CPU one pod uses at the autoscaler's CPU target, in cores. */
export const TARGET_CORES_PER_POD = (POD.cpuRequestMillis / 1000) * AUTOSCALING.cpuUtilization;

/** Texts per second one pod serves at the autoscaler's CPU target, for a measured request shape. */
export function textsPerSecondPerPod(m: MeasuredLoad): number {
  return (TARGET_CORES_PER_POD * 1e6) / cpuMicrosPerText(m);
}

/** Pods the production autoscaler settles on for a steady rate of texts (never fewer than its minimum). */
export function podsFor(textsPerSecond: number, m: MeasuredLoad): number {
  return Math.max(REPLICAS.production.min, Math.ceil(textsPerSecond / textsPerSecondPerPod(m)));
}

export const PLANNED_RATES = [1_000, 10_000, 100_000, 1_000_000];

function table(header: string[], rows: string[][], align: Array<'l' | 'r'>): string {
  const sep = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function renderCapacity(): string {
  const shapes: Array<{ name: string; half: MeasuredLoad; full: MeasuredLoad }> = [
    { name: '1 text per request', half: MEASURED.halfLoad.single, full: MEASURED.fullLoad.single },
    { name: '64 texts per request', half: MEASURED.halfLoad.batch64, full: MEASURED.fullLoad.batch64 },
  ];
  const cpuRequest = POD.cpuRequestMillis / 1000;
  const maxPods = REPLICAS.production.max;

  const pod = table(
    ['what', 'value', 'from'],
    [
      ['inference workers', String(APP_CONFIG.classifier.workers), 'set in the ConfigMap (auto would count the node\'s cores)'],
      ['CPU request / limit', `${num(cpuRequest, 1)} / ${num(POD.cpuLimitMillis / 1000, 1)} cores`, 'one core per worker; the limit is what the two busy threads (HTTP main thread, worker) can use'],
      [
        'memory request = limit',
        `${POD.memoryMiB} MiB`,
        `(peak RSS under load ${num(MEASURED.memory.peakRssMiB, 1)} MiB + a full queue of the longest texts ${num(POD.fullQueueMiB, 1)} MiB) × 1.25, rounded up to 64 MiB; idle RSS ${num(MEASURED.memory.idleRssMiB, 1)} MiB`,
      ],
      [
        'terminationGracePeriodSeconds',
        `${TERMINATION_GRACE_SECONDS} s`,
        `preStop pause ${SHUTDOWN.preStopSeconds} s + shutdown delay ${SHUTDOWN.shutdownDelaySeconds} s + drain (server.shutdown_timeout_seconds) ${SHUTDOWN.drainSeconds} s + margin ${SHUTDOWN.marginSeconds} s`,
      ],
      [
        'startup probe budget',
        `${PROBES.startup.periodSeconds * PROBES.startup.failureThreshold} s`,
        `cold start to /readyz: median ${MEASURED.coldStartMs.median} ms, worst ${MEASURED.coldStartMs.worst} ms`,
      ],
      [
        'autoscaler',
        `${REPLICAS.production.min}–${maxPods} pods; CPU ${AUTOSCALER.cpuUtilizationPercent}% of the request; queue ${AUTOSCALER.queueDepthPerPod} texts per pod`,
        `queue: ${AUTOSCALING.queuedBatches} full batches (max_batch_size ${APP_CONFIG.classifier.batching.max_batch_size}), ${AUTOSCALING.queueWindow} average`,
      ],
    ],
    ['l', 'l', 'l'],
  );

  const measured = table(
    ['request shape', 'load', 'server cores busy', 'CPU µs per text', 'texts/s per busy core', 'p99 ms', 'bench/RESULTS.md row'],
    shapes.flatMap((s) =>
      (
        [
          ['half of the maximum (paced)', s.half],
          ['maximum (closed loop)', s.full],
        ] as const
      ).map(([load, m]) => [
        s.name,
        load,
        num(m.serverCores, 2),
        num(cpuMicrosPerText(m), 1),
        int(1e6 / cpuMicrosPerText(m)),
        num(m.p99Ms, 2),
        m.row,
      ]),
    ),
    ['l', 'l', 'r', 'r', 'r', 'r', 'l'],
  );

  const plan = table(
    ['request shape', 'texts/s per pod at the CPU target', ...PLANNED_RATES.map((r) => `${int(r)} texts/s`)],
    shapes.map((s) => [
      s.name,
      int(textsPerSecondPerPod(s.half)),
      ...PLANNED_RATES.map((r) => {
        const pods = podsFor(r, s.half);
        const cell = `${pods} pods, ${num(pods * cpuRequest, 0)} cores`;
        return pods > maxPods ? `${cell} (raise maxReplicas)` : cell;
      }),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r'],
  );

  const cost = table(
    ['request shape', 'core-seconds used per million texts', 'core-seconds requested per million texts (at the CPU target)'],
    shapes.map((s) => [s.name, int(cpuMicrosPerText(s.half)), int(cpuMicrosPerText(s.half) / AUTOSCALING.cpuUtilization)]),
    ['l', 'r', 'r'],
  );

  return `# Capacity planning for Kubernetes

GENERATED by \`npm run manifests\` from deploy/kubernetes/src/sizing.ts and capacity.ts: do not edit by hand.
How to read and use it: [docs/kubernetes.md](../../docs/kubernetes.md#capacity-planning).

Measurements: ${BENCH_SOURCE}. The service ran with telemetry on (the Prometheus reporter, as on Kubernetes). Model:
the embedded fastText-style model (models/default). Transformer models are not served yet: once \`npm run bench\`
measures one, the same tables apply with its CPU per text.

## The pod

${pod}

## What a pod did in the benchmark

"Half of the maximum" is a paced open-loop run at half of the best closed-loop rate: the regime the autoscaler keeps
pods in (its CPU target is ${AUTOSCALER.cpuUtilizationPercent}% of a ${num(cpuRequest, 1)}-core request, ${num(TARGET_CORES_PER_POD, 2)} cores, near the
${num(MEASURED.halfLoad.batch64.serverCores, 2)}–${num(MEASURED.halfLoad.single.serverCores, 2)} cores those runs kept busy). Its p99 is what planning at the CPU target gives.
The model alone (in-process, one thread) scores ${int(MEASURED.inProcessTextsPerSecond.batch64)} texts/s in batches of 64 (${num(1e6 / MEASURED.inProcessTextsPerSecond.batch64, 1)} µs per text) and
${int(MEASURED.inProcessTextsPerSecond.batch1)} one at a time (${num(1e6 / MEASURED.inProcessTextsPerSecond.batch1, 1)} µs): the rest of the CPU per text is HTTP, JSON, batching and telemetry.

${measured}

## Pods and cores for a rate of texts

Pods = max(${REPLICAS.production.min}, ⌈rate ÷ texts/s per pod at the CPU target⌉), with the half-load CPU per text; cores = pods ×
the CPU request. p99 at this load: ${num(MEASURED.halfLoad.single.p99Ms, 1)} ms (1 text per request), ${num(MEASURED.halfLoad.batch64.p99Ms, 1)} ms (64 texts per
request), against the ${SLOS.latency.thresholdSeconds * 1000} ms latency objective. The production autoscaler stops at ${maxPods} pods.

${plan}

## Cost of a million texts

Core-seconds used = CPU µs per text at half load (one million texts × µs ÷ 10⁶). Requested = used ÷ the CPU
target: what the cluster reserves for them.

${cost}
`;
}
