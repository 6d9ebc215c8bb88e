/**
 * `npm run bench`: the side-by-side benchmark of issue #5, one command, one run, as a pipeline:
 *   options → plan (plan.ts) → session (measure/session.ts: servers started, load run, records kept)
 *   → measurements.json (measurements.ts) → summary (summary/: medians, ratios, targets) → RESULTS.md
 *   (report/markdown.ts), with the flame graphs of the profiles beside it.
 * `npm run bench:render` runs only the last two steps, from the measurements file: no load.
 *
 *   npm run bench                      full run (~8 min on 2 cores), writes bench/RESULTS.md + measurements.json + flames/
 *   npm run bench -- --smoke           every scenario ~1 s, 1 repetition, writes to a temp folder (CI)
 *   npm run bench:render               RESULTS.md again from bench/measurements.json
 * Options: --reps N  --seconds S  --conns 1,16,64  --model DIR  --out FILE  --json FILE  --entry FILE  --no-profile  --quiet  --render (--help)
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Session } from './measure/session';
import { ensureBuilt, ROOT } from './measure/servers';
import { readMeasurements, writeMeasurements, type Measurements } from './measurements';
import { parseOptions, type Options } from './options';
import { plan } from './plan';
import { renderConsole } from './report/console';
import { renderMarkdown } from './report/markdown';
import { summarise } from './summary/summarise';

/** The graphs of an earlier run would sit beside this run's report as if they were its own: replace them all. */
function publishFlames(staged: string, flamesDir: string): void {
  mkdirSync(flamesDir, { recursive: true });
  for (const f of readdirSync(flamesDir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.svg'))) rmSync(path.join(flamesDir, f.name));
  for (const f of readdirSync(staged)) copyFileSync(path.join(staged, f), path.join(flamesDir, f));
}

/** Runs the plan; servers still running when the bench is interrupted are stopped with it (no orphans on 127.0.0.1). */
async function measure(o: Options, say: (line: string) => void): Promise<Measurements> {
  process.env.ORT_DISABLE_TELEMETRY = '1';
  process.env.SCARF_ANALYTICS = 'false';
  if (!o.entry) ensureBuilt(say);
  const session = new Session(o, plan(o), say);
  const interrupted = () => {
    session.kill();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const m = await session.run();
    writeMeasurements(o.measurements, m);
    // Flame graphs replace the ones beside the report only now: an interrupted run leaves the last ones whole.
    if (m.profiles.length) publishFlames(session.stagedFlames, o.flamesDir);
  } finally {
    session.cleanUp();
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
  // The report is rendered from the file, as `--render` would: the two cannot differ.
  return readMeasurements(o.measurements);
}

/** The whole bench; resolves to the exit code (2: bad options, 1: problems in the run). */
export async function main(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(argv, ROOT);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    return 2;
  }
  const say = (line: string) => {
    if (!o.quiet) process.stdout.write(`${line}\n`);
  };
  let m: Measurements;
  if (o.render) {
    try {
      m = readMeasurements(o.measurements);
    } catch (err) {
      process.stderr.write(`bench: ${(err as Error).message}\n`);
      return 2;
    }
  } else {
    m = await measure(o, say);
  }
  const summary = summarise(m);
  writeFileSync(o.out, renderMarkdown(m, summary));
  say(renderConsole(summary));
  say(`\nwrote ${path.relative(process.cwd(), o.out) || o.out}${o.render ? '' : ` and ${path.relative(process.cwd(), o.measurements)}`}`);
  if (summary.problems.length) {
    process.stderr.write(`bench: ${summary.problems.length} problem(s):\n${summary.problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
