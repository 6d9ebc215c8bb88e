/**
 * Monitoring on the Prometheus Operator: a ServiceMonitor for /metrics, a PrometheusRule with the same groups as
 * alerts/rules/*.yml (one source, alerts/src, two renderings), and the Grafana dashboards as ConfigMaps for
 * Grafana's dashboard sidecar.
 */
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { ConfigMap } from 'kubernetes-models/v1';
import { ruleFiles, type RuleGroup } from '../../../alerts/src/rules';
import { renderDashboards } from '../../../dashboards/src/index';
import { APP_CONFIG } from './app-config';
import { GRAFANA_SIDECAR, LABELS, NAME, PROMETHEUS_SELECTOR_LABELS, SELECTOR_LABELS } from './settings';

/** How often Prometheus scrapes each pod: four scrapes fit in the adapter's 2-minute window many times over. */
export const SCRAPE_INTERVAL = '15s';

export function serviceMonitor(): ServiceMonitor {
  return new ServiceMonitor({
    metadata: { name: NAME, labels: { ...LABELS, ...PROMETHEUS_SELECTOR_LABELS } },
    spec: {
      // job = the Service's app.kubernetes.io/name, the job the alerts select, whatever overlays call the Service.
      jobLabel: 'app.kubernetes.io/name',
      selector: { matchLabels: { ...SELECTOR_LABELS } },
      endpoints: [
        {
          port: 'metrics',
          path: APP_CONFIG.metrics.prometheus.path,
          interval: SCRAPE_INTERVAL,
          scrapeTimeout: '10s',
          // instance = the pod's name: dashboards and alerts then name the pod, not its short-lived IP.
          relabelings: [{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'instance' }],
        },
      ],
    },
  });
}

/** The rule groups of alerts/rules/*.yml, in the order of their files' names. */
export function ruleGroups(): RuleGroup[] {
  return ruleFiles()
    .slice()
    .sort((a, b) => a.file.localeCompare(b.file))
    .flatMap((f) => f.groups);
}

export function prometheusRule(): PrometheusRule {
  return new PrometheusRule({
    metadata: { name: NAME, labels: { ...LABELS, ...PROMETHEUS_SELECTOR_LABELS } },
    spec: { groups: ruleGroups() },
  });
}

/** One ConfigMap per dashboard (each well under the 256 KiB a client-side `kubectl apply` can annotate). */
export function dashboardConfigMaps(): ConfigMap[] {
  return Object.entries(renderDashboards()).map(
    ([file, json]) =>
      new ConfigMap({
        metadata: {
          name: `${NAME}-dashboard-${file.replace(/\.json$/, '')}`,
          labels: { ...LABELS, [GRAFANA_SIDECAR.label]: GRAFANA_SIDECAR.labelValue },
          annotations: { [GRAFANA_SIDECAR.folderAnnotation]: GRAFANA_SIDECAR.folder },
        },
        data: { [file]: json },
      }),
  );
}
