import http from 'node:http';
import { DEFAULT_MODEL, parseExposition, sampleValue } from '../support/harness';
import { logRecords, poll, runUntilExit, spawnServer, startServer, writeConfig, type ServerProcess } from '../support/server-process';

const baseConfig = (metrics: object = {}) => ({
  server: { host: '127.0.0.1', shutdown_timeout_seconds: 10, shutdown_delay_seconds: 0 },
  classifier: { model_path: DEFAULT_MODEL, workers: 1 },
  metrics: { reporters: ['prometheus'], ...metrics },
});

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe('the server process', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer(baseConfig({ reporters: ['prometheus', 'console'], interval_seconds: 1 }));
  });
  afterAll(() => server.stop());

  it('serves HTTP semconv, runtime and process metrics on /metrics', async () => {
    expect((await post(server.url, { text: 'hello there' })).status).toBe(200);
    expect((await post(server.url, { texts: 'nope' })).status).toBe(422);
    const { samples } = await poll('http metrics', async () => {
      const parsed = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
      return parsed.samples.some((s) => s.name === 'http_server_request_duration_seconds_count' && s.labels.http_response_status_code === '422')
        ? parsed
        : undefined;
    });
    const route = { http_route: '/classify', http_request_method: 'POST' };
    expect(sampleValue(samples, 'http_server_request_duration_seconds_count', { ...route, http_response_status_code: '200' })).toBe(1);
    expect(sampleValue(samples, 'http_server_request_duration_seconds_bucket', { ...route, http_response_status_code: '200', le: '0.001' })).toBeGreaterThanOrEqual(0);
    const names = new Set(samples.map((s) => s.name));
    for (const name of ['nodejs_eventloop_delay_p99', 'nodejs_eventloop_utilization', 'v8js_memory_heap_used', 'process_cpu_seconds_total', 'process_resident_memory_bytes']) {
      expect(names).toContain(name);
    }
    // The scrape path itself is not counted as user traffic.
    expect(samples.some((s) => s.name.startsWith('http_server_request_duration') && s.labels.http_route === '/metrics')).toBe(false);
  });

  it('prints the method_names counts on stdout with the console reporter, as JSON lines among the logs', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${server.url}/healthz`);
    type Metric = { name: string; type: string; points: Array<{ attributes: Record<string, string>; value: number }> };
    const healthz = await poll('console metrics', () => {
      const lines = logRecords(server.stdout()).filter((r) => r.msg === 'metrics');
      const last = (lines.at(-1)?.metrics as Metric[] | undefined)?.find((m) => m.name === 'moderator.api.healthz.calls');
      return last?.points.find((p) => p.attributes.outcome === 'success' && p.value === 3) ? last : undefined;
    }, 5000);
    expect(healthz.type).toBe('counter');
    // Only the method_names counters by default (console_metrics: method_names).
    const names = logRecords(server.stdout()).flatMap((r) => (r.msg === 'metrics' ? (r.metrics as Metric[]).map((m) => m.name) : []));
    expect(names.every((n) => /^moderator\.api\.\w+\.calls$/.test(n))).toBe(true);
    // Every line on stdout is a JSON record: nothing breaks a JSON-lines log shipper.
    const lines = server.stdout().split('\n').filter((l) => l !== '');
    expect(lines.filter((l) => !l.startsWith('{"'))).toEqual([]);
  });

  it('logs requests as JSON with ids and never the texts', async () => {
    await post(server.url, { text: 'confidential-marker-8812 hello' });
    const records = await poll('the request log', () => {
      const recs = logRecords(server.stdout()).filter((r) => r.msg === 'request completed');
      return recs.length >= 2 ? recs : undefined;
    });
    expect(records[0]).toMatchObject({ req: { id: expect.any(String), method: 'POST', path: '/classify' }, res: { status: 200 } });
    expect(server.stdout()).not.toContain('confidential-marker-8812');
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request after SIGTERM, closes its keep-alive connection, then exits 0 without waiting for the deadline', async () => {
    const server = await startServer(baseConfig());
    const body = JSON.stringify({ texts: ['first half', 'second half'] });
    const half = Math.floor(body.length / 2);
    const req = http.request(`${server.url}/classify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const response = new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (d: string) => (text += d))
          .on('end', () => resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection }));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, half));
    // The request is in flight once the server counts it (the scrape that reads the gauge is not counted).
    await poll('the request to be in flight', async () => {
      const { samples } = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
      return sampleValue(samples, 'moderator_http_requests_in_flight') === 1 ? true : undefined;
    });
    server.child.kill('SIGTERM');
    await poll('shutdown to begin', () => (logRecords(server.stdout()).some((r) => r.msg === 'shutting down') ? true : undefined));
    req.end(body.slice(half));
    const res = await response;
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { results: unknown[] }).results).toHaveLength(2);
    // The keep-alive connection (node's default agent keeps them) is closed with the answer, not left open.
    expect(res.connection).toBe('close');
    expect(await server.exited).toBe(0);
    const records = logRecords(server.stdout());
    const stopped = records.find((r) => r.msg === 'stopped');
    expect(stopped).toBeDefined();
    expect(records.some((r) => String(r.msg).includes('did not finish in time'))).toBe(false);
    expect(stopped!.ms as number).toBeLessThan(5000); // the deadline is 10 s
  });

  it('exits at once, saying so, on a second signal during the drain', async () => {
    const server = await startServer(baseConfig());
    // A request whose body never completes keeps the drain waiting.
    const req = http.request(`${server.url}/classify`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': 100 } });
    req.on('error', () => undefined);
    req.write('{"text": "never fin');
    await poll('the request to be in flight', async () => {
      const { samples } = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
      return sampleValue(samples, 'moderator_http_requests_in_flight') === 1 ? true : undefined;
    });
    server.child.kill('SIGTERM');
    await poll('shutdown to begin', () => (logRecords(server.stdout()).some((r) => r.msg === 'shutting down') ? true : undefined));
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(1);
    expect(logRecords(server.stdout()).find((r) => String(r.msg).startsWith('second signal'))).toMatchObject({ level: 40, signal: 'SIGINT' });
    req.destroy();
  });
});

describe('start-up validation', () => {
  const failure = runUntilExit;

  it('exits non-zero with one line naming an unknown key', async () => {
    const { code, stderr } = await failure({ ...baseConfig(), metrics: { reporter: ['console'] } });
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain("unknown key 'metrics.reporter'");
  });

  it('exits non-zero naming an unknown reporter', async () => {
    const { code, stderr } = await failure(baseConfig({ reporters: ['console', 'graphite'] }));
    expect(code).not.toBe(0);
    expect(stderr).toContain("'metrics.reporters.1'");
  });

  it('exits non-zero naming a missing model', async () => {
    const { code, stderr } = await failure({ ...baseConfig(), classifier: { model_path: '/nonexistent/model' } });
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('/nonexistent/model');
  });

  it('exits 2 with one line naming server.port when the port is taken', async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const child = spawnServer(writeConfig(baseConfig()), { PORT: String(port) });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toEqual([`content-moderator: 'server.port': cannot listen on 127.0.0.1:${port} (EADDRINUSE)`]);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('exits non-zero naming a threshold for a label the model lacks', async () => {
    const { code, stderr } = await failure({ ...baseConfig(), classifier: { model_path: DEFAULT_MODEL, thresholds: { toxicity: 0.5 } } });
    expect(code).not.toBe(0);
    expect(stderr).toContain("'classifier.thresholds.toxicity'");
  });
});

describe('Prometheus reporter on its own port', () => {
  async function freePort(): Promise<number> {
    const srv = http.createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const { port } = srv.address() as { port: number };
    await new Promise<void>((resolve) => srv.close(() => resolve()));
    return port;
  }

  it('serves /metrics there and not on the app port', async () => {
    const metricsPort = await freePort();
    const server = await startServer(baseConfig({ prometheus: { port: metricsPort, path: '/metrics' } }));
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const text = await poll('the metrics port', async () => {
        const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).catch(() => undefined);
        return res?.ok ? res.text() : undefined;
      });
      expect(sampleValue(parseExposition(text).samples, 'moderator_api_healthz_calls_total', { outcome: 'success' })).toBe(1);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
