/**
 * The CPU cost of response compression (`compression.*` in app_conf.yml), in two parts:
 *  - zlib: each encoding and level on the service's real answers (a 64-text /classify answer, a
 *    single-text one, a /metrics exposition): CPU per body and the size it comes to;
 *  - server: the service process (dist/src/server.js, telemetry off) answering 64-text requests to
 *    clients asking for identity, gzip or br, in interleaved rounds: process CPU per request
 *    (main thread, zlib's threads and the inference worker together) and its ratio to identity.
 * `compressionCost()` returns plain records; `npm run bench` records them beside its other measurements,
 * and the CLI prints them as tables.
 *   npm run bench:compression [-- --requests 300 --rounds 3 --concurrency 8]
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { request as undiciRequest, Agent } from 'undici';
import { parseArgs, intArg } from '../../tools/cli-args';
import { cpuTimes, ensureBuilt, httpGet, spawnService, ROOT } from './servers';
import { makeBodies } from './texts';

export interface ZlibRecord {
  part: 'zlib';
  body: string;
  bytes: number;
  encoding: string;
  compressedBytes: number;
  /** CPU per body, µs: the least disturbed of 5 runs, and the most. */
  cpuUs: number;
  cpuUsMax: number;
}

export interface ServerRecord {
  part: 'server';
  encoding: 'identity' | 'gzip' | 'br';
  requests: number;
  responseBytes: number;
  /** Process CPU per request, ms: median, min and max over the rounds. */
  cpuMsPerRequest: number;
  cpuMsMin: number;
  cpuMsMax: number;
  /** Median CPU per request over identity's. */
  ratioToIdentity: number;
}

export interface CompressionOptions {
  requests: number;
  rounds: number;
  concurrency: number;
  log?: (line: string) => void;
}

const ENCODINGS: Array<{ name: string; compress: (b: Buffer) => Buffer }> = [
  { name: 'gzip level 1', compress: (b) => gzipSync(b, { level: 1 }) },
  { name: 'gzip level 6 (default)', compress: (b) => gzipSync(b, { level: 6 }) },
  { name: 'gzip level 9', compress: (b) => gzipSync(b, { level: 9 }) },
  { name: 'br quality 1', compress: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }) },
  { name: 'br quality 4 (default)', compress: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }) },
  { name: 'br quality 11', compress: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }) },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function zlibRecords(bodies: Record<string, Buffer>): ZlibRecord[] {
  const out: ZlibRecord[] = [];
  // Warm-up: the first calls of each codec pay for allocation and JIT, which would land on whichever is measured first.
  for (const bytes of Object.values(bodies)) for (const { compress } of ENCODINGS.filter((e) => !e.name.includes('11'))) for (let i = 0; i < 50; i++) compress(bytes);
  for (const [body, bytes] of Object.entries(bodies)) {
    for (const { name, compress } of ENCODINGS) {
      const compressed = compress(bytes);
      const runs: number[] = [];
      for (let run = 0; run < 5; run++) {
        // At least 20 ms of CPU a run, so the clock's resolution does not matter.
        const start = cpuMicros();
        let reps = 0;
        while (reps < 3 || cpuMicros() - start < 20_000) {
          compress(bytes);
          reps++;
        }
        runs.push((cpuMicros() - start) / reps);
      }
      out.push({ part: 'zlib', body, bytes: bytes.length, encoding: name, compressedBytes: compressed.length, cpuUs: Math.min(...runs), cpuUsMax: Math.max(...runs) });
    }
  }
  return out;
}

async function load(url: string, bodies: string[], encoding: string, concurrency: number, dispatcher: Agent): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await undiciRequest(`${url}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-encoding': encoding },
        body,
        dispatcher,
      });
      const got = Buffer.from(await res.body.arrayBuffer());
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      bytes = got.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return bytes;
}

export type CompressionRecord = ZlibRecord | ServerRecord;

export async function compressionCost(options: CompressionOptions): Promise<CompressionRecord[]> {
  const log = options.log ?? (() => undefined);
  ensureBuilt(log);
  const workDir = path.join(os.tmpdir(), `moderator-bench-compression-${process.pid}`);
  const service = await spawnService({
    name: 'compression',
    workDir,
    config: {
      classifier: { model_path: path.join(ROOT, 'models/default'), workers: 1 },
      metrics: { reporters: [] },
      logging: { level: 'warn' },
      compression: { enabled: true },
    },
  });
  const dispatcher = new Agent({ connections: options.concurrency });
  try {
    const bodies = makeBodies(options.requests, 64, 7);
    const one = await undiciRequest(`${service.url}/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[0]!, dispatcher });
    const batchAnswer = Buffer.from(await one.body.arrayBuffer());
    const single = await undiciRequest(`${service.url}/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: makeBodies(1, 1, 3)[0]!, dispatcher });
    const singleAnswer = Buffer.from(await single.body.arrayBuffer());
    const records: Array<ZlibRecord | ServerRecord> = [];

    const modes = ['identity', 'gzip', 'br'] as const;
    const perMode = new Map<string, number[]>(modes.map((m) => [m, []]));
    const sizes = new Map<string, number>();
    await load(service.url, bodies.slice(0, 50), 'identity', options.concurrency, dispatcher); // warm-up
    for (let round = 0; round < options.rounds; round++) {
      for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
        const before = cpuTimes(service.pid).processMs;
        sizes.set(mode, await load(service.url, bodies, mode, options.concurrency, dispatcher));
        perMode.get(mode)!.push((cpuTimes(service.pid).processMs - before) / bodies.length);
        log(`round ${round + 1}/${options.rounds} ${mode}: ${perMode.get(mode)!.at(-1)!.toFixed(3)} ms CPU per request`);
      }
    }
    const identity = median(perMode.get('identity')!);
    for (const mode of modes) {
      const runs = perMode.get(mode)!;
      records.push({
        part: 'server',
        encoding: mode,
        requests: bodies.length,
        responseBytes: sizes.get(mode)!,
        cpuMsPerRequest: median(runs),
        cpuMsMin: Math.min(...runs),
        cpuMsMax: Math.max(...runs),
        ratioToIdentity: median(runs) / identity,
      });
    }
    await dispatcher.destroy();
    await service.stop();
    // A /metrics exposition of the same service with telemetry on, as Prometheus scrapes it.
    const metricsText = Buffer.from((await metricsExposition()).body);
    log('zlib on the real bodies ...');
    return [...zlibRecords({ '64-text answer': batchAnswer, 'single-text answer': singleAnswer, '/metrics': metricsText }), ...records];
  } finally {
    if (!dispatcher.destroyed) await dispatcher.destroy();
    await service.stop();
  }
}

/** A /metrics body from a service with the Prometheus reporter on (started and stopped here). */
async function metricsExposition(): Promise<{ body: string }> {
  const service = await spawnService({
    name: 'compression-metrics',
    workDir: path.join(os.tmpdir(), `moderator-bench-compression-${process.pid}`),
    config: { classifier: { model_path: path.join(ROOT, 'models/default'), workers: 1 }, metrics: { reporters: ['prometheus'] }, logging: { level: 'warn' } },
  });
  try {
    await undiciRequest(`${service.url}/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: makeBodies(1, 8, 5)[0]! }).then((r) => r.body.dump());
    return await httpGet(`${service.url}/metrics`);
  } finally {
    await service.stop();
  }
}

/** The records as two markdown tables: zlib alone on the service's answers, and the server process. */
export function compressionTables(records: readonly CompressionRecord[]): string {
  const zlib = records.filter((r): r is ZlibRecord => r.part === 'zlib');
  const server = records.filter((r): r is ServerRecord => r.part === 'server');
  const lines = [
    '| body | bytes | encoding | compressed bytes | size | CPU per body (µs), min [max] of 5 runs |',
    '|---|---:|---|---:|---:|---:|',
    ...zlib.map(
      (r) => `| ${r.body} | ${r.bytes} | ${r.encoding} | ${r.compressedBytes} | ${((100 * r.compressedBytes) / r.bytes).toFixed(0)}% | ${r.cpuUs.toFixed(1)} [${r.cpuUsMax.toFixed(1)}] |`,
    ),
    '',
    '| Accept-Encoding | requests per round | answer bytes | process CPU per request (ms), median [min, max] | vs identity |',
    '|---|---:|---:|---|---:|',
    ...server.map(
      (r) =>
        `| ${r.encoding} | ${r.requests} | ${r.responseBytes} | ${r.cpuMsPerRequest.toFixed(3)} [${r.cpuMsMin.toFixed(3)}, ${r.cpuMsMax.toFixed(3)}] | ${r.ratioToIdentity.toFixed(2)}× |`,
    ),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const { values } = parseArgs(
    process.argv.slice(2),
    { values: { requests: '64-text requests per mode and round (default 300)', rounds: 'rounds of identity, gzip, br (default 3)', concurrency: 'connections (default 8)' } },
    'npm run bench:compression -- [options]',
  );
  compressionCost({
    requests: intArg(values, 'requests', 10) ?? 300,
    rounds: intArg(values, 'rounds', 1) ?? 3,
    concurrency: intArg(values, 'concurrency', 1) ?? 8,
    log: (line) => process.stderr.write(`${line}\n`),
  })
    .then((records) => process.stdout.write(`${compressionTables(records)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`bench:compression: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    });
}
