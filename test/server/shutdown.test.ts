/**
 * SIGTERM under load, as a load balancer sees it: readiness flips to 503 first, the service keeps
 * serving for server.shutdown_delay_seconds, then closes its listener, finishes what arrived and exits 0.
 * A client that stops sending once /readyz says 503 (what a load balancer does) sees no failed request.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { DEFAULT_MODEL } from '../support/harness';
import { logRecords, startServer } from '../support/server-process';

const DELAY_S = 2;

type Outcome = { ok: true; status: number } | { ok: false; error: string };

function post(agent: http.Agent, port: number, text: string): Promise<Outcome> {
  const body = JSON.stringify({ text });
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/classify', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0 }));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, error: err.code ?? err.message }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, error: err.code ?? err.message }));
    req.end(body);
  });
}

function readyz(agent: http.Agent, port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/readyz', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('SIGTERM under load', () => {
  it('a client that follows readiness sees zero failed requests; /readyz is 503 before the listener closes; exit 0', async () => {
    const server = await startServer({
      // No load shedding: on a busy machine the event-loop check would refuse some of this load with 503s,
      // which is admission.test.ts's subject, not this one's.
      server: { host: '127.0.0.1', shutdown_delay_seconds: DELAY_S, shutdown_timeout_seconds: 10, admission: { max_event_loop_delay_ms: 0 } },
      classifier: { model_path: DEFAULT_MODEL, workers: 1 },
      metrics: { reporters: ['prometheus'] },
    });
    const { port } = server;
    // The load balancer: polls readiness every 100 ms and stops routing on the first 503.
    let routable = true;
    const probes: Array<{ at: number; result: number | string }> = [];
    const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const prober = (async () => {
      for (;;) {
        const result = await readyz(probeAgent, port);
        probes.push({ at: performance.now(), result });
        if (result !== 200) routable = false;
        if (typeof result === 'string') return; // the listener is gone
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    // Eight keep-alive clients sending back to back while the instance is routable.
    const outcomes: Outcome[] = [];
    const clients = Array.from({ length: 8 }, async (_, c) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let i = 0;
      while (routable) outcomes.push(await post(agent, port, `client ${c} request ${i++}: have a lovely day`));
      agent.destroy();
    });
    // Under load for a while, then the signal.
    while (outcomes.length < 50) await new Promise((r) => setTimeout(r, 20));
    const sigterm = performance.now();
    server.child.kill('SIGTERM');
    await Promise.all(clients);
    await prober;
    probeAgent.destroy();
    expect(await server.exited).toBe(0);

    expect(outcomes.filter((o) => !o.ok || o.status !== 200)).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(50);
    // Readiness said 503 while the listener still answered, before connections were refused.
    const firstNotReady = probes.findIndex((p) => p.result === 503);
    const refused = probes.findIndex((p) => typeof p.result === 'string');
    expect(firstNotReady).toBeGreaterThan(-1);
    expect(refused).toBeGreaterThan(firstNotReady);
    expect(probes[refused]!.result).toBe('ECONNREFUSED');
    expect(probes[refused]!.at - sigterm).toBeGreaterThanOrEqual(DELAY_S * 1000 - 100);
    // The listener closed after the delay, not at the signal.
    const records = logRecords(server.stdout());
    const shutting = records.find((r) => r.msg === 'shutting down');
    const closing = records.find((r) => r.msg === 'closing the listener');
    expect(shutting).toMatchObject({ signal: 'SIGTERM', delay_seconds: DELAY_S });
    expect((closing!.time as number) - (shutting!.time as number)).toBeGreaterThanOrEqual(DELAY_S * 1000 - 10);
  });

  it('SIGINT (Ctrl-C) skips the delay', async () => {
    const server = await startServer({
      server: { host: '127.0.0.1', shutdown_delay_seconds: 30 },
      classifier: { model_path: DEFAULT_MODEL, workers: 1 },
      metrics: { reporters: ['prometheus'] },
    });
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    expect(logRecords(server.stdout()).find((r) => r.msg === 'shutting down')).toMatchObject({ signal: 'SIGINT', delay_seconds: 0 });
  });
});
