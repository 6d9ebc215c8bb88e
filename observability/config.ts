/**
 * The one place where the service's objectives and alert thresholds are set.
 *
 * `npx tsx alerts/generate.ts` turns this (with alerts/src/rules.ts) into alerts/rules/*.yml; the SLO dashboard
 * (dashboards/src/slo.ts) reads the same objectives for its thresholds and burn-rate lines. CI fails when the
 * committed YAML differs from what the generator writes (alerts/check.sh, test/dashboards/drift.test.ts).
 */

/**
 * The Prometheus job of this service's targets. Alerts aggregate by `job`; this is the only place a job name appears
 * (on Kubernetes, deploy/kubernetes makes the ServiceMonitor give its targets this job).
 */
export const JOB_NAME = 'content-moderator';
/** Selects this service's targets. */
export const JOB_SELECTOR = `job="${JOB_NAME}"`;

/**
 * Which HTTP requests count for the SLOs: the moderation API itself. Health probes, scrapes and the OpenAPI
 * document are excluded so a busy probe cannot dilute a real outage of `POST /classify`.
 */
export const SLI_SELECTOR = `${JOB_SELECTOR},http_route="/classify"`;

/** Where `runbook_url` points. Each alert links to the section of docs/runbooks.md named after it. */
export const RUNBOOK_BASE_URL = 'https://github.com/content-moderator/content-moderator/blob/main/docs/runbooks.md';

export interface Objective {
  /** Target share of good requests over the SLO window, e.g. 0.999. */
  objective: number;
  /** Human-readable statement of what a good request is. */
  sli: string;
}

export const SLO_WINDOW = '30d';

export const SLOS = {
  availability: {
    objective: 0.999,
    sli: 'share of POST /classify requests answered without a 5xx status',
  },
  latency: {
    objective: 0.99,
    /** Must be a bucket boundary of http_server_request_duration_seconds (docs/metrics.md). */
    thresholdSeconds: 0.1,
    sli: 'share of POST /classify requests answered in 100 ms or less',
  },
} as const satisfies Record<string, Objective & { thresholdSeconds?: number }>;

export type SloName = keyof typeof SLOS;

/** The `le` label value of the latency threshold bucket, exactly as the exporter writes it. */
export const LATENCY_LE = String(SLOS.latency.thresholdSeconds);

/**
 * Multiwindow, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs", table 5-8):
 * a burn rate of 1 spends exactly the whole budget in the SLO window.
 */
export interface BurnRateWindow {
  severity: 'critical' | 'warning';
  long: string;
  short: string;
  factor: number;
  for: string;
  /** How long the whole 30-day budget lasts at this burn rate, for the alert text. */
  exhaustion: string;
}

export const BURN_RATE_WINDOWS: BurnRateWindow[] = [
  { severity: 'critical', long: '1h', short: '5m', factor: 14.4, for: '2m', exhaustion: '2 days' },
  { severity: 'critical', long: '6h', short: '30m', factor: 6, for: '15m', exhaustion: '5 days' },
  { severity: 'warning', long: '1d', short: '2h', factor: 3, for: '1h', exhaustion: '10 days' },
  { severity: 'warning', long: '3d', short: '6h', factor: 1, for: '3h', exhaustion: '30 days' },
];

/** Every window a ratio is recorded for: the burn-rate windows plus the SLO window (error budget). */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', SLO_WINDOW];

/** Operational thresholds. */
export const THRESHOLDS = {
  targetDownFor: '3m',
  targetAbsentFor: '10m',
  modelNotReadyFor: '5m',
  /** Event-loop delay p99 (seconds). */
  eventLoopDelayWarning: 0.1,
  eventLoopDelayWarningFor: '10m',
  eventLoopDelayCritical: 0.5,
  eventLoopDelayCriticalFor: '5m',
  /** Share of the inference queue in use. */
  queueSaturationWarning: 0.8,
  queueSaturationFor: '5m',
  queueRejectionsFor: '5m',
  inferenceFailuresFor: '5m',
  /** Flagged share over 15 minutes versus the previous day. */
  flaggedSpikeFactor: 3,
  /** ...and at least this share in absolute terms, so 0.1 % -> 0.4 % does not page anyone. */
  flaggedSpikeMinShare: 0.05,
  /** ...and at least this many texts per second, so a handful of texts cannot trigger it. */
  flaggedSpikeMinRate: 0.1,
  flaggedSpikeFor: '15m',
  /** Kubernetes: fewer available pods than the autoscaler's minimum for this long. */
  replicasBelowMinimumFor: '15m',
  /** Kubernetes: the autoscaler at its maximum for this long. */
  autoscalerAtMaximumFor: '15m',
} as const;

/**
 * On Kubernetes: the Deployment and HorizontalPodAutoscaler of the service are named WORKLOAD_NAME
 * (deploy/kubernetes reads it from here), and the replica alerts read kube-state-metrics' series about them.
 */
export const WORKLOAD_NAME = JOB_NAME;
/** Selects kube-state-metrics' own targets (the job kube-prometheus-stack gives it). */
export const KUBE_STATE_METRICS_SELECTOR = 'job="kube-state-metrics"';
/** The kube-state-metrics series the alert rules read (not exposed by the service: see docs/kubernetes.md). */
export const KUBE_STATE_METRICS = [
  'kube_deployment_status_replicas_available',
  'kube_horizontalpodautoscaler_spec_min_replicas',
  'kube_horizontalpodautoscaler_spec_max_replicas',
  'kube_horizontalpodautoscaler_status_current_replicas',
] as const;

/**
 * HorizontalPodAutoscaler targets (deploy/kubernetes), also named in the dashboards and runbooks.
 * CPU: share of the pod's CPU request. Queue: texts waiting in a pod's batch queue, averaged over `queueWindow`
 * by the prometheus-adapter rule: a healthy pod holds at most the batch being formed (max_batch_size texts), so a
 * sustained average of `queuedBatches` full batches means its inference worker no longer keeps up.
 */
export const AUTOSCALING = {
  cpuUtilization: 0.7,
  queuedBatches: 2,
  queueWindow: '2m',
} as const;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function runbookUrl(alertName: string): string {
  return `${RUNBOOK_BASE_URL}#${anchorOf(alertName)}`;
}
