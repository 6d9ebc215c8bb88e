/**
 * The workload: ServiceAccount, Deployment, Service, PodDisruptionBudget, NetworkPolicy, HorizontalPodAutoscaler.
 * Typed models: the compiler rejects an unknown field, and render.ts validates every object against its schema.
 */
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service, ServiceAccount, type IProbe } from 'kubernetes-models/v1';
import { QUEUE_DEPTH_METRIC } from './adapter';
import {
  CONFIG,
  IMAGE,
  IMAGE_UID,
  INGRESS_CONTROLLER,
  LABELS,
  NAME,
  NAMESPACES,
  PORTS,
  SELECTOR_LABELS,
} from './settings';
import { AUTOSCALER, POD, PROBES, REPLICAS, SHUTDOWN, TERMINATION_GRACE_SECONDS } from './sizing';

const metadata = { name: NAME, labels: { ...LABELS } };
const selector = { matchLabels: { ...SELECTOR_LABELS } };

export function serviceAccount(): ServiceAccount {
  // The service calls no Kubernetes API: no token in its pods.
  return new ServiceAccount({ metadata, automountServiceAccountToken: false });
}

function httpProbe(p: { path: string; periodSeconds: number; timeoutSeconds: number; failureThreshold: number }): IProbe {
  return {
    httpGet: { path: p.path, port: 'http' },
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
  };
}

export function deployment(): Deployment {
  return new Deployment({
    metadata,
    spec: {
      // No `replicas`: the HorizontalPodAutoscaler owns it (each `kubectl apply` would reset it otherwise). The dev
      // overlay, which has no autoscaler, sets it.
      selector,
      revisionHistoryLimit: 5,
      // A new pod counts as available once ready for this long: a crash right after start stops the rollout.
      minReadySeconds: 5,
      progressDeadlineSeconds: 300,
      // Never below the current capacity during a rollout: new pods come up (ready = model loaded) before old ones go.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: { ...LABELS } },
        spec: {
          serviceAccountName: NAME,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: IMAGE_UID,
            runAsGroup: IMAGE_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          topologySpreadConstraints: [
            {
              // Zones: a preference, so a single-zone cluster still schedules every replica.
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: selector,
              matchLabelKeys: ['pod-template-hash'],
            },
            {
              // Nodes: at most one pod more on a node than on any other; cordoned and tainted nodes do not count.
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'DoNotSchedule',
              nodeTaintsPolicy: 'Honor',
              labelSelector: selector,
              matchLabelKeys: ['pod-template-hash'],
            },
          ],
          containers: [
            {
              name: 'content-moderator',
              image: IMAGE,
              imagePullPolicy: 'IfNotPresent',
              env: [{ name: 'APP_CONF', value: `${CONFIG.mountDir}/${CONFIG.file}` }],
              ports: [
                { name: 'http', containerPort: PORTS.http, protocol: 'TCP' },
                { name: 'metrics', containerPort: PORTS.metrics, protocol: 'TCP' },
              ],
              resources: {
                requests: { cpu: `${POD.cpuRequestMillis}m`, memory: `${POD.memoryMiB}Mi` },
                limits: { cpu: `${POD.cpuLimitMillis}m`, memory: `${POD.memoryMiB}Mi` },
              },
              startupProbe: httpProbe(PROBES.startup),
              readinessProbe: httpProbe(PROBES.readiness),
              livenessProbe: httpProbe(PROBES.liveness),
              lifecycle: { preStop: { exec: { command: ['sleep', String(SHUTDOWN.preStopSeconds)] } } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'config', mountPath: CONFIG.mountDir, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: CONFIG.configMap } },
            // The root filesystem is read-only; a small scratch space for anything that insists on /tmp.
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
          ],
        },
      },
    },
  });
}

export function service(): Service {
  return new Service({
    metadata,
    spec: {
      type: 'ClusterIP',
      selector: { ...SELECTOR_LABELS },
      ports: [
        { name: 'http', port: PORTS.http, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: PORTS.metrics, targetPort: 'metrics', protocol: 'TCP' },
      ],
    },
  });
}

export function podDisruptionBudget(): PodDisruptionBudget {
  return new PodDisruptionBudget({
    metadata,
    spec: {
      selector,
      // One pod at a time during node drains (a minAvailable of every replica would block drains forever).
      maxUnavailable: 1,
      // A pod that is not ready serves nothing: evicting it must not wait for the budget.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

export function networkPolicy(): NetworkPolicy {
  return new NetworkPolicy({
    metadata,
    spec: {
      podSelector: selector,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          // The API: any pod of this namespace, and the ingress controller.
          ports: [{ port: 'http', protocol: 'TCP' }],
          from: [
            { podSelector: {} },
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': INGRESS_CONTROLLER.namespace } },
              podSelector: { matchLabels: { ...INGRESS_CONTROLLER.podLabels } },
            },
          ],
        },
        {
          // Metrics: Prometheus, from the monitoring namespace only.
          ports: [{ port: 'metrics', protocol: 'TCP' }],
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.monitoring } } }],
        },
      ],
      // No egress at all: the service makes no outbound connection (not even DNS).
      egress: [],
    },
  });
}

export function horizontalPodAutoscaler(): HorizontalPodAutoscaler {
  const { scaleUp, scaleDown } = AUTOSCALER;
  return new HorizontalPodAutoscaler({
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: NAME },
      minReplicas: REPLICAS.production.min,
      maxReplicas: REPLICAS.production.max,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: AUTOSCALER.cpuUtilizationPercent } } },
        {
          // Served by prometheus-adapter (prometheus-adapter/): the queue's average depth per pod.
          type: 'Pods',
          pods: {
            metric: { name: QUEUE_DEPTH_METRIC },
            target: { type: 'AverageValue', averageValue: String(AUTOSCALER.queueDepthPerPod) },
          },
        },
      ],
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: scaleUp.stabilizationWindowSeconds,
          selectPolicy: 'Max',
          policies: [
            { type: 'Percent', value: scaleUp.percent, periodSeconds: scaleUp.periodSeconds },
            { type: 'Pods', value: scaleUp.pods, periodSeconds: scaleUp.periodSeconds },
          ],
        },
        scaleDown: {
          stabilizationWindowSeconds: scaleDown.stabilizationWindowSeconds,
          selectPolicy: 'Max',
          policies: [{ type: 'Percent', value: scaleDown.percent, periodSeconds: scaleDown.periodSeconds }],
        },
      },
    },
  });
}
