/**
 * deploy/kubernetes: the committed files are what the generator writes; every overlay builds with the real
 * `kubectl kustomize`; every object it prints validates against its Kubernetes / Prometheus Operator schema; and the
 * built output keeps the invariants the service relies on (probes on real routes, a grace period longer than the
 * drain, a ConfigMap the service accepts, the PrometheusRule equal to alerts/rules/*.yml, the autoscaler's custom
 * metric served by the adapter rule). The running service is checked in running-service.test.ts.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { JOB_NAME, JOB_SELECTOR } from '../../observability/config';
import { parseConfig } from '../../src/config/load';
import { renderDeploy } from '../../deploy/kubernetes/src/render';
import { NAMESPACES, PROMETHEUS_SELECTOR_LABELS } from '../../deploy/kubernetes/src/settings';
import { documentedMetrics, loadRuleFiles, ROOT } from '../support/observability';
import { DEPLOY, kustomize, schemaProblems, useTempDir, type Build } from './support';

const production = kustomize('overlays/production');
const dev = kustomize('overlays/dev');
const overlays: Array<[string, Build, string]> = [
  ['production', production, NAMESPACES.production],
  ['dev', dev, NAMESPACES.dev],
];

function appConfigOf(build: Build): { text: string; key: string } {
  const deployment = build.one('apps/v1/Deployment');
  const appConf = deployment.spec!.template.spec!.containers[0].env!.find((e) => e.name === 'APP_CONF')!.value!;
  const volume = deployment.spec!.template.spec!.volumes!.find((v) => v.configMap)!;
  const mount = deployment.spec!.template.spec!.containers[0].volumeMounts!.find((m) => m.name === volume.name)!;
  expect(path.posix.dirname(appConf)).toBe(mount.mountPath);
  const configMap = build.all('v1/ConfigMap').find((c) => c.metadata!.name === volume.configMap!.name);
  if (!configMap) throw new Error(`the Deployment mounts ConfigMap ${volume.configMap!.name}, which the build does not contain`);
  const key = path.posix.basename(appConf);
  return { text: configMap.data![key], key };
}

/** The folder the Dockerfile copies the embedded model to (its final stage's WORKDIR + the COPY's destination). */
function modelDirInImage(): string {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const finalStage = dockerfile.split(/^FROM /m).at(-1)!;
  const workdir = /^WORKDIR (\S+)/m.exec(finalStage)![1];
  const dest = /^COPY models\/default (\S+)/m.exec(finalStage)![1];
  return path.posix.resolve(workdir, dest);
}

describe('deploy/kubernetes is what its generator writes', () => {
  const rendered = renderDeploy();
  it.each(Object.entries(rendered).flatMap(([dir, files]) => Object.entries(files).map(([f, text]) => [path.posix.join(dir, f), text])))(
    '%s matches (run `npm run manifests`)',
    (file, text) => {
      expect(readFileSync(path.join(DEPLOY, file), 'utf8')).toBe(text);
    },
  );

  it('has no YAML or Markdown file the generator does not make', () => {
    const expected = new Set(Object.entries(rendered).flatMap(([dir, files]) => Object.keys(files).map((f) => path.posix.join(dir, f))));
    const found: string[] = [];
    const walk = (rel: string) => {
      for (const name of readdirSync(path.join(DEPLOY, rel))) {
        const child = path.posix.join(rel, name);
        if (statSync(path.join(DEPLOY, child)).isDirectory()) walk(child);
        else if (/\.(ya?ml|md)$/.test(name)) found.push(child);
      }
    };
    walk('.');
    expect(found.filter((f) => !expected.has(path.posix.normalize(f))).sort()).toEqual([]);
  });
});

describe.each(overlays)('overlay %s', (_name, build, namespace) => {
  it('validates every object against its Kubernetes or Prometheus Operator schema', () => {
    expect(build.objects.length).toBeGreaterThan(5);
    expect(schemaProblems(build)).toEqual([]);
  });

  it('puts every object in its namespace, which admits only restricted pods', () => {
    const ns = build.one('v1/Namespace');
    expect(ns.metadata!.name).toBe(namespace);
    for (const mode of ['enforce', 'audit', 'warn']) expect(ns.metadata!.labels![`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
    for (const o of build.objects.filter((x) => x.kind !== 'Namespace')) expect(`${o.kind} ${o.metadata.namespace}`).toBe(`${o.kind} ${namespace}`);
  });

  it('names objects as Kubernetes requires (DNS-1123 labels)', () => {
    for (const o of build.objects) expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });

  it('gives app_conf.yml from a ConfigMap the service accepts, pointing at the model the image holds and the ports the pod opens', () => {
    const { text } = appConfigOf(build);
    const config = parseConfig(parse(text), 'ConfigMap app_conf.yml');
    expect(config.classifier.model_path).toBe(modelDirInImage());
    const container = build.one('apps/v1/Deployment').spec!.template.spec!.containers[0];
    const port = (name: string) => container.ports!.find((p) => p.name === name)!.containerPort;
    expect(config.server.port).toBe(port('http'));
    expect(config.metrics.reporters).toContain('prometheus');
    expect(config.metrics.prometheus.port).toBe(port('metrics'));
    expect(config.metrics.prometheus.port).not.toBe(config.server.port);
    // The image's PORT would override server.port: the pod must not set another.
    expect(container.env!.find((e) => e.name === 'PORT')).toBeUndefined();
  });

  it('sizes the pod for the workers the ConfigMap starts', () => {
    const { text } = appConfigOf(build);
    const config = parseConfig(parse(text), 'ConfigMap app_conf.yml');
    const { requests, limits } = build.one('apps/v1/Deployment').spec!.template.spec!.containers[0].resources!;
    const cores = (q: unknown) => (String(q).endsWith('m') ? Number(String(q).slice(0, -1)) / 1000 : Number(q));
    // `workers: 0` would count the node's cores, not the pod's.
    expect(config.classifier.workers).toBeGreaterThan(0);
    expect(cores(requests!.cpu)).toBe(config.classifier.workers);
    expect(cores(limits!.cpu)).toBeGreaterThanOrEqual(cores(requests!.cpu));
    expect(requests!.memory).toBe(limits!.memory);
    expect(String(requests!.memory)).toMatch(/^\d+Mi$/);
  });

  it('probes real routes on the API port: startup and liveness /healthz, readiness /readyz', () => {
    const spec = JSON.parse(readFileSync(path.join(ROOT, 'src', 'generated', 'openapi.json'), 'utf8')) as { paths: Record<string, { get?: unknown }> };
    const container = build.one('apps/v1/Deployment').spec!.template.spec!.containers[0];
    const probes = { startup: container.startupProbe!, liveness: container.livenessProbe!, readiness: container.readinessProbe! };
    expect(Object.fromEntries(Object.entries(probes).map(([k, p]) => [k, p.httpGet!.path]))).toEqual({
      startup: '/healthz',
      liveness: '/healthz',
      readiness: '/readyz',
    });
    for (const p of Object.values(probes)) {
      expect(spec.paths[p.httpGet!.path!]?.get).toBeDefined();
      expect(p.httpGet!.port).toBe('http');
    }
  });

  it('pauses before SIGTERM and gives the pod longer than the pause plus the drain to stop', () => {
    const spec = build.one('apps/v1/Deployment').spec!.template.spec!;
    const command = spec.containers[0].lifecycle!.preStop!.exec!.command!;
    expect(command.slice(0, 1)).toEqual(['sleep']);
    const pause = Number(command[1]);
    expect(pause).toBeGreaterThanOrEqual(5);
    const server = (parse(appConfigOf(build).text) as { server: { shutdown_timeout_seconds: number; shutdown_delay_seconds?: number } }).server;
    const drain = server.shutdown_timeout_seconds + (server.shutdown_delay_seconds ?? 0);
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(pause + drain);
  });

  it('runs non-root, read-only, without privileges, capabilities or a service account token (the restricted profile)', () => {
    const spec = build.one('apps/v1/Deployment').spec!.template.spec!;
    const [container] = spec.containers;
    expect(spec.containers).toHaveLength(1);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    // A numeric user: with the image's `USER node`, kubelet could not verify runAsNonRoot.
    expect(spec.securityContext!.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(spec.hostNetwork ?? false).toBe(false);
    expect(spec.hostPID ?? false).toBe(false);
    for (const v of spec.volumes!) expect(Object.keys(v).filter((k) => k !== 'name').every((k) => k === 'configMap' || k === 'emptyDir')).toBe(true);
    expect(spec.automountServiceAccountToken).toBe(false);
    const account = build.one('v1/ServiceAccount');
    expect(account.metadata!.name).toBe(spec.serviceAccountName);
    expect(account.automountServiceAccountToken).toBe(false);
  });

  it('rolls out without losing capacity and spreads pods across nodes and zones', () => {
    const deployment = build.one('apps/v1/Deployment');
    expect(deployment.spec!.strategy).toMatchObject({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } });
    const spread = deployment.spec!.template.spec!.topologySpreadConstraints!;
    expect(spread.map((c) => c.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const c of spread) expect(c.maxSkew).toBe(1);
  });

  it('selects the pods everywhere by labels the pod template carries', () => {
    const deployment = build.one('apps/v1/Deployment');
    const podLabels = deployment.spec!.template.metadata!.labels!;
    const selectors = {
      deployment: deployment.spec!.selector.matchLabels!,
      service: build.one('v1/Service').spec!.selector!,
      podDisruptionBudget: build.one('policy/v1/PodDisruptionBudget').spec!.selector!.matchLabels!,
      networkPolicy: build.one('networking.k8s.io/v1/NetworkPolicy').spec!.podSelector.matchLabels!,
      ...Object.fromEntries(deployment.spec!.template.spec!.topologySpreadConstraints!.map((c) => [`spread ${c.topologyKey}`, c.labelSelector!.matchLabels!])),
    };
    for (const [who, selector] of Object.entries(selectors)) {
      expect([who, Object.keys(selector).length > 0]).toEqual([who, true]);
      expect([who, podLabels]).toEqual([who, expect.objectContaining(selector)]);
    }
  });

  it('exposes both container ports through the Service by name', () => {
    const ports = build.one('apps/v1/Deployment').spec!.template.spec!.containers[0].ports!.map((p) => p.name);
    expect(build.one('v1/Service').spec!.ports!.map((p) => [p.name, p.targetPort])).toEqual(ports.map((p) => [p, p]));
  });

  it('lets the namespace and the ingress controller reach the API, only the monitoring namespace the metrics, and nothing out', () => {
    const policy = build.one('networking.k8s.io/v1/NetworkPolicy').spec!;
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.egress).toEqual([]);
    const byPort = Object.fromEntries(policy.ingress!.map((r) => [r.ports!.map((p) => p.port).join(','), r.from]));
    expect(Object.keys(byPort).sort()).toEqual(['http', 'metrics']);
    expect(byPort.http).toContainEqual({ podSelector: {} });
    expect(byPort.http).toContainEqual(
      expect.objectContaining({ namespaceSelector: expect.anything(), podSelector: { matchLabels: expect.any(Object) } }),
    );
    expect(byPort.metrics).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.monitoring } } }]);
  });

  it('never blocks a node drain: the disruption budget lets one pod go at a time', () => {
    expect(build.one('policy/v1/PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });
});

describe('production overlay', () => {
  const hpa = production.one('autoscaling/v2/HorizontalPodAutoscaler');
  const deployment = production.one('apps/v1/Deployment');
  const config = parseConfig(parse(appConfigOf(production).text), 'ConfigMap');

  it('autoscales the Deployment from 3 replicas, which owns its replica count', () => {
    expect(hpa.spec!.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata!.name });
    expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(3);
    expect(hpa.spec!.maxReplicas).toBeGreaterThan(hpa.spec!.minReplicas!);
    // A replica count in the Deployment would be reset by every `kubectl apply`, fighting the autoscaler.
    expect(deployment.spec!.replicas).toBeUndefined();
  });

  it("scales on CPU and on the inference queue's depth per pod, a target between one batch and the queue's bound", () => {
    const metrics = hpa.spec!.metrics!;
    expect(metrics.find((m) => m.type === 'Resource')!.resource).toMatchObject({ name: 'cpu', target: { type: 'Utilization' } });
    const pods = metrics.find((m) => m.type === 'Pods')!.pods!;
    expect(pods.metric.name).toBe('moderator_queue_depth');
    const target = Number(pods.target.averageValue);
    expect(target).toBeGreaterThan(config.classifier.batching.max_batch_size);
    expect(target).toBeLessThan(config.classifier.batching.max_queue);
  });

  it('scales down slowly so bursts do not flap, and up at once', () => {
    const { scaleUp, scaleDown } = hpa.spec!.behavior!;
    expect(scaleDown!.stabilizationWindowSeconds).toBeGreaterThanOrEqual(300);
    expect(scaleUp!.stabilizationWindowSeconds).toBe(0);
  });

  it('serves the custom metric through the prometheus-adapter rule, from a series on the service\'s /metrics', () => {
    const values = parse(readFileSync(path.join(DEPLOY, 'prometheus-adapter', 'values.yaml'), 'utf8'));
    const plain = parse(readFileSync(path.join(DEPLOY, 'prometheus-adapter', 'config.yaml'), 'utf8'));
    expect(values.rules.custom).toEqual(plain.rules);
    const metric = hpa.spec!.metrics!.find((m) => m.type === 'Pods')!.pods!.metric.name;
    const rule = (plain.rules as Array<{ seriesQuery: string; name: { as: string } }>).find((r) => r.name.as === metric);
    expect(rule).toBeDefined();
    const series = /^([a-z_:][a-z0-9_:]*)\{(.*)\}$/.exec(rule!.seriesQuery)!;
    expect(documentedMetrics().flatMap((r) => r.names)).toContain(series[1]);
    expect(series[2]).toContain(JOB_SELECTOR);
  });

  it("scrapes every pod's metrics port with a ServiceMonitor that gives the targets the alerts' job", () => {
    const monitor = production.one('monitoring.coreos.com/v1/ServiceMonitor');
    const service = production.one('v1/Service');
    expect(monitor.metadata!.labels).toMatchObject(PROMETHEUS_SELECTOR_LABELS);
    expect(service.metadata!.labels).toMatchObject(monitor.spec!.selector.matchLabels!);
    expect(service.metadata!.labels![monitor.spec!.jobLabel!]).toBe(JOB_NAME);
    const [endpoint] = monitor.spec!.endpoints!;
    expect(service.spec!.ports!.map((p) => p.name)).toContain(endpoint.port);
    expect(endpoint.port).toBe('metrics');
    expect(endpoint.path).toBe(config.metrics.prometheus.path);
    expect(endpoint.relabelings).toContainEqual(expect.objectContaining({ sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'instance' }));
  });

  it('carries a PrometheusRule whose groups equal alerts/rules/*.yml', () => {
    const rule = production.one('monitoring.coreos.com/v1/PrometheusRule');
    expect(rule.metadata!.labels).toMatchObject(PROMETHEUS_SELECTOR_LABELS);
    const files = loadRuleFiles(); // sorted by file name
    expect(files.map((f) => f.file)).toEqual(['kubernetes.rules.yml', 'service.rules.yml', 'slo.rules.yml']);
    expect(rule.spec!.groups).toEqual(files.flatMap((f) => f.rules.groups));
  });

  it('carries every Grafana dashboard as a ConfigMap for the dashboard sidecar', () => {
    const dir = path.join(ROOT, 'dashboards', 'json');
    const dashboards = production.all('v1/ConfigMap').filter((c) => c.metadata!.labels?.grafana_dashboard === '1');
    const data = Object.assign({}, ...dashboards.map((c) => c.data));
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    expect(Object.keys(data).sort()).toEqual(files);
    for (const f of files) expect(data[f]).toBe(readFileSync(path.join(dir, f), 'utf8'));
    for (const c of dashboards) expect(c.metadata!.annotations).toHaveProperty('grafana_folder');
  });
});

describe('dev overlay', () => {
  it('runs one replica without an autoscaler or the Prometheus Operator objects', () => {
    expect(dev.one('apps/v1/Deployment').spec!.replicas).toBe(1);
    expect(dev.all('autoscaling/v2/HorizontalPodAutoscaler')).toEqual([]);
    expect(dev.objects.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'))).toEqual([]);
  });

  it('runs the same pods as production (only the replica count differs)', () => {
    const podSpec = (b: Build) => b.one('apps/v1/Deployment').spec!.template;
    expect(podSpec(dev)).toEqual(podSpec(production));
  });
});

describe('a config change', () => {
  const tmp = useTempDir('moderator-kustomize-');

  it('renames the ConfigMap, and the Deployment follows it, so the pods roll', () => {
    const dir = tmp();
    cpSync(DEPLOY, dir, { recursive: true });
    const before = kustomize(path.join(dir, 'overlays/production'));
    const file = path.join(dir, 'base', 'app_conf.yml');
    expect(existsSync(file)).toBe(true);
    writeFileSync(file, readFileSync(file, 'utf8').replace('level: info', 'level: warn'));
    const after = kustomize(path.join(dir, 'overlays/production'));
    const configMapName = (b: Build) => b.one('apps/v1/Deployment').spec!.template.spec!.volumes!.find((v) => v.configMap)!.configMap!.name;
    expect(configMapName(after)).not.toBe(configMapName(before));
    expect(configMapName(before)).toMatch(/^content-moderator-config-[a-z0-9]{10}$/);
    expect(appConfigOf(after).text).toContain('level: warn');
  });
});

describe('an overlay of your own, as docs/kubernetes.md shows it', () => {
  const dir = useTempDir('moderator-own-overlay-');

  it('builds on the production overlay with your image and a client namespace let through the NetworkPolicy', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'kubernetes.md'), 'utf8');
    // Code blocks, without the indentation of the list items they sit in.
    const blocks = [...doc.matchAll(/^( *)```yaml\n([\s\S]*?)^ *```/gm)].map((m) =>
      m[2].replace(new RegExp(`^${m[1]}`, 'gm'), ''),
    );
    const kustomization = blocks.find((b) => b.includes('kind: Kustomization'));
    const patches = blocks.find((b) => b.startsWith('patches:'));
    expect([kustomization !== undefined, patches !== undefined]).toEqual([true, true]);
    const own = path.join(dir(), 'deploy');
    mkdirSync(own);
    // The docs' overlay sits beside a checkout of this repository; here the checkout is ROOT.
    const base = path.relative(own, path.join(DEPLOY, 'overlays', 'production'));
    writeFileSync(
      path.join(own, 'kustomization.yaml'),
      kustomization!.replace('../content-moderator/deploy/kubernetes/overlays/production', base) + patches!,
    );
    const built = kustomize(own);
    expect(schemaProblems(built)).toEqual([]);
    expect(built.one('apps/v1/Deployment').spec!.template.spec!.containers[0].image).toMatch(/^registry\.example\.org\/content-moderator:/);
    const api = built.one('networking.k8s.io/v1/NetworkPolicy').spec!.ingress![0];
    expect(api.ports!.map((p) => p.port)).toEqual(['http']);
    expect(api.from).toContainEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } });
  });
});

describe("docs/kubernetes.md's capacity figures", () => {
  it('are numbers of the generated CAPACITY.md (rounded at most), so the prose cannot drift from the measurements', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'kubernetes.md'), 'utf8');
    const section = doc.split(/^## /m).find((p) => p.startsWith('Capacity planning\n'))!;
    const capacity = readFileSync(path.join(DEPLOY, 'CAPACITY.md'), 'utf8');
    const available = [...capacity.matchAll(/\d[\d,]*(?:\.\d+)?/g)].map((m) => Number(m[0].replace(/,/g, '')));
    const quoted = [...section.matchAll(/(\d+(?:\.\d+)?) (?:µs|ms|MiB|pods|core)\b/g)].map((m) => m[1]);
    expect(quoted.length).toBeGreaterThan(8);
    const unmatched = quoted.filter((q) => {
      const decimals = q.split('.')[1]?.length ?? 0;
      return !available.some((a) => a.toFixed(decimals) === Number(q).toFixed(decimals));
    });
    expect(unmatched).toEqual([]);
  });
});
