/**
 * The one place where the service's objectives and alert thresholds are set.
 *
 * `npx tsx alerts/generate.ts` turns this (with alerts/src/rules.ts) into alerts/rules/*.yml; the SLO dashboard
 * (dashboards/src/slo.ts) reads the same objectives for its thresholds and burn-rate lines. CI fails when the
 * committed YAML differs from what the generator writes (alerts/check.sh, test/dashboards/drift.test.ts).
 */

/** Selects this service's targets. Alerts aggregate by `job`; this is the only place a job name appears. */
export const JOB_SELECTOR = 'job="content-moderator"';

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
