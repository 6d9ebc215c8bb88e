/** Command-line arguments shared by train / evaluate / bench-model. */
import path from 'node:path';

/** The repository root (training/ sits directly under it). */
export const REPO_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_DATA_DIR = path.resolve(REPO_ROOT, '../shared/data');
export const DEFAULT_MODEL_DIR = path.resolve(REPO_ROOT, 'models/default');

export interface ArgSpec {
  /** Flags taking a value: name -> description. */
  values: Record<string, string>;
  /** Boolean flags: name -> description. */
  flags?: Record<string, string>;
}

export function parseArgs(argv: string[], spec: ArgSpec, usage: string): { values: Record<string, string>; flags: Set<string> } {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const help = () => {
    const lines = [usage, '', 'Options:'];
    for (const [k, d] of Object.entries(spec.values)) lines.push(`  --${k} VALUE`.padEnd(24) + d);
    for (const [k, d] of Object.entries(spec.flags ?? {})) lines.push(`  --${k}`.padEnd(24) + d);
    return lines.join('\n');
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${help()}\n`);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'\n\n${help()}`);
    const [key, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (key in spec.values) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`--${key} needs a value`);
      values[key] = v;
    } else if (spec.flags && key in spec.flags) {
      flags.add(key);
    } else {
      throw new Error(`unknown option --${key}\n\n${help()}`);
    }
  }
  return { values, flags };
}

export function intArg(values: Record<string, string>, key: string): number | undefined {
  if (values[key] === undefined) return undefined;
  const n = Number(values[key]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${key} must be a non-negative integer, got '${values[key]}'`);
  return n;
}
