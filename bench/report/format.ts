/** How the report writes numbers: a missing or non-finite one is '–', never NaN. */
import type { Figure, Target } from '../summary/targets';

export const fmt = (x: number | null | undefined, digits = 0): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–');
export const pct = (x: number | null | undefined, digits = 1): string => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '–');

const SUFFIX: Record<Figure['unit'], string> = { ratio: '', share: '', count: '', ms: ' ms', 'µs': ' µs', MB: ' MB' };

/** A figure's value with its unit: `1.11`, `9.9%`, `10.51 ms`. */
export function value(f: Pick<Figure, 'value' | 'unit' | 'digits'>): string {
  if (f.unit === 'share') return pct(f.value, f.digits);
  const n = fmt(f.value, f.digits);
  return n === '–' ? n : `${n}${SUFFIX[f.unit]}`;
}

/** A figure's range over repetitions: `reps 1.04–1.43`, `reps -44.1%–24.7%`, `reps 5.30–18.10 ms`. */
export function range(f: Figure): string {
  if (!f.range) return '';
  if (f.unit === 'share') return `reps ${pct(f.range.min, f.digits)}–${pct(f.range.max, f.digits)}`;
  return `reps ${fmt(f.range.min, f.digits)}–${fmt(f.range.max, f.digits)}${SUFFIX[f.unit]}`;
}

/** A labelled figure: `main thread: 62 µs (reps 58–70 µs)`, or `15 starts` for a count. */
export function labelled(f: Figure): string {
  if (f.unit === 'count') return `${fmt(f.value, f.digits)} ${f.label}`;
  const r = range(f);
  return `${f.label ? `${f.label}: ` : ''}${value(f)}${r ? ` (${r})` : ''}`;
}

export function goal(t: Target): string {
  return `${t.goal.op} ${value({ ...t.measured, value: t.goal.value, digits: t.measured.unit === 'share' ? 0 : String(t.goal.value).split('.')[1]?.length ?? 0 })}`;
}

/** The measured cell: `1.11 (reps 1.04–1.43)`, `10.51 ms at 338 req/s (reps 5.30–18.10 ms)`, `781 ms (median 528 ms, 15 starts)`. */
export function measured(t: Target): string {
  const context = t.context.map((f) => (f.unit === 'count' ? labelled(f) : `${f.label} ${value(f)}`));
  const extra = [range(t.measured), ...context].filter(Boolean);
  return `${value(t.measured)}${t.atRps !== undefined ? ` at ${fmt(t.atRps)} req/s` : ''}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

/** How far from the goal: `+85% above`, `0.5 ms over (×1.05)`, `9.1 points to spare`. */
export function margin(t: Target): string {
  const v = t.measured.value;
  const g = t.goal.value;
  switch (t.measured.unit) {
    case 'ratio':
      return t.met ? `+${((v / g - 1) * 100).toFixed(0)}% above` : `${((1 - v / g) * 100).toFixed(0)}% short (needs ×${(g / v).toFixed(2)})`;
    case 'share':
      return `${(Math.abs(g - v) * 100).toFixed(1)} points ${t.met ? 'to spare' : 'over'}`;
    default: {
      const digits = Math.max(0, t.measured.digits - 1);
      const unit = SUFFIX[t.measured.unit];
      return t.met ? `${fmt(g - v, digits)}${unit} to spare` : `${fmt(v - g, digits)}${unit} over (×${(v / g).toFixed(2)})`;
    }
  }
}

export const verdict = (t: Target): string => `${t.met ? '**met**' : '**MISSED**'}: ${margin(t)}`;

/** A Markdown table cell: a `|` inside it would end the cell. */
export const cell = (s: string): string => s.replace(/\|/g, '\\|');
