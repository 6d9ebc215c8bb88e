/**
 * Command-line arguments for the repo's tools (train, eval, bench, the generators): every option is
 * declared, an unknown one or a bad value stops the tool before it does any work, naming the option.
 */

export interface ArgSpec {
  /** Options taking a value: name -> description. */
  values: Record<string, string>;
  /** Boolean flags: name -> description. */
  flags?: Record<string, string>;
}

export interface ParsedArgs {
  values: Record<string, string>;
  flags: Set<string>;
}

function helpText(spec: ArgSpec, usage: string): string {
  const lines = [usage, '', 'Options:'];
  for (const [k, d] of Object.entries(spec.values)) lines.push(`  --${k} VALUE`.padEnd(24) + d);
  for (const [k, d] of Object.entries(spec.flags ?? {})) lines.push(`  --${k}`.padEnd(24) + d);
  return lines.join('\n');
}

/** `--name value`, `--name=value` and `--flag`; `--help` prints the options and exits 0. Throws on anything else. */
export function parseArgs(argv: string[], spec: ArgSpec, usage: string): ParsedArgs {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${helpText(spec, usage)}\n`);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'\n\n${helpText(spec, usage)}`);
    const eq = a.indexOf('=');
    const key = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const inline = eq < 0 ? undefined : a.slice(eq + 1);
    if (key in spec.values) {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new Error(`--${key} needs a value`);
      values[key] = v;
    } else if (spec.flags && key in spec.flags && inline === undefined) {
      flags.add(key);
    } else {
      throw new Error(`unknown option --${key}\n\n${helpText(spec, usage)}`);
    }
  }
  return { values, flags };
}

/** An integer option of at least `min` (digits only: '' or '1e3' are refused), or undefined when absent. */
export function intArg(values: Record<string, string>, key: string, min = 0): number | undefined {
  const raw = values[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) throw new Error(`--${key} must be an integer of at least ${min}, got '${raw}'`);
  return n;
}

/** A number option above 0, or undefined when absent. */
export function positiveArg(values: Record<string, string>, key: string): number | undefined {
  const raw = values[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) throw new Error(`--${key} must be a number above 0, got '${raw}'`);
  return n;
}

/** A comma-separated list of integers of at least `min`, or undefined when absent. */
export function intListArg(values: Record<string, string>, key: string, min = 1): number[] | undefined {
  const raw = values[key];
  if (raw === undefined) return undefined;
  return raw.split(',').map((part) => intArg({ [key]: part.trim() }, key, min)!);
}
