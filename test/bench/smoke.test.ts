import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMeasurements } from '../../bench/measurements';
import { scenarioName } from '../../bench/plan';
import { renderMarkdown } from '../../bench/report/markdown';
import { summarise } from '../../bench/summary/summarise';

const ROOT = path.resolve(__dirname, '../..');

/** Every scenario of `npm run bench` must run (no timing thresholds: CI machines are noisy). */
describe('npm run bench -- --smoke', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-test-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    // On a timeout, stop the bench (it stops its servers on SIGTERM).
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every scenario once, each with throughput, writes its measurements beside the report and exits 0', async () => {
    const out = path.join(dir, 'smoke.md');
    const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--quiet', '--out', out], {
      cwd: ROOT,
      env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', SCARF_ANALYTICS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.stdout.resume();
    const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

    const m = readMeasurements(path.join(dir, 'smoke.measurements.json'));
    expect(m.info.smoke).toBe(true);
    expect(m.problems).toEqual([]);
    const names = m.runs.map((r) => scenarioName(r.scenario)).sort();
    const expected = [
      ...['c1', 'c16', 'c64'].map((c) => `hello/hello/${c}`),
      'hello/echo/c64',
      'helloApp/hello/c64',
      'hello/hello/paced@off-single',
      'hello/hello/paced@on-single',
      'hello/echoBatch/paced@off-batch',
      'hello/echoBatch/paced@on-batch',
      'helloApp/hello/paced@off-single',
      'helloApp/hello/paced@on-single',
      ...['off', 'on'].flatMap((t) => [
        ...['c1', 'c16', 'c64'].flatMap((c) => [`${t}/single/${c}`, `${t}/batch/${c}`]),
        `${t}/single/paced`,
        `${t}/batch/paced`,
        `${t}/single/rate`,
      ]),
      'cache/cached/c64',
    ].sort();
    expect(names).toEqual(expected);
    for (const { scenario, result: r } of m.runs) {
      const name = scenarioName(scenario);
      expect({ name, positive: r.rps > 0 && r.tps > 0, failed: r.failed }).toEqual({ name, positive: true, failed: 0 });
      // Run-queue waits from schedstat: the server's threads and the load generator's, each measured.
      const waits = [r.mainWaitMsPerS, r.othersWaitMsPerS, r.clientWaitMsPerS];
      expect({ name, measured: waits.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0) }).toEqual({ name, measured: true });
      // Event-loop delay comes from the service's own runtime metrics: every telemetry-on run has it.
      if (scenario.server === 'on') expect({ name, loopP99: (r.loopDelayMs?.p99 ?? -1) >= 0 }).toEqual({ name, loopP99: true });
    }
    expect(m.inprocess.flatMap((x) => x.results.map((r) => r.batch))).toEqual([64, 1]);
    for (const x of m.inprocess[0]!.results) expect(x.textsPerSec).toBeGreaterThan(0);
    // The batch latency floor: the model alone, paced at each batch half-load rate.
    expect(m.modelFloors.map((f) => ({ of: f.of, batch: f.paced.batch }))).toEqual([
      { of: 'off', batch: 64 },
      { of: 'on', batch: 64 },
    ]);
    for (const { paced } of m.modelFloors) {
      expect(paced.runs).toBeGreaterThan(0);
      expect(paced.p99Ms).toBeGreaterThan(0);
      expect(paced.computeUs).toBeGreaterThan(0);
    }
    expect(new Set(m.starts.map((s) => s.server))).toEqual(new Set(['hello', 'helloApp', 'off', 'on', 'cache']));
    for (const s of m.starts) {
      expect(s.coldStartMs).toBeGreaterThan(0);
      expect(s.idleRssMb).toBeGreaterThan(0);
    }
    expect(m.profiles.length).toBe(1);
    for (const p of m.profiles) expect(p.main.summary.busyMs).toBeGreaterThan(0);

    // Every target has a value and the figures of the run that bound it (none missing: no NaN).
    const summary = summarise(m);
    expect(summary.targets.length).toBe(12);
    for (const t of summary.targets) {
      const figures = [t.measured, ...t.bounds].map((f) => f.value);
      expect({ name: t.name, bounds: t.bounds.length > 0, finite: figures.every(Number.isFinite) }).toEqual({ name: t.name, bounds: true, finite: true });
    }
    // The models beside each other (issue 18) and the cost of compression (issue 20) are measured in the same run.
    expect((m.models ?? []).map((r) => `${r.model}@${r.batch}`)).toEqual(['embedded@1', 'embedded@64', 'tiny-distilbert@1', 'tiny-distilbert@64']);
    for (const r of m.models ?? []) expect({ model: r.model, served: r.requests > 0 && r.textsPerSecond > 0 }).toEqual({ model: r.model, served: true });
    expect(m.models?.find((r) => r.model === 'tiny-distilbert')?.meanTokens).toBeGreaterThan(0);
    const servers = (m.compression ?? []).filter((r) => r.part === 'server');
    expect(servers.map((r) => r.encoding)).toEqual(['identity', 'gzip', 'br']);
    // Compressed answers are smaller: the server really compressed what it was asked to.
    expect(servers[1]!.responseBytes).toBeLessThan(servers[0]!.responseBytes);
    expect(servers[2]!.responseBytes).toBeLessThan(servers[0]!.responseBytes);
    // The smoke run writes its report where it was told (never over bench/RESULTS.md), and it is what its measurements render to.
    const markdown = readFileSync(out, 'utf8');
    expect(markdown).toContain('SMOKE RUN');
    expect(markdown).toBe(renderMarkdown(m, summary));
    expect(markdown).toContain('## The embedded model beside transformers');
    expect(markdown).toContain('## Response compression: CPU cost');
    // Each profile has flame graphs beside the report, linked from it: the main thread's and the inference worker's.
    const flames = [...new Set([...markdown.matchAll(/\]\(([^)]+\.svg)\)/g)].map((x) => x[1]!))];
    expect(flames.sort()).toEqual(['smoke-flames/on-single-c64-worker.svg', 'smoke-flames/on-single-c64.svg']);
    for (const flame of flames) {
      const svg = readFileSync(path.join(dir, flame), 'utf8');
      expect(svg.startsWith('<svg ')).toBe(true);
      expect(svg).toMatch(/<title>all: [\d.]+ ms, 100\.0%<\/title>/);
    }
  }, 240_000);
});
