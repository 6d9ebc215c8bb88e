/**
 * The bench's command line. Every option is declared (tools/cli-args.ts): an unknown one or a bad value
 * stops the bench before it starts a server, naming the option.
 */
import os from 'node:os';
import path from 'node:path';
import { intArg, intListArg, parseArgs, positiveArg } from '../tools/cli-args';

export interface Options {
  smoke: boolean;
  /** Re-render the report from the measurements file; no load, no servers. */
  render: boolean;
  reps: number;
  seconds: number;
  warmupSeconds: number;
  conns: number[];
  batchSize: number;
  modelDir: string;
  /** The report (Markdown). */
  out: string;
  /** The raw measurements (JSON) the report is rendered from. */
  measurements: string;
  /** Where the flame graphs go, beside the report. */
  flamesDir: string;
  profile: boolean;
  quiet: boolean;
  /** Service entry to run instead of dist/src/server.js (a candidate build). */
  entry?: string;
}

/**
 * Files beside a report: bench/RESULTS.md has bench/measurements.json and bench/flames/; any other
 * `<name>.md` has `<name>.measurements.json` and `<name>-flames/`.
 */
export function besideReport(out: string): { measurements: string; flamesDir: string } {
  const dir = path.dirname(out);
  const name = path.basename(out, '.md');
  const results = path.basename(out) === 'RESULTS.md';
  return {
    measurements: path.join(dir, results ? 'measurements.json' : `${name}.measurements.json`),
    flamesDir: path.join(dir, results ? 'flames' : `${name}-flames`),
  };
}

/** Parses the command line (throws naming the bad option). `root` is the repository, for the defaults. */
export function parseOptions(argv: string[], root: string, env: NodeJS.ProcessEnv = process.env): Options {
  const { values, flags } = parseArgs(
    argv,
    {
      values: {
        reps: 'repetitions of every scenario (default 3; smoke 1)',
        seconds: 'seconds per scenario (default 4; smoke 1)',
        conns: 'closed-loop concurrencies (default 1,16,64)',
        model: 'model bundle (default models/default, or $BENCH_MODEL)',
        out: 'report to write (default bench/RESULTS.md; smoke: a temp file)',
        json: 'the measurements file (default beside the report: measurements.json for RESULTS.md)',
        entry: 'service entry to run instead of dist/src/server.js (a candidate build)',
      },
      flags: {
        smoke: 'every scenario ~1 s, 1 repetition (CI)',
        render: 're-render the report from the measurements file, without running any load',
        'no-profile': 'skip the CPU profiles and flame graphs',
        quiet: 'no progress output',
      },
    },
    'Usage: npm run bench -- [options]',
  );
  const smoke = flags.has('smoke');
  const out = path.resolve(values.out ?? (smoke ? path.join(os.tmpdir(), `bench-smoke-${process.pid}.md`) : path.join(root, 'bench/RESULTS.md')));
  const beside = besideReport(out);
  return {
    smoke,
    render: flags.has('render'),
    reps: intArg(values, 'reps', 1) ?? (smoke ? 1 : 3),
    seconds: positiveArg(values, 'seconds') ?? (smoke ? 1 : 4),
    warmupSeconds: smoke ? 0.3 : 1.5,
    conns: intListArg(values, 'conns') ?? [1, 16, 64],
    batchSize: 64,
    modelDir: path.resolve(root, values.model ?? env.BENCH_MODEL ?? 'models/default'),
    out,
    measurements: values.json ? path.resolve(values.json) : beside.measurements,
    flamesDir: beside.flamesDir,
    profile: !flags.has('no-profile'),
    quiet: flags.has('quiet'),
    entry: values.entry ? path.resolve(values.entry) : undefined,
  };
}
