import {
  DashboardSpec,
  MSEL,
  RI,
  UNITS,
  booleanMapping,
  dashboard,
  finalize,
  histogramHeatmap,
  row,
  statPanel,
  timeSeries,
} from './common';
import { AUTOSCALING, THRESHOLDS } from '../../observability/config';

function quantile(q: number, metric: string, by = 'le'): string {
  return `histogram_quantile(${q}, sum by (${by}) (rate(${metric}_bucket{${MSEL}}[${RI}])))`;
}

const BY_MODEL = 'model_name, model_version';

const CLASSIFIED = `sum(rate(moderator_texts_classified_total{${MSEL}}[${RI}]))`;

export const modelInference: DashboardSpec = {
  file: 'model-inference',
  build: () =>
    finalize(
      dashboard({
        uid: 'content-moderator-model',
        title: 'Content moderator / Model & inference',
        description:
          'What the model decides (classifications, flagged share by label, score distribution) and how it runs (batching, queue wait vs inference time, cache, workers), for the selected models and versions.',
        modelVariables: true,
      })
        .withRow(row('Model'))
        .withPanel(
          statPanel({
            title: 'Model ready',
            description: 'Whether each instance has its model loaded and accepts work (moderator_model_ready); /readyz follows it.',
            unit: 'bool_yes_no',
            graph: false,
            showNames: true,
            mappings: booleanMapping('Not ready', 'Ready'),
            thresholds: [
              { value: null, color: 'red' },
              { value: 1, color: 'green' },
            ],
            queries: [
              {
                expr: `min by (instance, model_name, model_version) (moderator_model_ready{${MSEL}})`,
                legend: '{{instance}} {{model_name}} {{model_version}}',
              },
            ],
          }),
        )
        .withPanel(
          statPanel({
            title: 'Classifications',
            description: 'Texts scored per second (cache hits included).',
            unit: UNITS.textsPerSecond,
            queries: [{ expr: CLASSIFIED, legend: 'texts/s' }],
          }),
        )
        .withPanel(
          statPanel({
            title: 'Flagged share',
            description: 'Share of scored texts whose `flagged` decision was true (overall score over its threshold).',
            unit: 'percentunit',
            decimals: 1,
            queries: [
              {
                expr: `(sum(rate(moderator_texts_flagged_total{${MSEL}}[${RI}])) or vector(0)) / ${CLASSIFIED}`,
                legend: 'flagged',
              },
            ],
          }),
        )
        .withPanel(
          statPanel({
            title: 'Cache hit ratio',
            description: 'Share of result-cache lookups answered from the cache (repeated texts skip the model).',
            unit: 'percentunit',
            decimals: 1,
            queries: [
              {
                expr:
                  `(sum(rate(moderator_cache_lookups_total{${MSEL}, result="hit"}[${RI}])) or vector(0))` +
                  ` / sum(rate(moderator_cache_lookups_total{${MSEL}}[${RI}]))`,
                legend: 'hit ratio',
              },
            ],
          }),
        )
        .withRow(row('Decisions'))
        .withPanel(
          timeSeries({
            title: 'Classified and flagged texts',
            description: 'Texts scored and texts flagged per second, by model name and version.',
            unit: UNITS.textsPerSecond,
            min: 0,
            queries: [
              {
                expr: `sum by (model_name, model_version) (rate(moderator_texts_classified_total{${MSEL}}[${RI}]))`,
                legend: 'classified {{model_name}} {{model_version}}',
              },
              {
                expr: `sum by (model_name, model_version) (rate(moderator_texts_flagged_total{${MSEL}}[${RI}]))`,
                legend: 'flagged {{model_name}} {{model_version}}',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Flagged share by model',
            description:
              'Share of scored texts flagged, per model name and version. During a rollout old and new versions serve side by side: a gap between them is the new version deciding differently.',
            unit: 'percentunit',
            min: 0,
            max: 1,
            fill: 0,
            queries: [
              {
                expr:
                  `(sum by (${BY_MODEL}) (rate(moderator_texts_flagged_total{${MSEL}}[${RI}]))` +
                  ` or 0 * sum by (${BY_MODEL}) (rate(moderator_texts_classified_total{${MSEL}}[${RI}])))` +
                  ` / sum by (${BY_MODEL}) (rate(moderator_texts_classified_total{${MSEL}}[${RI}]))`,
                legend: '{{model_name}} {{model_version}}',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Flagged share by label',
            description: `Share of scored texts over each label's threshold, and the share flagged overall. The ModeratorFlaggedShareSpike alert fires when the 15-minute share is over ${THRESHOLDS.flaggedSpikeFactor}x the daily one.`,
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [
              {
                expr:
                  `sum by (label) (rate(moderator_label_flagged_total{${MSEL}}[${RI}]))` +
                  ` / ignoring (label) group_left ${CLASSIFIED}`,
                legend: '{{label}}',
              },
              {
                expr: `(sum(rate(moderator_texts_flagged_total{${MSEL}}[${RI}])) or vector(0)) / ${CLASSIFIED}`,
                legend: 'flagged (overall)',
              },
            ],
          }),
        )
        .withPanel(
          histogramHeatmap({
            title: 'Overall score distribution',
            description:
              'How many texts fell in each overall-score bucket (probability that a text breaks any policy; buckets of 0.05). A shift to the right is more abusive traffic or a model change.',
            unit: UNITS.texts,
            yUnit: 'percentunit',
            queries: [
              {
                expr: `sum by (le) (increase(moderator_overall_score_bucket{${MSEL}}[${RI}]))`,
                legend: '{{le}}',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Overall score percentiles',
            description: 'Median and 90th percentile of the overall score of scored texts.',
            unit: 'percentunit',
            min: 0,
            max: 1,
            fill: 0,
            queries: [
              { expr: quantile(0.5, 'moderator_overall_score'), legend: 'p50' },
              { expr: quantile(0.9, 'moderator_overall_score'), legend: 'p90' },
            ],
          }),
        )
        .withRow(row('Batching and inference'))
        .withPanel(
          timeSeries({
            title: 'Queue wait vs inference time',
            description:
              'Time a text waits in the batch queue before its model run (queue wait) against the duration of one model run in a worker (inference). Queue wait growing faster than inference means too few workers or too much traffic.',
            unit: 's',
            min: 0,
            fill: 0,
            queries: [
              { expr: quantile(0.5, 'moderator_queue_wait_seconds'), legend: 'queue wait p50' },
              { expr: quantile(0.99, 'moderator_queue_wait_seconds'), legend: 'queue wait p99' },
              { expr: quantile(0.5, 'moderator_inference_duration_seconds'), legend: 'inference p50' },
              { expr: quantile(0.99, 'moderator_inference_duration_seconds'), legend: 'inference p99' },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Inference time by model',
            description:
              'Duration of one model run (featurize + onnxruntime, in a worker), p50 and p99 per model name and version: a new version that runs slower shows here first.',
            unit: 's',
            min: 0,
            fill: 0,
            queries: [
              {
                expr: quantile(0.5, 'moderator_inference_duration_seconds', `${BY_MODEL}, le`),
                legend: 'p50 {{model_name}} {{model_version}}',
              },
              {
                expr: quantile(0.99, 'moderator_inference_duration_seconds', `${BY_MODEL}, le`),
                legend: 'p99 {{model_name}} {{model_version}}',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Classified texts by instance',
            description:
              'Texts scored per second by each instance (pod): with many replicas they should be close; one far above the others is getting more than its share from the load balancer.',
            unit: UNITS.textsPerSecond,
            min: 0,
            queries: [
              { expr: `sum by (instance) (rate(moderator_texts_classified_total{${MSEL}}[${RI}]))`, legend: '{{instance}}' },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Batch size',
            description: 'Texts per model run: median, 95th percentile and mean. Bigger batches amortise the model call.',
            unit: UNITS.texts,
            min: 0,
            fill: 0,
            queries: [
              { expr: quantile(0.5, 'moderator_batch_size'), legend: 'p50' },
              { expr: quantile(0.95, 'moderator_batch_size'), legend: 'p95' },
              {
                expr:
                  `sum(rate(moderator_batch_size_sum{${MSEL}}[${RI}]))` +
                  ` / sum(rate(moderator_batch_size_count{${MSEL}}[${RI}]))`,
                legend: 'mean',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Queue depth vs capacity',
            description: `Texts waiting in the batch queue and the queue's bound, per instance. The ModeratorInferenceQueueSaturated warning fires above ${THRESHOLDS.queueSaturationWarning * 100}% for ${THRESHOLDS.queueSaturationFor}; beyond the bound texts are refused with 503. On Kubernetes the depth is the autoscaler's metric: it adds pods when the ${AUTOSCALING.queueWindow} average per pod exceeds ${AUTOSCALING.queuedBatches} full batches (classifier.batching.max_batch_size texts each).`,
            unit: UNITS.texts,
            min: 0,
            queries: [
              { expr: `sum by (instance) (moderator_queue_depth{${MSEL}})`, legend: 'depth {{instance}}' },
              { expr: `sum by (instance) (moderator_queue_capacity{${MSEL}})`, legend: 'capacity {{instance}}' },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Refused and failed texts',
            description:
              'Texts refused at the queue (queue_full, shutting_down) and failed model runs (worker_error, worker_exit, timeout), per second.',
            unit: UNITS.textsPerSecond,
            min: 0,
            queries: [
              {
                expr: `sum by (reason) (rate(moderator_queue_rejections_total{${MSEL}}[${RI}]))`,
                legend: 'refused: {{reason}}',
              },
              {
                expr: `sum by (reason) (rate(moderator_inference_failures_total{${MSEL}}[${RI}]))`,
                legend: 'failed run: {{reason}}',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Result cache lookups',
            description: 'Result-cache lookups per second by result (hit, miss).',
            unit: UNITS.lookupsPerSecond,
            min: 0,
            stack: true,
            queries: [
              { expr: `sum by (result) (rate(moderator_cache_lookups_total{${MSEL}}[${RI}]))`, legend: '{{result}}' },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Inference workers',
            description: 'Inference worker threads alive per instance; a drop means workers crashed and are being replaced.',
            unit: 'short',
            min: 0,
            decimals: 0,
            queries: [{ expr: `sum by (instance) (moderator_workers{${MSEL}})`, legend: '{{instance}}' }],
          }),
        )
        .build(),
    ),
};
