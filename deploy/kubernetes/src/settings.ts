/**
 * Names, labels, ports and neighbours of the Kubernetes deployment: the one place they are set. What is sized from
 * measurements (resources, replicas, autoscaling targets, the grace period) is in sizing.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { JOB_NAME, WORKLOAD_NAME } from '../../../observability/config';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The service's version (package.json): the image tag and the app.kubernetes.io/version label. */
export const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy and ServiceAccount. */
export const NAME = WORKLOAD_NAME;

/** Pod labels the Service, PodDisruptionBudget, NetworkPolicy and ServiceMonitor select (immutable on a Deployment). */
export const SELECTOR_LABELS = {
  // The ServiceMonitor's jobLabel: Prometheus gives the targets this job, the one the alerts select.
  'app.kubernetes.io/name': JOB_NAME,
  'app.kubernetes.io/component': 'api',
} as const;

export const LABELS = {
  ...SELECTOR_LABELS,
  'app.kubernetes.io/part-of': 'content-moderator',
  'app.kubernetes.io/version': VERSION,
} as const;

/** The image the Dockerfile builds; point it at your registry with `images:` in an overlay of your own. */
export const IMAGE = `content-moderator:${VERSION}`;

/** The image's user (`USER node` in the Dockerfile's node base image): numeric, so runAsNonRoot can be verified. */
export const IMAGE_UID = 1000;

/** Where the Dockerfile puts the embedded model (WORKDIR /app, COPY models/default ./models/default). */
export const MODEL_DIR_IN_IMAGE = '/app/models/default';

export const PORTS = { http: 8000, metrics: 9464 } as const;

/** app_conf.yml comes from this ConfigMap (kustomize's configMapGenerator adds a hash of its content to the name). */
export const CONFIG = {
  configMap: `${NAME}-config`,
  file: 'app_conf.yml',
  mountDir: '/etc/content-moderator',
} as const;

export const NAMESPACES = {
  production: 'content-moderator',
  dev: 'content-moderator-dev',
  /** Where Prometheus runs: the only namespace allowed to reach the metrics port. */
  monitoring: 'monitoring',
} as const;

/**
 * The ingress controller allowed to reach the API port from outside the namespace (ingress-nginx's own labels; for
 * another controller, patch the NetworkPolicy in an overlay of your own).
 */
export const INGRESS_CONTROLLER = {
  namespace: 'ingress-nginx',
  podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
} as const;

/** Labels by which the Prometheus Operator's Prometheus selects ServiceMonitors and PrometheusRules (kube-prometheus-stack: its release name). */
export const PROMETHEUS_SELECTOR_LABELS = { release: 'kube-prometheus-stack' } as const;

/** The Grafana dashboard sidecar (kube-prometheus-stack's defaults): the label it watches and the folder annotation. */
export const GRAFANA_SIDECAR = {
  label: 'grafana_dashboard',
  labelValue: '1',
  folderAnnotation: 'grafana_folder',
  folder: 'Content Moderator',
} as const;
