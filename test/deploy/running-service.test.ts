/**
 * The real service (a child process, as in the pods) started with the production overlay's ConfigMap: the probes
 * the Deployment sends answer 200 on the API port, the metrics port serves the ServiceMonitor's path with the
 * series the autoscaler and its adapter rule read, and the API port does not serve them (the NetworkPolicy opens
 * the two ports to different clients). Only what cannot exist outside the image changes: the model's folder, the
 * listen address and the ports.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_MODEL, parseExposition } from '../support/harness';
import { poll, startServer, type ServerProcess } from '../support/server-process';
import { DEPLOY, kustomize } from './support';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the service run with the production ConfigMap', () => {
  const build = kustomize('overlays/production');
  const deployment = build.one('apps/v1/Deployment');
  const container = deployment.spec!.template.spec!.containers[0];
  const hpa = build.one('autoscaling/v2/HorizontalPodAutoscaler');
  const monitor = build.one('monitoring.coreos.com/v1/ServiceMonitor');
  const configMapName = deployment.spec!.template.spec!.volumes!.find((v) => v.configMap)!.configMap!.name;
  const appConf = container.env!.find((e) => e.name === 'APP_CONF')!.value!;
  const text = build.all('v1/ConfigMap').find((c) => c.metadata!.name === configMapName)!.data![path.posix.basename(appConf)];
  const adapterRule = (parse(readFileSync(path.join(DEPLOY, 'prometheus-adapter', 'config.yaml'), 'utf8')) as {
    rules: Array<{ seriesQuery: string }>;
  }).rules[0];

  let server: ServerProcess;
  let metricsUrl: string;
  beforeAll(async () => {
    const config = parse(text) as {
      server: Record<string, unknown>;
      classifier: Record<string, unknown>;
      metrics: { prometheus: Record<string, unknown> };
    };
    config.server.host = '127.0.0.1';
    config.classifier.model_path = DEFAULT_MODEL;
    const metricsPort = await freePort();
    config.metrics.prometheus.port = metricsPort;
    server = await startServer(config);
    metricsUrl = `http://127.0.0.1:${metricsPort}${monitor.spec!.endpoints![0].path}`;
  });
  afterAll(() => server?.stop());

  it.each([
    ['startup', container.startupProbe!],
    ['readiness', container.readinessProbe!],
    ['liveness', container.livenessProbe!],
  ])('answers the %s probe with 200', async (_name, probe) => {
    expect(probe.httpGet!.port).toBe('http');
    const res = await fetch(`${server.url}${probe.httpGet!.path}`);
    expect(res.status).toBe(200);
  });

  it("serves the autoscaler's custom metric, and the series its adapter rule selects, on the metrics port", async () => {
    const classify = await fetch(`${server.url}/classify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello there' }),
    });
    expect(classify.status).toBe(200);
    const names = await poll('the metrics port', async () => {
      const res = await fetch(metricsUrl).catch(() => undefined);
      if (!res?.ok) return undefined;
      return new Set(parseExposition(await res.text()).samples.map((s) => s.name));
    });
    const hpaMetric = hpa.spec!.metrics!.find((m) => m.type === 'Pods')!.pods!.metric.name;
    expect(names).toContain(hpaMetric);
    expect(names).toContain(/^([a-z_:][a-z0-9_:]*)\{/.exec(adapterRule.seriesQuery)![1]);
  });

  it('does not serve the metrics on the API port', async () => {
    const res = await fetch(`${server.url}${monitor.spec!.endpoints![0].path}`);
    expect(res.status).toBe(404);
  });
});
