/**
 * Admission control: a burst is shed with fast 503s (not queued for seconds), on the service's own
 * saturation signals: requests in flight, event-loop lateness, connections open. Real service, real
 * model, traffic to 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { DEFAULT_MODEL, parseExposition, sampleValue, startHarness, type Harness } from '../support/harness';
import { classifyRequest, exchange, head, parseAnswers } from '../support/raw-http';
import { startServer, type ServerProcess } from '../support/server-process';

interface BurstResult {
  status: number;
  retryAfter?: string;
  type?: string;
  ms: number;
  error?: string;
}

/** Opens `n` connections at once, each sending one /classify, and reads each answer. */
async function burst(port: number, n: number): Promise<BurstResult[]> {
  const request = classifyRequest(JSON.stringify({ text: 'a burst of traffic, one text each' }), { Connection: 'close' });
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<BurstResult>((resolve) => {
          const started = performance.now();
          const chunks: Buffer[] = [];
          let error: string | undefined;
          const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
          socket.on('data', (d: Buffer) => chunks.push(d));
          socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code));
          socket.setTimeout(30_000, () => socket.destroy(new Error('client timeout')));
          socket.on('close', () => {
            const [answer] = parseAnswers(Buffer.concat(chunks));
            const ms = performance.now() - started;
            if (!answer) return resolve({ status: 0, ms, error: error ?? 'no answer' });
            const type = answer.headers['content-type']?.startsWith('application/problem+json') ? (JSON.parse(answer.body) as { type: string }).type : undefined;
            resolve({ status: answer.status, retryAfter: answer.headers['retry-after'], type, ms });
          });
        }),
    ),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('a burst of 1,000 connections', () => {
  // A separate process, as a client would see it. Texts wait up to a second for a batch to fill (the
  // batch never fills), so admitted requests stay in flight: the limit of 100 is reached whatever the
  // machine's speed, and every request over it must be refused at once rather than wait.
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({
      server: { host: '127.0.0.1', shutdown_delay_seconds: 0, admission: { max_in_flight_requests: 100, max_event_loop_delay_ms: 0 } },
      classifier: { model_path: DEFAULT_MODEL, workers: 1, batching: { max_batch_size: 4096, max_wait_us: 1_000_000 } },
      metrics: { reporters: ['prometheus'] },
    });
  });
  afterAll(() => server?.stop());

  it('gets fast 503s with Retry-After for what is over the limit, and every connection an answer', async () => {
    const results = await burst(server.port, 1000);
    expect(results.filter((r) => r.error !== undefined)).toEqual([]);
    const ok = results.filter((r) => r.status === 200);
    const shed = results.filter((r) => r.status === 503);
    expect(ok.length + shed.length).toBe(1000);
    expect(shed.length).toBeGreaterThanOrEqual(500);
    for (const r of shed) expect(r).toMatchObject({ retryAfter: '1', type: 'https://content-moderator.dev/problems/overloaded' });
    // Refusals do not queue behind the admitted requests (which wait for their batch).
    expect(median(shed.map((r) => r.ms))).toBeLessThan(median(ok.map((r) => r.ms)));

    const { samples } = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
    expect(sampleValue(samples, 'moderator_http_rejections_total', { reason: 'in_flight_requests' })).toBe(shed.length);
    // Inside the service each refusal took under 100 ms from its request's arrival (in practice well under 1 ms).
    const refused = { http_route: '/classify', http_response_status_code: '503' };
    const count = sampleValue(samples, 'http_server_request_duration_seconds_count', refused);
    expect(sampleValue(samples, 'http_server_request_duration_seconds_bucket', { ...refused, le: '0.1' })).toBe(count);
  });
});

describe('admission in process', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await startHarness({ server: { max_connections: 3, admission: { max_event_loop_delay_ms: 100 } } });
    port = (h.server.address() as { port: number }).port;
  });
  afterAll(() => h.close());

  async function connected(): Promise<net.Socket> {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  }

  it('refuses API requests while the event loop is busy with a backlog, never the probes', async () => {
    // Three connections, then three requests written in one go: the server reads them in one turn of its
    // event loop, and the first one it dispatches holds that turn for 300 ms, as a long synchronous task
    // or a burst of work would. Whatever it reads after that in the same turn has waited 300 ms.
    const sockets = [await connected(), await connected(), await connected()];
    const answers = sockets.map((s) => {
      const chunks: Buffer[] = [];
      s.on('data', (d: Buffer) => chunks.push(d));
      return new Promise<ReturnType<typeof parseAnswers>>((resolve) => s.on('close', () => resolve(parseAnswers(Buffer.concat(chunks)))));
    });
    h.server.prependOnceListener('request', () => {
      const until = performance.now() + 300;
      while (performance.now() < until) {
        // busy
      }
    });
    sockets[0]!.write(classifyRequest('{"text":"late"}', { Connection: 'close' }));
    sockets[1]!.write(classifyRequest('{"text":"late too"}', { Connection: 'close' }));
    sockets[2]!.write(head('GET /healthz HTTP/1.1', { Connection: 'close' }));
    const [first, second, probe] = await Promise.all(answers);
    expect(probe!.map((a) => a.status)).toEqual([200]);
    for (const late of [first!, second!]) {
      expect(late.map((a) => a.status)).toEqual([503]);
      const body = JSON.parse(late[0]!.body) as { limit: { name: string; value: number; actual: number } };
      expect(body.limit).toMatchObject({ name: 'server.admission.max_event_loop_delay_ms', value: 100 });
      expect(body.limit.actual).toBeGreaterThan(100);
      expect(late[0]!.headers['retry-after']).toBe('1');
    }
    // In a later turn, requests are admitted again.
    const again = await exchange(port, [classifyRequest('{"text":"on time"}', { Connection: 'close' })]);
    expect(again.answers.map((a) => a.status)).toEqual([200]);
  });

  it('answers a connection over server.max_connections with 503 and closes it; a freed slot serves again', async () => {
    const held = [await connected(), await connected(), await connected()];
    const over = await exchange(port, [classifyRequest('{"text":"one too many"}')]);
    expect(over.answers.map((a) => a.status)).toEqual([503]);
    expect(over.answers[0]!.headers.connection).toBe('close');
    expect(JSON.parse(over.answers[0]!.body)).toMatchObject({ limit: { name: 'server.max_connections', value: 3 } });
    expect(over.closedByServer).toBe(true);
    held[0]!.destroy();
    const { samples } = parseExposition(
      (await exchange(port, [head('GET /metrics HTTP/1.1', { Connection: 'close' })])).answers[0]!.body,
    );
    expect(sampleValue(samples, 'moderator_http_rejections_total', { reason: 'connections' })).toBe(1);
    const served = await exchange(port, [classifyRequest('{"text":"room again"}', { Connection: 'close' })]);
    expect(served.answers.map((a) => a.status)).toEqual([200]);
    for (const s of held) s.destroy();
  });

  it('listens with the configured backlog (Send-Q of the listening socket)', async () => {
    const backlogged = await startHarness({ server: { listen_backlog: 77 } });
    try {
      const p = (backlogged.server.address() as { port: number }).port;
      const line = execFileSync('ss', ['-ltnH', `sport = :${p}`], { encoding: 'utf8' }).trim();
      expect(line.split(/\s+/)[2]).toBe('77');
    } finally {
      await backlogged.close();
    }
  });
});
