/**
 * The prometheus-adapter rule that serves the autoscaler's custom metric through the custom metrics API: each pod's
 * inference queue depth, averaged over AUTOSCALING.queueWindow. It lives with the adapter (cluster-wide, in the
 * monitoring namespace), not in the kustomization: the files under prometheus-adapter/ are its Helm values and
 * its plain config.
 */
import { AUTOSCALING, JOB_SELECTOR } from '../../../observability/config';

/** A series on the service's /metrics (docs/metrics.md); the adapter serves it under the same name. */
export const QUEUE_DEPTH_METRIC = 'moderator_queue_depth';

/** A rule of prometheus-adapter's configuration (its docs/config.md). */
export interface AdapterRule {
  seriesQuery: string;
  resources: { overrides: Record<string, { resource: string }> };
  name: { matches: string; as: string };
  metricsQuery: string;
}

export function queueDepthRule(): AdapterRule {
  return {
    // The Prometheus Operator labels every target of the ServiceMonitor with its namespace and pod.
    seriesQuery: `${QUEUE_DEPTH_METRIC}{${JOB_SELECTOR},namespace!="",pod!=""}`,
    resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
    name: { matches: `^${QUEUE_DEPTH_METRIC}$`, as: QUEUE_DEPTH_METRIC },
    // A gauge read at each scrape: averaged so one full batch caught in the queue does not add a pod.
    metricsQuery: `sum by (<<.GroupBy>>) (avg_over_time(<<.Series>>{<<.LabelMatchers>>}[${AUTOSCALING.queueWindow}]))`,
  };
}
