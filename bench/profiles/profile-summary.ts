/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per package.
 *   npx tsx bench/profiles/profile-summary.ts FILE.cpuprofile [--top 20]
 * Self time of a sample = the time until the next sample (timeDeltas[i + 1]); idle is reported apart
 * and percentages are of busy (non-idle) time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  /** Ids of the nodes this one called (its call paths one level deeper). */
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  fn: string;
  where: string;
  category: string;
  selfMs: number;
  /** Share of busy time, 0..1. */
  share: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  idleMs: number;
  gcMs: number;
  top: FunctionCost[];
  categories: Array<{ category: string; selfMs: number; share: number }>;
}

const ROOT = path.resolve(__dirname, '../..');

/** Where a function lives, coarse: a package, node internals, the app's own files, or a VM pseudo-frame. */
export function categoryOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: native/VM)';
    return `(native) ${functionName || 'anonymous'}`;
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return pkg.startsWith('@opentelemetry/') ? `otel: ${pkg}` : pkg;
  }
  if (url.startsWith('node:')) {
    const mod = url.slice('node:'.length).replace(/^internal\//, '').split('/')[0]!;
    return `node:${mod}`;
  }
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const rel = path.relative(ROOT, file);
  if (!rel.startsWith('..')) return `app: ${rel.replace(/^dist\//, '').replace(/\.js$/, '')}`;
  return file;
}

/** file:line of a frame, relative to the repo or to node_modules; '' for VM pseudo-frames. */
export function shortWhere(frame: CallFrame): string {
  if (!frame.url) return '';
  let url = frame.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) url = url.slice(nm + '/node_modules/'.length);
  else if (url.startsWith(ROOT)) url = path.relative(ROOT, url);
  return `${url}:${frame.lineNumber + 1}`;
}

/** A part of a profile's clock, µs: on Linux CLOCK_MONOTONIC, like process.hrtime. */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/**
 * Self time per profile node, µs: a sample's time is the gap to the next sample. With `window`,
 * only samples taken within it count (so a caller can cut out start-up and keep the load);
 * `first`/`last` are the times of the first and last sample counted.
 */
export function selfTimes(profile: CpuProfile, window?: ProfileWindow): { selfUs: Map<number, number>; first: number; last: number } {
  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  let t = profile.startTime;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i] ?? 0;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    first = Math.min(first, t);
    last = Math.max(last, t);
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1]! : 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, dt));
  }
  return { selfUs, first, last };
}

/** Self time by function and by package or area, over the whole profile or only `window` (see selfTimes). */
export function summarizeProfile(profile: CpuProfile, top = 20, window?: ProfileWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const { selfUs, first, last } = selfTimes(profile, window);
  const fns = new Map<string, { frame: CallFrame; us: number }>();
  const cats = new Map<string, number>();
  let idleUs = 0;
  let gcUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    totalUs += us;
    const category = categoryOf(frame);
    if (category === '(idle)') {
      idleUs += us;
      continue;
    }
    if (category === '(gc)') gcUs += us;
    cats.set(category, (cats.get(category) ?? 0) + us);
    const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}|${frame.columnNumber}`;
    const entry = fns.get(key) ?? { frame, us: 0 };
    entry.us += us;
    fns.set(key, entry);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const topFns = [...fns.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map(({ frame, us }) => ({
      fn: frame.functionName || '(anonymous)',
      where: shortWhere(frame),
      category: categoryOf(frame),
      selfMs: us / 1e3,
      share: us / busyUs,
    }));
  const categories = [...cats.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([category, us]) => ({ category, selfMs: us / 1e3, share: us / busyUs }));
  return {
    wallMs: window ? (last - first) / 1e3 : (profile.endTime - profile.startTime) / 1e3,
    busyMs: busyUs / 1e3,
    idleMs: idleUs / 1e3,
    gcMs: gcUs / 1e3,
    top: topFns,
    categories,
  };
}

export function loadProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** A share (0..1) as a percentage with one decimal. */
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Markdown tables: top functions and categories. */
export function profileMarkdown(s: ProfileSummary, topCategories = 15): string {
  const lines = [
    `Wall ${s.wallMs.toFixed(0)} ms, busy ${s.busyMs.toFixed(0)} ms (${pct(s.busyMs / Math.max(1, s.wallMs))} of wall), GC ${s.gcMs.toFixed(0)} ms (${pct(s.gcMs / s.busyMs)} of busy).`,
    '',
    '| self time by package / area | ms | % of busy |',
    '|---|---:|---:|',
    ...s.categories.slice(0, topCategories).map((c) => `| ${c.category.replace(/\|/g, '\\|')} | ${c.selfMs.toFixed(0)} | ${pct(c.share)} |`),
    '',
    '| top functions by self time | where | ms | % of busy |',
    '|---|---|---:|---:|',
    ...s.top.map((f) => `| \`${f.fn.replace(/\|/g, '\\|')}\` | ${f.where.replace(/\|/g, '\\|')} | ${f.selfMs.toFixed(1)} | ${pct(f.share)} |`),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/profiles/profile-summary.ts FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const i = process.argv.indexOf('--top');
  const top = i >= 0 ? Number(process.argv[i + 1]) : 20;
  process.stdout.write(`${profileMarkdown(summarizeProfile(loadProfile(file), top))}\n`);
}
