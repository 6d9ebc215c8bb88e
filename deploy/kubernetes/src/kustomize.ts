/**
 * The kustomize layout: a base (the workload and its config), a monitoring component (Prometheus Operator and
 * Grafana objects), and the dev and production overlays.
 */
import { Namespace } from 'kubernetes-models/v1';
import { CONFIG, IMAGE, LABELS, NAME, NAMESPACES } from './settings';
import { REPLICAS } from './sizing';

/** The fields of kustomize's Kustomization and Component (kustomize v5) used here. */
export interface Kustomization {
  apiVersion: 'kustomize.config.k8s.io/v1beta1' | 'kustomize.config.k8s.io/v1alpha1';
  kind: 'Kustomization' | 'Component';
  namespace?: string;
  resources?: string[];
  components?: string[];
  configMapGenerator?: Array<{ name: string; files: string[]; options?: { labels?: Record<string, string> } }>;
  patches?: Array<{ patch: string; target?: { kind: string; name: string } }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

export const BASE_FILES = {
  serviceAccount: 'serviceaccount.yaml',
  deployment: 'deployment.yaml',
  service: 'service.yaml',
  podDisruptionBudget: 'poddisruptionbudget.yaml',
  networkPolicy: 'networkpolicy.yaml',
  horizontalPodAutoscaler: 'horizontalpodautoscaler.yaml',
} as const;

export const MONITORING_FILES = {
  serviceMonitor: 'servicemonitor.yaml',
  prometheusRule: 'prometheusrule.yaml',
  dashboards: 'dashboards.yaml',
} as const;

export function baseKustomization(): Kustomization {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: Object.values(BASE_FILES),
    // The name gets a hash of app_conf.yml, and the Deployment follows it: a config change rolls the pods.
    configMapGenerator: [{ name: CONFIG.configMap, files: [CONFIG.file], options: { labels: { ...LABELS } } }],
  };
}

export function monitoringComponent(): Kustomization {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1alpha1',
    kind: 'Component',
    resources: Object.values(MONITORING_FILES),
  };
}

/** The namespace, admitting only pods that meet the restricted Pod Security Standard (ours do). */
export function namespace(name: string): Namespace {
  const level = 'restricted';
  return new Namespace({
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/audit': level,
        'pod-security.kubernetes.io/warn': level,
      },
    },
  });
}

const [imageName, imageTag] = IMAGE.split(':');

/** An overlay: its namespace (namespace.yaml) with the base in it, the image, and what else it adds. */
function overlay(ns: string, more: Pick<Kustomization, 'components' | 'patches'>): Kustomization {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: ns,
    resources: ['namespace.yaml', '../../base'],
    ...(more.components ? { components: more.components } : {}),
    images: [{ name: imageName, newTag: imageTag }],
    ...(more.patches ? { patches: more.patches } : {}),
  };
}

/** Production: the autoscaler's 3 to 12 replicas, Prometheus Operator monitoring, Grafana dashboards. */
export function productionKustomization(): Kustomization {
  return overlay(NAMESPACES.production, { components: ['../../components/monitoring'] });
}

/**
 * Dev: one replica and no autoscaler; no monitoring component, so it applies to a cluster without the Prometheus
 * Operator (add `components: [../../components/monitoring]` where there is one).
 */
export function devKustomization(): Kustomization {
  return overlay(NAMESPACES.dev, {
    patches: [
      {
        target: { kind: 'Deployment', name: NAME },
        patch: `- op: add\n  path: /spec/replicas\n  value: ${REPLICAS.dev}\n`,
      },
      {
        target: { kind: 'HorizontalPodAutoscaler', name: NAME },
        patch: `$patch: delete\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: ${NAME}\n`,
      },
    ],
  });
}
