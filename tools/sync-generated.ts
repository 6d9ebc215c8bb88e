import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from './cli-args';

export interface GeneratedFiles {
  /** Folder the files live in. */
  dir: string;
  /** Extension of the generated files there (a file with it that the generator does not make is an error). */
  ext: string;
  /** File name -> content, as the generator makes them. */
  expected: Record<string, string>;
  /** The command that regenerates them, for the drift message. */
  regenerate: string;
  /** Where new files must be declared, for the message about a stray file. */
  source: string;
  /** What one file is, for the summary line ("files", "dashboards"). */
  noun: string;
}

/**
 * Writes generated files, or with `--check` on the command line only compares them and exits 1
 * when a committed file differs or is not made by the generator (CI's drift check).
 */
export function syncGenerated(g: GeneratedFiles): void {
  let check: boolean;
  try {
    // An unknown option (`--chek`) must not quietly regenerate instead of checking.
    check = parseArgs(process.argv.slice(2), { values: {}, flags: { check: 'only compare; exit 1 on drift' } }, `Usage: ${g.regenerate} [--check]`).flags.has('check');
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const shown = path.relative(path.join(__dirname, '..'), g.dir);
  let drift = 0;
  for (const [file, text] of Object.entries(g.expected)) {
    const target = path.join(g.dir, file);
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
    if (current === text) continue;
    if (check) {
      console.error(`drift: ${shown}/${file} differs from the generator's output (run: ${g.regenerate})`);
      drift++;
    } else {
      fs.mkdirSync(g.dir, { recursive: true });
      fs.writeFileSync(target, text);
      console.log(`wrote ${shown}/${file}`);
    }
  }
  for (const file of fs.existsSync(g.dir) ? fs.readdirSync(g.dir) : []) {
    if (file.endsWith(g.ext) && !(file in g.expected)) {
      console.error(`${shown}/${file} is not produced by the generator: remove it or add it to ${g.source}`);
      drift++;
    }
  }
  if (drift > 0) process.exit(1);
  if (check) console.log(`${shown}: ${Object.keys(g.expected).length} ${g.noun} match the generator`);
}
