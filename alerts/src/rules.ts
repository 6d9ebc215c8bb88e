/**
 * Prometheus rule files for content-moderator, built from observability/config.ts.
 *
 * Recording rules follow `level:metric:operations` (https://prometheus.io/docs/practices/rules/):
 *   job:slo_availability_bad_requests:ratio_rate<window>   share of SLI requests answered with a 5xx
 *   job:slo_latency_bad_requests:ratio_rate<window>        share of SLI requests slower than the threshold
 *   job:moderator_texts_classified:rate15m                 texts scored per second
 *   job:moderator_texts_flagged:ratio_rate15m / _rate1d    share of texts flagged
 * kubernetes.rules.yml reads kube-state-metrics (observability/config.ts lists the series).
 * Every alert carries `severity` (critical | warning | info) and `summary`, `description`, `runbook_url`.
 */
import {
  BURN_RATE_WINDOWS,
  JOB_NAME,
  JOB_SELECTOR,
  KUBE_STATE_METRICS,
  KUBE_STATE_METRICS_SELECTOR,
  LATENCY_LE,
  SLI_SELECTOR,
  SLI_WINDOWS,
  SLOS,
  SLO_WINDOW,
  SloName,
  THRESHOLDS,
  WORKLOAD_NAME,
  runbookUrl,
} from '../../observability/config';

export type Severity = 'critical' | 'warning' | 'info';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: Severity } & Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
  name: string;
  rules: Array<RecordingRule | AlertingRule>;
}

export interface RuleFile {
  /** File name under alerts/rules/. */
  file: string;
  groups: RuleGroup[];
}

const REQUESTS = 'http_server_request_duration_seconds';

export function sloRecordName(slo: SloName, window: string): string {
  return `job:slo_${slo}_bad_requests:ratio_rate${window}`;
}

/** `(a) or 0 * (b)`: the numerator is 0, not missing, while no request has failed yet. */
function availabilityRatio(window: string): string {
  const total = `sum by (job) (rate(${REQUESTS}_count{${SLI_SELECTOR}}[${window}]))`;
  const errors = `sum by (job) (rate(${REQUESTS}_count{${SLI_SELECTOR},http_response_status_code=~"5.."}[${window}]))`;
  return `(\n  ${errors}\n  or\n  0 * ${total}\n)\n/\n${total}`;
}

function latencyRatio(window: string): string {
  const total = `sum by (job) (rate(${REQUESTS}_count{${SLI_SELECTOR}}[${window}]))`;
  const fast = `sum by (job) (rate(${REQUESTS}_bucket{${SLI_SELECTOR},le="${LATENCY_LE}"}[${window}]))`;
  return `1 - (\n  ${fast}\n  /\n  ${total}\n)`;
}

function pct(x: number): string {
  return `${Number((x * 100).toPrecision(6))}%`;
}

function sloRecordingRules(): RecordingRule[] {
  const rules: RecordingRule[] = [];
  for (const w of SLI_WINDOWS) rules.push({ record: sloRecordName('availability', w), expr: availabilityRatio(w) });
  for (const w of SLI_WINDOWS) rules.push({ record: sloRecordName('latency', w), expr: latencyRatio(w) });
  return rules;
}

function burnRateAlerts(slo: SloName, alertName: string, what: string): AlertingRule[] {
  const { objective } = SLOS[slo];
  const budget = 1 - objective;
  return BURN_RATE_WINDOWS.map((w) => ({
    alert: alertName,
    expr:
      `${sloRecordName(slo, w.long)} > (${w.factor} * (1 - ${objective}))\n` +
      `and\n` +
      `${sloRecordName(slo, w.short)} > (${w.factor} * (1 - ${objective}))`,
    for: w.for,
    labels: { severity: w.severity, slo, long_window: w.long, short_window: w.short },
    annotations: {
      summary: `Content moderator is spending its ${slo} error budget ${w.factor}x faster than sustainable.`,
      description:
        `{{ $value | humanizePercentage }} of POST /classify requests of job {{ $labels.job }} were ${what} ` +
        `over the last ${w.long} (and still over the last ${w.short}); the ${pct(objective)} objective allows ` +
        `${pct(budget)}. At this rate the ${SLO_WINDOW} error budget is gone in about ${w.exhaustion}.`,
      runbook_url: runbookUrl(alertName),
    },
  }));
}

function sloFile(): RuleFile {
  return {
    file: 'slo.rules.yml',
    groups: [
      { name: 'content-moderator-slo.rules', rules: sloRecordingRules() },
      {
        name: 'content-moderator-slo.alerts',
        rules: [
          ...burnRateAlerts('availability', 'ModeratorAvailabilityBudgetBurn', 'answered with a 5xx status'),
          ...burnRateAlerts(
            'latency',
            'ModeratorLatencyBudgetBurn',
            `slower than ${SLOS.latency.thresholdSeconds * 1000} ms`,
          ),
        ],
      },
    ],
  };
}

function flaggedRatio(window: string): string {
  const classified = `sum by (job) (rate(moderator_texts_classified_total{${JOB_SELECTOR}}[${window}]))`;
  const flagged = `sum by (job) (rate(moderator_texts_flagged_total{${JOB_SELECTOR}}[${window}]))`;
  return `(\n  ${flagged}\n  or\n  0 * ${classified}\n)\n/\n${classified}`;
}

function alert(
  name: string,
  severity: Severity,
  expr: string,
  forDuration: string,
  summary: string,
  description: string,
  labels: Record<string, string> = {},
): AlertingRule {
  return {
    alert: name,
    expr,
    ...(forDuration === '0s' ? {} : { for: forDuration }),
    labels: { severity, ...labels },
    annotations: { summary, description, runbook_url: runbookUrl(name) },
  };
}

function serviceFile(): RuleFile {
  const t = THRESHOLDS;
  return {
    file: 'service.rules.yml',
    groups: [
      {
        name: 'content-moderator.rules',
        rules: [
          {
            record: 'job:moderator_texts_classified:rate15m',
            expr: `sum by (job) (rate(moderator_texts_classified_total{${JOB_SELECTOR}}[15m]))`,
          },
          { record: 'job:moderator_texts_flagged:ratio_rate15m', expr: flaggedRatio('15m') },
          { record: 'job:moderator_texts_flagged:ratio_rate1d', expr: flaggedRatio('1d') },
        ],
      },
      {
        name: 'content-moderator.alerts',
        rules: [
          alert(
            'ModeratorTargetDown',
            'critical',
            `up{${JOB_SELECTOR}} == 0`,
            t.targetDownFor,
            'Prometheus cannot scrape a content-moderator instance.',
            `Scrapes of {{ $labels.instance }} (job {{ $labels.job }}) have failed for ${t.targetDownFor}: ` +
              'the process is down, not listening, or unreachable from Prometheus.',
          ),
          alert(
            'ModeratorTargetAbsent',
            'critical',
            `absent(up{${JOB_SELECTOR}})`,
            t.targetAbsentFor,
            'Prometheus has no content-moderator target at all.',
            `No target with ${JOB_SELECTOR} has existed for ${t.targetAbsentFor}: scraping is not configured or ` +
              'service discovery lost the service, so every other content-moderator alert is blind.',
          ),
          alert(
            'ModeratorModelNotReady',
            'critical',
            `max by (job, instance, model_name, model_version) (moderator_model_ready{${JOB_SELECTOR}}) == 0`,
            t.modelNotReadyFor,
            'A content-moderator instance has no usable model.',
            `{{ $labels.instance }} (job {{ $labels.job }}) has reported model {{ $labels.model_name }} ` +
              `{{ $labels.model_version }} as not ready for ${t.modelNotReadyFor}; /readyz fails and it cannot ` +
              'classify.',
          ),
          alert(
            'ModeratorEventLoopDelayHigh',
            'warning',
            `max by (job, instance) (nodejs_eventloop_delay_p99{${JOB_SELECTOR}}) > ${t.eventLoopDelayWarning}`,
            t.eventLoopDelayWarningFor,
            'The Node.js event loop of a content-moderator instance is lagging.',
            `The p99 event-loop delay of {{ $labels.instance }} (job {{ $labels.job }}) is ` +
              `{{ $value | humanizeDuration }}, over ${t.eventLoopDelayWarning * 1000} ms for ` +
              `${t.eventLoopDelayWarningFor}; every request waits that long before it is even read.`,
          ),
          alert(
            'ModeratorEventLoopDelayHigh',
            'critical',
            `max by (job, instance) (nodejs_eventloop_delay_p99{${JOB_SELECTOR}}) > ${t.eventLoopDelayCritical}`,
            t.eventLoopDelayCriticalFor,
            'The Node.js event loop of a content-moderator instance is blocked.',
            `The p99 event-loop delay of {{ $labels.instance }} (job {{ $labels.job }}) is ` +
              `{{ $value | humanizeDuration }}, over ${t.eventLoopDelayCritical * 1000} ms for ` +
              `${t.eventLoopDelayCriticalFor}; health checks and requests are timing out.`,
          ),
          alert(
            'ModeratorInferenceQueueSaturated',
            'warning',
            `max by (job, instance) (moderator_queue_depth{${JOB_SELECTOR}})\n/\n` +
              `max by (job, instance) (moderator_queue_capacity{${JOB_SELECTOR}})\n` +
              `> ${t.queueSaturationWarning}`,
            t.queueSaturationFor,
            'The inference queue of a content-moderator instance is nearly full.',
            `The batch queue of {{ $labels.instance }} (job {{ $labels.job }}) has been more than ` +
              `${pct(t.queueSaturationWarning)} full for ${t.queueSaturationFor} ` +
              '(now {{ $value | humanizePercentage }}); texts wait longer and new ones will soon be refused with 503.',
          ),
          alert(
            'ModeratorInferenceQueueSaturated',
            'critical',
            `sum by (job, instance) (rate(moderator_queue_rejections_total{${JOB_SELECTOR},reason="queue_full"}[5m])) > 0`,
            t.queueRejectionsFor,
            'A content-moderator instance is refusing texts because its inference queue is full.',
            `{{ $labels.instance }} (job {{ $labels.job }}) has refused {{ $value | humanize }} texts/s with ` +
              `503 (queue_full) for ${t.queueRejectionsFor}; clients are getting errors.`,
          ),
          alert(
            'ModeratorInferenceFailures',
            'warning',
            `sum by (job, instance, reason) (rate(moderator_inference_failures_total{${JOB_SELECTOR}}[5m])) > 0`,
            t.inferenceFailuresFor,
            'Model runs of a content-moderator instance are failing.',
            `{{ $labels.instance }} (job {{ $labels.job }}) has had failed model runs ` +
              `(reason {{ $labels.reason }}, {{ $value | humanize }}/s) for ${t.inferenceFailuresFor}.`,
          ),
          alert(
            'ModeratorFlaggedShareSpike',
            'warning',
            `job:moderator_texts_flagged:ratio_rate15m > ${t.flaggedSpikeFactor} * job:moderator_texts_flagged:ratio_rate1d\n` +
              `and\njob:moderator_texts_flagged:ratio_rate15m > ${t.flaggedSpikeMinShare}\n` +
              `and on (job)\njob:moderator_texts_classified:rate15m > ${t.flaggedSpikeMinRate}`,
            t.flaggedSpikeFor,
            'The share of texts flagged by content-moderator has jumped.',
            `{{ $value | humanizePercentage }} of the texts classified by job {{ $labels.job }} in the last 15 ` +
              `minutes were flagged, more than ${t.flaggedSpikeFactor}x the share of the last day: an abuse wave, ` +
              'a client sending a new kind of traffic, or a model or threshold change.',
          ),
        ],
      },
    ],
  };
}

/** A kube-state-metrics series about this service's Deployment or HorizontalPodAutoscaler, one per namespace. */
function workloadSeries(metric: (typeof KUBE_STATE_METRICS)[number]): string {
  const object = metric.startsWith('kube_deployment_') ? 'deployment' : 'horizontalpodautoscaler';
  return `max by (namespace) (${metric}{${KUBE_STATE_METRICS_SELECTOR}, ${object}="${WORKLOAD_NAME}"})`;
}

/**
 * Kubernetes only (deploy/kubernetes): replicas against the HorizontalPodAutoscaler's bounds, from
 * kube-state-metrics. Elsewhere these series do not exist and the alerts stay silent. The alerts carry the
 * service's `job` so Alertmanager groups and inhibits them with the service's other alerts.
 */
function kubernetesFile(): RuleFile {
  const t = THRESHOLDS;
  const labels = { job: JOB_NAME };
  return {
    file: 'kubernetes.rules.yml',
    groups: [
      {
        name: 'content-moderator-kubernetes.alerts',
        rules: [
          alert(
            'ModeratorReplicasBelowMinimum',
            'warning',
            `${workloadSeries('kube_deployment_status_replicas_available')}\n< on (namespace)\n` +
              workloadSeries('kube_horizontalpodautoscaler_spec_min_replicas'),
            t.replicasBelowMinimumFor,
            'Fewer content-moderator pods are available than the autoscaler\'s minimum.',
            `Only {{ $value }} pod(s) of deployment ${WORKLOAD_NAME} in namespace {{ $labels.namespace }} have been ` +
              `available for ${t.replicasBelowMinimumFor}, below the HorizontalPodAutoscaler's minimum: pods are ` +
              'pending, crash-looping or failing readiness, and the service runs with less redundancy than planned.',
            labels,
          ),
          alert(
            'ModeratorAutoscalerAtMaximum',
            'warning',
            `${workloadSeries('kube_horizontalpodautoscaler_status_current_replicas')}\n>= on (namespace)\n` +
              workloadSeries('kube_horizontalpodautoscaler_spec_max_replicas'),
            t.autoscalerAtMaximumFor,
            'The content-moderator autoscaler has been at its maximum replicas.',
            `The HorizontalPodAutoscaler ${WORKLOAD_NAME} in namespace {{ $labels.namespace }} has run ` +
              `{{ $value }} replicas, its maximum, for ${t.autoscalerAtMaximumFor}: it cannot add capacity, so more ` +
              'traffic queues, slows down and is finally refused with 503.',
            labels,
          ),
        ],
      },
    ],
  };
}

export function ruleFiles(): RuleFile[] {
  return [sloFile(), serviceFile(), kubernetesFile()];
}
