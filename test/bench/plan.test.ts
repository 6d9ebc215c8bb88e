import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMeasurements, writeMeasurements } from '../../bench/measurements';
import { parseOptions } from '../../bench/options';
import { halfLoad, plan, sameScenario, scenarioName, SERVERS, topConns, type Scenario } from '../../bench/plan';
import { fixture } from './fixture';

describe('bench options', () => {
  const root = '/repo';

  it('writes bench/RESULTS.md with measurements.json and flames/ beside it by default', () => {
    const o = parseOptions([], root, {});
    expect(o).toMatchObject({
      smoke: false,
      render: false,
      reps: 3,
      seconds: 4,
      conns: [1, 16, 64],
      modelDir: '/repo/models/default',
      out: '/repo/bench/RESULTS.md',
      measurements: '/repo/bench/measurements.json',
      flamesDir: '/repo/bench/flames',
    });
  });

  it('puts the measurements and flames of any other report beside it, under its name', () => {
    const o = parseOptions(['--out', '/tmp/x/cand.md', '--render', '--conns', '2,4'], root, { BENCH_MODEL: '/models/b' });
    expect(o).toMatchObject({ render: true, conns: [2, 4], modelDir: '/models/b', measurements: '/tmp/x/cand.measurements.json', flamesDir: '/tmp/x/cand-flames' });
    expect(parseOptions(['--out', '/tmp/x/cand.md', '--json', '/tmp/m.json'], root, {}).measurements).toBe('/tmp/m.json');
  });

  it('refuses a bad option, naming it', () => {
    expect(() => parseOptions(['--reps', '0'], root, {})).toThrow('--reps must be an integer of at least 1');
    expect(() => parseOptions(['--warmup', '1'], root, {})).toThrow('unknown option --warmup');
  });
});

describe('bench plan', () => {
  const p = plan({ smoke: false, reps: 3, conns: [1, 16, 64], batchSize: 64, profile: true });
  const all: Scenario[] = [...SERVERS.flatMap((s) => p.sessions[s]), ...p.floors.flatMap((f) => f.scenarios)];

  it('plans every scenario once, each with its own name', () => {
    for (const [i, a] of all.entries()) expect(all.filter((b, j) => j !== i && sameScenario(a, b)).map(scenarioName)).toEqual([]);
    expect(new Set(all.map(scenarioName)).size).toBe(all.length);
    expect(all).toHaveLength(4 + 1 + 2 * 9 + 1 + 6); // hello-world, its twin, the service off / on, cache hits, floors
  });

  it('runs the closed loops of a session before the runs whose rate is half of their best', () => {
    for (const server of SERVERS) {
      const kinds = p.sessions[server].map((sc) => sc.load.kind);
      const closedFirst = [...kinds].sort((a, b) => Number(a !== 'closed') - Number(b !== 'closed'));
      expect(kinds).toEqual(closedFirst);
    }
  });

  it('paces each floor at the rate of a half-load run the service sessions have', () => {
    const halves = SERVERS.flatMap((s) => p.sessions[s]).filter((sc) => sc.load.kind === 'paced');
    for (const sc of p.floors.flatMap((f) => f.scenarios)) {
      if (sc.load.kind !== 'paced' || sc.load.rate.kind !== 'floor') throw new Error(`${scenarioName(sc)} is not a floor`);
      const of = halfLoad(sc.load.rate.server, sc.load.rate.body, topConns([1, 16, 64]));
      expect(halves.some((h) => sameScenario(h, of))).toBe(true);
    }
  });

  it('profiles one scenario in a smoke run and none without profiles', () => {
    expect(plan({ smoke: true, reps: 1, conns: [1, 16, 64], batchSize: 64, profile: true }).profiles.map((x) => scenarioName(x.scenario))).toEqual(['on/single/c64']);
    expect(plan({ smoke: false, reps: 1, conns: [1, 16, 64], batchSize: 64, profile: false }).profiles).toEqual([]);
    expect(p.profiles.map((x) => scenarioName(x.scenario))).toEqual(['on/single/c64', 'off/single/c64', 'off/batch/c16']);
  });
});

describe('bench measurements file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-measurements-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what it wrote', () => {
    const file = path.join(dir, 'm.json');
    const m = fixture();
    writeMeasurements(file, m);
    expect(readMeasurements(file)).toEqual(JSON.parse(JSON.stringify(m)));
  });

  it('names the file and what is wrong with it', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 1, info: {}, runs: {}, starts: [], inprocess: [], modelFloors: [], profiles: [], problems: [] }));
    expect(() => readMeasurements(bad)).toThrow(`${bad}: "runs" must be an array`);
    writeFileSync(bad, '{"results": []}');
    expect(() => readMeasurements(bad)).toThrow(`${bad}: not bench measurements of format 1 (format: undefined)`);
    expect(() => readMeasurements(path.join(dir, 'missing.json'))).toThrow(`cannot read measurements from ${path.join(dir, 'missing.json')}`);
  });
});
