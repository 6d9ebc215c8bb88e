/**
 * The app_conf.yml the pods read, from the ConfigMap. It must validate against the service's own schema
 * (src/config/schema.ts): the type below checks it here, and test/deploy runs the real service with it.
 */
import type { AppConfigInput } from '../../../src/config/schema';
import { MODEL_DIR_IN_IMAGE, PORTS } from './settings';

/**
 * Inference workers per pod, set explicitly: `workers: 0` counts the cores the node has, not the CPU the pod is
 * given, and would start up to 4 workers in a pod sized for one (sizing.ts sizes the pod for this many).
 */
export const WORKERS_PER_POD = 1;

export const APP_CONFIG = {
  server: {
    host: '0.0.0.0',
    port: PORTS.http,
    // The preStop pause already keeps the pod serving while it leaves the Service's endpoints (sizing.ts):
    // after SIGTERM the service can close its listener at once.
    shutdown_delay_seconds: 0,
    // The drain after SIGTERM; the pod's terminationGracePeriodSeconds is computed from it (sizing.ts).
    shutdown_timeout_seconds: 10,
  },
  classifier: {
    // Absolute: the ConfigMap is mounted away from the image's /app, and a relative path is read from the config's folder.
    model_path: MODEL_DIR_IN_IMAGE,
    thresholds: {},
    limits: { max_text_chars: 10_000, max_texts: 256, max_body_bytes: 1_048_576 },
    batching: { max_batch_size: 64, max_wait_us: 1000, max_queue: 4096 },
    workers: WORKERS_PER_POD,
    threads_per_worker: 1,
    cache: { enabled: false, max_entries: 10_000 },
  },
  metrics: {
    // Prometheus only: the cluster's Prometheus scrapes every pod; console lines would double the log volume.
    reporters: ['prometheus'],
    prometheus: {
      path: '/metrics',
      // Its own port, so the NetworkPolicy can open it to the monitoring namespace only.
      port: PORTS.metrics,
    },
    runtime: true,
  },
  logging: { level: 'info' },
} as const satisfies AppConfigInput;

/** Comments written above keys of the rendered app_conf.yml (path -> text). */
export const APP_CONFIG_COMMENTS: Array<{ path: string[]; text: string }> = [
  { path: ['server', 'shutdown_delay_seconds'], text: 'No serving on after SIGTERM: the preStop pause before it does that job (deploy/kubernetes/src/sizing.ts).' },
  { path: ['server', 'shutdown_timeout_seconds'], text: 'Drain after SIGTERM; terminationGracePeriodSeconds is sized from it (deploy/kubernetes/src/sizing.ts).' },
  { path: ['classifier', 'model_path'], text: "The model baked into the image (Dockerfile: WORKDIR /app, COPY models/default)." },
  {
    path: ['classifier', 'workers'],
    text: "Explicit: 'workers: 0' counts the node's cores, not the pod's CPU; the pod's resources are sized for this many.",
  },
  { path: ['metrics', 'reporters'], text: 'Prometheus scrapes every pod (ServiceMonitor); no console reporter in the logs.' },
  { path: ['metrics', 'prometheus', 'port'], text: 'Own port: the NetworkPolicy opens it to the monitoring namespace only.' },
];
