import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

interface SmokeReport {
  smoke: boolean;
  scenarios: Array<{ id: string; rps: number; tps: number; failed: number; n: number; mainWait: number; othersWait: number; clientWait: number; loopP99: number | null }>;
  inprocess: Array<{ batch: number; textsPerSec: number }>;
  modelFloor: Array<{ server: string; batch?: number; runs?: number; p99Ms?: number; computeUs?: number }>;
  sessions: Array<{ server: string; coldStartMs: number; idleRssMb: number }>;
  profiles: Array<{ id: string; rps: number; busyMs: number }>;
  targets: Array<{ name: string; value: string; met: boolean; bound: string }>;
  problems: string[];
}

/** Every scenario of `npm run bench` must run (no timing thresholds: CI machines are noisy). */
describe('npm run bench -- --smoke', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-test-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    // On a timeout, stop the bench (it stops its servers on SIGTERM).
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every scenario once, each with throughput, and exits 0', async () => {
    const json = path.join(dir, 'smoke.json');
    const out = path.join(dir, 'smoke.md');
    const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--quiet', '--json', json, '--out', out], {
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

    const report = JSON.parse(readFileSync(json, 'utf8')) as SmokeReport;
    expect(report.smoke).toBe(true);
    expect(report.problems).toEqual([]);
    const ids = report.scenarios.map((s) => s.id).sort();
    const expected = [
      ...['c1', 'c16', 'c64'].map((c) => `hello/hello/${c}`),
      'hello/echo/c64',
      'helloApp/hello/c64',
      'hello/floor-off',
      'hello/floor-on',
      'hello/floor-batch-off',
      'hello/floor-batch-on',
      'helloApp/floor-off',
      'helloApp/floor-on',
      ...['off', 'on'].flatMap((t) => [
        ...['c1', 'c16', 'c64'].flatMap((c) => [`${t}/single/${c}`, `${t}/batch/${c}`]),
        `${t}/single/paced`,
        `${t}/batch/paced`,
        `${t}/single/rate`,
      ]),
      'cache/cached/c64',
    ].sort();
    expect(ids).toEqual(expected);
    for (const s of report.scenarios) {
      expect({ id: s.id, positive: s.rps > 0 && s.tps > 0, failed: s.failed }).toEqual({ id: s.id, positive: true, failed: 0 });
      // Run-queue waits from schedstat: the server's threads and the load generator's, each measured.
      const waits = [s.mainWait, s.othersWait, s.clientWait];
      expect({ id: s.id, measured: waits.every((w) => Number.isFinite(w) && w >= 0) }).toEqual({ id: s.id, measured: true });
      // Event-loop delay comes from the service's own runtime metrics: every telemetry-on run has it.
      if (s.id.startsWith('on/')) expect({ id: s.id, loopP99: typeof s.loopP99 === 'number' && s.loopP99 >= 0 }).toEqual({ id: s.id, loopP99: true });
    }
    expect(report.inprocess.map((x) => x.batch)).toEqual([64, 1]);
    for (const x of report.inprocess) expect(x.textsPerSec).toBeGreaterThan(0);
    // The batch latency floor: the model alone, paced at each batch half-load rate.
    expect(report.modelFloor.map((f) => ({ server: f.server, batch: f.batch }))).toEqual([
      { server: 'off', batch: 64 },
      { server: 'on', batch: 64 },
    ]);
    for (const f of report.modelFloor) {
      expect(f.runs).toBeGreaterThan(0);
      expect(f.p99Ms).toBeGreaterThan(0);
      expect(f.computeUs).toBeGreaterThan(0);
    }
    expect(new Set(report.sessions.map((s) => s.server))).toEqual(new Set(['hello', 'helloApp', 'off', 'on', 'cache']));
    for (const s of report.sessions) {
      expect(s.coldStartMs).toBeGreaterThan(0);
      expect(s.idleRssMb).toBeGreaterThan(0);
    }
    expect(report.profiles.length).toBeGreaterThan(0);
    for (const p of report.profiles) expect(p.busyMs).toBeGreaterThan(0);
    expect(report.targets.length).toBeGreaterThanOrEqual(10);
    // Every target says what bounds it, with numbers from the run (none missing: no NaN, no '–').
    for (const t of report.targets) {
      expect({ name: t.name, bound: t.bound }).toEqual({ name: t.name, bound: expect.stringMatching(/\d/) });
      expect({ name: t.name, placeholder: /NaN|–(?!\d)/.test(t.bound) }).toEqual({ name: t.name, placeholder: false });
    }
    // The smoke run writes its report where it was told, never over bench/RESULTS.md.
    const markdown = readFileSync(out, 'utf8');
    expect(markdown).toContain('SMOKE RUN');
    // The report names what bounds each missed target (smoke timings miss some or all of them).
    for (const t of report.targets.filter((x) => !x.met)) expect(markdown).toContain(`- **${t.name}**: ${t.bound}`);
    // Each profile has flame graphs beside the report, linked from it: the main thread's and the inference worker's.
    const flames = [...new Set([...markdown.matchAll(/\]\(([^)]+\.svg)\)/g)].map((m) => m[1]!))];
    expect(flames.length).toBe(2 * report.profiles.length);
    expect(flames.filter((f) => f.endsWith('-worker.svg')).length).toBe(report.profiles.length);
    for (const flame of flames) {
      const svg = readFileSync(path.join(dir, flame), 'utf8');
      expect(svg.startsWith('<svg ')).toBe(true);
      expect(svg).toMatch(/<title>all: [\d.]+ ms, 100\.0%<\/title>/);
    }
  }, 120_000);
});
