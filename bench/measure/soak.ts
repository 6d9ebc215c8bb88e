/**
 * Soak test (`npm run soak`, not in CI): the service as deployed (dist/src/server.js, the shipped
 * config on a free port) under a steady open-loop mix of good and hostile requests for N minutes,
 * its RSS and heap sampled every 10 s, and a verdict on whether memory keeps growing.
 *
 *   npm run soak -- --minutes 15 --rate 50            # prints the table
 *   npm run soak -- --minutes 15 --rate 50 --write    # also writes bench/SOAK.md
 *
 * The mix holds the shapes the hostile-client suite checks one by one (malformed JSON, too many
 * texts, unknown and repeated keys, gzip bombs, texts that expand under NFKC), so that a leak on an
 * error path shows here: each of them allocates and is refused many thousands of times.
 * `soak()` returns plain records; the CLI below prints and writes them.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { intArg, parseArgs } from '../../tools/cli-args';
import { percentile } from './load';
import { ROOT, ensureBuilt, httpGet, memoryOf, spawnService } from './servers';
import { makeBodies } from './texts';

/** One kind of request in the mix: what it sends and the status it must get. */
interface Kind {
  name: string;
  weight: number;
  expect: number;
  headers: Record<string, string>;
  bodies: Buffer[];
}

function kinds(): Kind[] {
  const json = { 'content-type': 'application/json' };
  const bodies = (list: string[]) => list.map((b) => Buffer.from(b));
  return [
    { name: 'one text', weight: 60, expect: 200, headers: json, bodies: bodies(makeBodies(500, 1, 1)) },
    { name: '16 texts', weight: 20, expect: 200, headers: json, bodies: bodies(makeBodies(100, 16, 2)) },
    { name: 'gzip, one text', weight: 2, expect: 200, headers: { ...json, 'content-encoding': 'gzip' }, bodies: makeBodies(50, 1, 3).map((b) => gzipSync(b)) },
    { name: 'malformed JSON', weight: 5, expect: 400, headers: json, bodies: makeBodies(50, 1, 4).map((b) => Buffer.from(b.slice(0, -3))) },
    { name: '1,000 texts', weight: 3, expect: 413, headers: json, bodies: bodies([JSON.stringify({ texts: Array(1000).fill('x') })]) },
    { name: '60 unknown keys', weight: 3, expect: 422, headers: json, bodies: bodies([JSON.stringify(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i])))]) },
    { name: 'a repeated key', weight: 3, expect: 422, headers: json, bodies: bodies(['{"text": "a", "text": "b"}']) },
    { name: 'gzip bomb', weight: 2, expect: 413, headers: { ...json, 'content-encoding': 'gzip' }, bodies: [gzipSync(Buffer.concat([Buffer.from('{"text":"x"'), Buffer.alloc(8 << 20, 0x20), Buffer.from('}')]))] },
    { name: 'NFKC expansion', weight: 2, expect: 413, headers: json, bodies: bodies([JSON.stringify({ text: '\ufdfa'.repeat(5000) })]) },
  ];
}

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  heapUsedMb?: number;
  /** Requests answered as expected / otherwise in the 10 s before the sample. */
  ok: number;
  unexpected: number;
}

export interface SoakResult {
  minutes: number;
  rate: number;
  samples: SoakSample[];
  /** By kind: requests sent, answered with the expected status, and what else came back. */
  byKind: Array<{ name: string; sent: number; expected: number; other: Record<string, number> }>;
  /** Latency of the 200s, ms (from the time a request was due). */
  okLatency: { p50: number; p99: number; max: number };
  growth: GrowthVerdict;
}

export interface GrowthVerdict {
  /** RSS trend after the warm-up (least squares), MB per hour. */
  slopeMbPerHour: number;
  /** Mean RSS of the last third of the samples after warm-up minus that of the first third, MB. */
  thirdsMb: number;
  /** The highest RSS of the last third minus the highest before it (after warm-up), MB: a leak keeps setting new highs. */
  newHighMb: number;
  verdict: 'stable' | 'growing';
  /** The slope at or above which the verdict is 'growing' (with thirdsMb over 2 MB and newHighMb over 1 MB). */
  limitMbPerHour: number;
}

/**
 * The verdict on a series of RSS samples: ignore the warm-up (the first half of the run, at most
 * 5 minutes: JIT, caches, pools and native arenas filling; the service's RSS rose for ~4 minutes
 * and then held flat in a 12-minute run), fit a line to the rest; 'growing' when it rises at least
 * `limitMbPerHour`, the last third sits more than 2 MB over the first, and the last third sets a new
 * high (more than 1 MB over the highest before it). The last condition keeps an allocator that gives
 * memory back and fills it again to its old plateau from reading as a leak (seen in a 14-minute run).
 * Runs shorter than ~10 minutes judge the warm-up itself.
 */
export function growthVerdict(samples: ReadonlyArray<{ t: number; rssMb: number }>, limitMbPerHour: number): GrowthVerdict {
  const end = samples.at(-1)?.t ?? 0;
  const warm = samples.filter((s) => s.t >= Math.min(300, end / 2));
  const n = warm.length;
  let slope = 0;
  let thirds = 0;
  let newHigh = 0;
  if (n >= 3) {
    const mt = warm.reduce((a, s) => a + s.t, 0) / n;
    const mr = warm.reduce((a, s) => a + s.rssMb, 0) / n;
    const cov = warm.reduce((a, s) => a + (s.t - mt) * (s.rssMb - mr), 0);
    const vt = warm.reduce((a, s) => a + (s.t - mt) ** 2, 0);
    slope = vt > 0 ? (cov / vt) * 3600 : 0;
    const k = Math.max(1, Math.floor(n / 3));
    const mean = (xs: ReadonlyArray<{ rssMb: number }>) => xs.reduce((a, s) => a + s.rssMb, 0) / xs.length;
    thirds = mean(warm.slice(-k)) - mean(warm.slice(0, k));
    const highest = (xs: ReadonlyArray<{ rssMb: number }>) => Math.max(...xs.map((x) => x.rssMb));
    newHigh = highest(warm.slice(-k)) - highest(warm.slice(0, n - k));
  }
  const growing = slope >= limitMbPerHour && thirds > 2 && newHigh > 1;
  return { slopeMbPerHour: slope, thirdsMb: thirds, newHighMb: newHigh, verdict: growing ? 'growing' : 'stable', limitMbPerHour };
}

const SAMPLE_EVERY_S = 10;

/** V8 heap used, bytes: the sum over heap spaces of v8js_memory_heap_used on /metrics. */
async function heapUsed(url: string): Promise<number | undefined> {
  const { status, body } = await httpGet(`${url}/metrics`);
  if (status !== 200) return undefined;
  const lines = body.split('\n').filter((l) => l.startsWith('v8js_memory_heap_used{'));
  return lines.length === 0 ? undefined : lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

export async function soak(opts: { minutes: number; rate: number; limitMbPerHour: number; log: (s: string) => void }): Promise<SoakResult> {
  ensureBuilt(opts.log);
  const service = await spawnService({
    name: 'soak',
    workDir: path.join(os.tmpdir(), 'moderator-soak'),
    // The shipped defaults, as deployed (telemetry and request logging on); model path made absolute.
    config: { classifier: { model_path: path.join(ROOT, 'models/default') }, metrics: { reporters: ['prometheus'] } },
  });
  const mix = kinds();
  const totalWeight = mix.reduce((a, k) => a + k.weight, 0);
  const counts = mix.map((k) => ({ name: k.name, sent: 0, expected: 0, other: {} as Record<string, number> }));
  const okLatencies: number[] = [];
  const samples: SoakSample[] = [];
  let windowOk = 0;
  let windowUnexpected = 0;
  const pool = new Pool(service.url, { connections: 32, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const started = process.hrtime.bigint();
  const elapsedS = () => Number(process.hrtime.bigint() - started) / 1e9;
  const sample = async () => {
    const heap = await heapUsed(service.url).catch(() => undefined);
    samples.push({ t: Math.round(elapsedS()), rssMb: memoryOf(service.pid).rssMb, heapUsedMb: heap === undefined ? undefined : heap / 2 ** 20, ok: windowOk, unexpected: windowUnexpected });
    const s = samples.at(-1)!;
    opts.log(`t=${s.t}s rss=${s.rssMb.toFixed(1)} MB heap=${s.heapUsedMb?.toFixed(1) ?? '-'} MB ok=${s.ok} unexpected=${s.unexpected}`);
    windowOk = 0;
    windowUnexpected = 0;
  };
  const send = (kind: Kind, index: number, body: Buffer, due: number) => {
    counts[index]!.sent++;
    let status = 0;
    pool.dispatch(
      { path: '/classify', method: 'POST', headers: kind.headers, body },
      {
        onConnect: () => {},
        onHeaders: (code) => {
          status = code;
          return true;
        },
        onData: () => true,
        onComplete: () => done(),
        onError: () => done(),
      },
    );
    const done = () => {
      const c = counts[index]!;
      if (status === kind.expect) {
        c.expected++;
        windowOk++;
        if (status === 200) okLatencies.push(elapsedS() * 1000 - due);
      } else {
        const key = status === 0 ? 'error' : String(status);
        c.other[key] = (c.other[key] ?? 0) + 1;
        windowUnexpected++;
      }
    };
  };
  try {
    await sample();
    const total = Math.round(opts.rate * opts.minutes * 60);
    let nextSample = SAMPLE_EVERY_S;
    let issued = 0;
    let pick = 0;
    while (issued < total) {
      const now = elapsedS();
      while (issued < total && issued / opts.rate <= now) {
        // A fixed interleaving of the mix (weights out of totalWeight), deterministic from run to run.
        pick = (pick + 37) % totalWeight;
        let at = pick;
        let index = 0;
        while (at >= mix[index]!.weight) at -= mix[index++]!.weight;
        const kind = mix[index]!;
        send(kind, index, kind.bodies[issued % kind.bodies.length]!, (issued / opts.rate) * 1000);
        issued++;
      }
      if (now >= nextSample) {
        nextSample += SAMPLE_EVERY_S;
        await sample();
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await sample();
  } finally {
    await pool.close().catch(() => undefined);
    await service.stop();
  }
  const sorted = Float64Array.from(okLatencies).sort();
  return {
    minutes: opts.minutes,
    rate: opts.rate,
    samples,
    byKind: counts,
    okLatency: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN },
    growth: growthVerdict(samples, opts.limitMbPerHour),
  };
}

export function soakMarkdown(r: SoakResult, when: Date): string {
  const f = (x: number | undefined, d = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
  const L = [
    '# Soak result',
    '',
    `Written by \`npm run soak -- --minutes ${r.minutes} --rate ${r.rate} --write\` (bench/measure/soak.ts) on ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC,`,
    `${os.cpus().length} cores. The service as deployed (dist/, shipped defaults, telemetry and request logging on) under an`,
    'open-loop mix of good and hostile requests; RSS from /proc, heap from its /metrics, every 10 s.',
    '',
    '## Verdict',
    '',
    '| verdict | RSS trend after warm-up | last third − first third | high of the last third − high before it | growing at |',
    '|---|---|---|---|---|',
    `| **${r.growth.verdict}** | ${f(r.growth.slopeMbPerHour)} MB/h | ${f(r.growth.thirdsMb)} MB | ${f(r.growth.newHighMb)} MB | ≥ ${r.growth.limitMbPerHour} MB/h |`,
    '',
    '## Requests',
    '',
    '| kind | sent | answered as expected | other answers |',
    '|---|---|---|---|',
    ...r.byKind.map((k) => `| ${k.name} | ${k.sent} | ${k.expected} | ${Object.entries(k.other).map(([s, n]) => `${s}: ${n}`).join(', ') || '—'} |`),
    '',
    `200s: p50 ${f(r.okLatency.p50)} ms, p99 ${f(r.okLatency.p99)} ms, max ${f(r.okLatency.max)} ms (from the time each request was due).`,
    '',
    '## Samples',
    '',
    '| t (s) | RSS (MB) | heap used (MB) | as expected (10 s) | other (10 s) |',
    '|---|---|---|---|---|',
    ...r.samples.map((s) => `| ${s.t} | ${f(s.rssMb)} | ${f(s.heapUsedMb)} | ${s.ok} | ${s.unexpected} |`),
    '',
  ];
  return L.join('\n');
}

async function main(): Promise<void> {
  const { values, flags } = parseArgs(
    process.argv.slice(2),
    {
      values: { minutes: 'minutes of load (default 15; the first half, at most 5, is warm-up)', rate: 'requests per second (default 50)', 'max-growth': 'MB/h of RSS growth that makes the verdict "growing" (default 20)' },
      flags: { write: 'write bench/SOAK.md' },
    },
    'npm run soak -- [--minutes N] [--rate R] [--max-growth MB_PER_HOUR] [--write]',
  );
  const minutes = intArg(values, 'minutes', 1) ?? 15;
  const rate = intArg(values, 'rate', 1) ?? 50;
  const limit = intArg(values, 'max-growth', 1) ?? 20;
  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(`soak: ${minutes} min at ${rate} req/s`);
  const result = await soak({ minutes, rate, limitMbPerHour: limit, log });
  const md = soakMarkdown(result, new Date());
  log(md);
  if (flags.has('write')) writeFileSync(path.join(ROOT, 'bench/SOAK.md'), md);
  if (result.growth.verdict !== 'stable') process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`soak: ${(err as Error).message}\n`);
    process.exit(2);
  });
}
