import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** One HTTP/1.1 answer read off a raw socket. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the first byte written to the end of this answer's body. */
  ms: number;
}

export interface RawExchange {
  /** Every answer read on the connection, in order. */
  answers: RawAnswer[];
  /** Everything received. */
  raw: string;
  /** Milliseconds from the first byte written until the connection closed (or the client gave up). */
  ms: number;
  /** The server closed the connection (rather than the client giving up at `waitMs`). */
  closedByServer: boolean;
  /** Bytes the client managed to write before the connection closed. */
  written: number;
}

/** A piece of a request: bytes to write, or a pause (ms) before the next piece. */
export type Piece = string | Buffer | { pause: number };

/** When the client had read `bytes` bytes in all. */
interface Arrival {
  bytes: number;
  ms: number;
}

/** The end of a chunked body that starts at `at` (after its last chunk's trailer), and the body; undefined while incomplete. */
function chunkedBody(raw: Buffer, at: number): { end: number; body: Buffer } | undefined {
  const parts: Buffer[] = [];
  let pos = at;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', pos);
    if (lineEnd < 0) return undefined;
    const size = parseInt(raw.subarray(pos, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) {
      const trailerEnd = raw.indexOf('\r\n\r\n', lineEnd);
      return trailerEnd < 0 ? undefined : { end: trailerEnd + 4, body: Buffer.concat(parts) };
    }
    const dataEnd = lineEnd + 2 + size;
    if (dataEnd + 2 > raw.length) return undefined;
    parts.push(raw.subarray(lineEnd + 2, dataEnd));
    pos = dataEnd + 2;
  }
}

/** Splits what a server sent into answers (Content-Length framed, or chunked as a streamed or compressed one is). */
export function parseAnswers(raw: Buffer, arrivals: Arrival[] = []): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let at = 0;
  while (at < raw.length) {
    const headEnd = raw.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const [statusLine = '', ...lines] = raw.subarray(at, headEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
    let end: number;
    let body: Buffer;
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const chunked = chunkedBody(raw, headEnd + 4);
      if (!chunked) break;
      ({ end, body } = chunked);
    } else {
      // Without a Content-Length the body runs to the close (a status without a body, 1xx/204/304, has none).
      const bodyless = status < 200 || status === 204 || status === 304;
      const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : bodyless ? 0 : raw.length - headEnd - 4;
      end = headEnd + 4 + length;
      if (end > raw.length) break;
      body = raw.subarray(headEnd + 4, end);
    }
    const ms = arrivals.find((a) => a.bytes >= end)?.ms ?? Number.NaN;
    answers.push({ status, headers, body: body.toString('utf8'), ms });
    at = end;
  }
  return answers;
}

export interface ExchangeOptions {
  /** Give up after this long. */
  waitMs?: number;
  /** Stop once this many whole answers have arrived (default 1); `Infinity` reads until the server closes. */
  answers?: number;
}

/**
 * Writes the pieces on a new connection to 127.0.0.1:port and reads until `answers` whole answers
 * arrived, the server closes the connection, or `waitMs` passes; an answer saying `Connection: close`
 * is read until the close, so `closedByServer` tells whether the server kept its word. Pauses let a
 * test send slowly; writing stops once the connection is gone.
 */
export function exchange(port: number, pieces: Piece[], { waitMs = 10_000, answers: wanted = 1 }: ExchangeOptions = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const arrivals: Arrival[] = [];
    let received = 0;
    let written = 0;
    let closed = false;
    let closedByServer = false;
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      arrivals.push({ bytes: received, ms: performance.now() - started });
      const sofar = parseAnswers(Buffer.concat(chunks));
      if (sofar.length >= wanted && sofar.at(-1)?.headers.connection !== 'close') socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('end', () => (closedByServer = true));
    const giveUp = setTimeout(() => socket.destroy(), waitMs);
    socket.on('close', () => {
      closed = true;
      clearTimeout(giveUp);
      const raw = Buffer.concat(chunks);
      const answers = parseAnswers(raw, arrivals);
      resolve({ answers, raw: raw.toString('latin1'), ms: performance.now() - started, closedByServer, written });
    });
    socket.once('connect', async () => {
      for (const piece of pieces) {
        if (closed) break;
        if (typeof piece === 'object' && 'pause' in piece) {
          await new Promise((r) => setTimeout(r, piece.pause));
          continue;
        }
        const bytes = typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece;
        if (!socket.writable) break;
        const flushed = socket.write(bytes);
        written += bytes.length;
        if (!flushed) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
    });
  });
}

/** A request head, CRLF-terminated, with a Host unless `headers` says otherwise. */
export function head(requestLine: string, headers: Record<string, string | number> = {}): string {
  const all: Record<string, string | number> = { Host: '127.0.0.1', ...headers };
  return `${requestLine}\r\n${Object.entries(all)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** A POST /classify with a JSON body and its Content-Length. */
export function classifyRequest(body: string | Buffer, headers: Record<string, string | number> = {}): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([Buffer.from(head('POST /classify HTTP/1.1', { 'Content-Type': 'application/json', 'Content-Length': bytes.length, ...headers }), 'latin1'), bytes]);
}

/**
 * Polls GET /healthz back to back on its own keep-alive connection until stopped, and reports the
 * slowest answer: whether the event loop kept answering while something else was going on.
 */
export function watchHealthz(port: number): { stop(): Promise<{ count: number; maxMs: number; failures: number }> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let running = true;
  let count = 0;
  let failures = 0;
  let maxMs = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const ok = await new Promise<boolean>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        });
        req.on('error', () => resolve(false));
      });
      maxMs = Math.max(maxMs, performance.now() - started);
      count++;
      if (!ok) failures++;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      return { count, maxMs, failures };
    },
  };
}
