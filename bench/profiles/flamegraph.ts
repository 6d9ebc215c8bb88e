/**
 * Flame graphs (SVG) of V8 CPU profiles (`node --cpu-prof`), for bench/RESULTS.md.
 *   npx tsx bench/profiles/flamegraph.ts FILE.cpuprofile > out.svg
 *
 * One box per call path, as wide as the time spent in it and in what it called, stacked from the
 * root at the bottom; callees sorted widest first. Idle time is left out, so the full width is the
 * thread's busy time. Boxes narrower than `minShare` of it are dropped with their callees, which
 * keeps the file small. Opened on its own, the SVG shows function, file:line, ms and share on hover.
 *
 * Written here rather than taken from npm: the flame graph packages there read other formats (perf
 * script output, `--prof` logs) or no longer read current .cpuprofile files, and a .cpuprofile is
 * already a call tree, so what is left is layout and SVG.
 */
import { categoryOf, loadProfile, pct, selfTimes, shortWhere, type CallFrame, type CpuProfile, type ProfileWindow } from './profile-summary';

export interface FlameGraphOptions {
  title: string;
  /** Only samples in this part of the profile clock (see selfTimes). */
  window?: ProfileWindow;
  /** Image width, px (default 1200). */
  width?: number;
  /** Smallest box kept, as a share of busy time (default 0.002). */
  minShare?: number;
}

export interface FlameBox {
  frame: CallFrame;
  /** Time in this call path and its callees, µs. */
  us: number;
  depth: number;
  /** Start, µs from the left edge. */
  x: number;
}

const FRAME_H = 17;
const HEADER_H = 44;
const PAD = 10;
const CHAR_W = 6.6; // 11 px monospace

/** The boxes of a profile's call tree, root first (depth 0, the whole busy time). */
export function flameBoxes(profile: CpuProfile, window?: ProfileWindow, minShare = 0.002): FlameBox[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const called = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  const root = profile.nodes.find((n) => !called.has(n.id));
  if (!root) return [];
  const { selfUs } = selfTimes(profile, window);
  const isIdle = (id: number) => categoryOf(byId.get(id)!.callFrame) === '(idle)';
  // Totals bottom-up over a pre-order list (no recursion: JavaScript call trees can be deep).
  const order: number[] = [];
  for (const stack = [root.id]; stack.length > 0; ) {
    const id = stack.pop()!;
    order.push(id);
    for (const c of byId.get(id)!.children ?? []) stack.push(c);
  }
  const total = new Map<number, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    if (isIdle(id)) {
      total.set(id, 0);
      continue;
    }
    let us = selfUs.get(id) ?? 0;
    for (const c of byId.get(id)!.children ?? []) us += total.get(c) ?? 0;
    total.set(id, us);
  }
  const busy = total.get(root.id) ?? 0;
  if (busy <= 0) return [];
  const boxes: FlameBox[] = [];
  for (const stack: Array<{ id: number; depth: number; x: number }> = [{ id: root.id, depth: 0, x: 0 }]; stack.length > 0; ) {
    const { id, depth, x } = stack.pop()!;
    boxes.push({ frame: byId.get(id)!.callFrame, us: total.get(id)!, depth, x });
    const kids = (byId.get(id)!.children ?? []).filter((c) => total.get(c)! > 0 && total.get(c)! >= minShare * busy).sort((a, b) => total.get(b)! - total.get(a)!);
    let at = x;
    const placed = kids.map((c) => {
      const box = { id: c, depth: depth + 1, x: at };
      at += total.get(c)!;
      return box;
    });
    stack.push(...placed.reverse());
  }
  return boxes;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Fill by where the code lives (profile-summary's categories), varied a little per function so neighbours stand apart. */
function fill(frame: CallFrame): string {
  const category = categoryOf(frame);
  let h = 0;
  for (let i = 0; i < frame.functionName.length; i++) h = (h * 31 + frame.functionName.charCodeAt(i)) >>> 0;
  const vary = (h % 12) - 6;
  const [hue, sat, light] = category.startsWith('app: ')
    ? [210, 65, 70]
    : category.startsWith('node:')
      ? [120, 45, 65]
      : category === '(gc)'
        ? [280, 45, 70]
        : category.startsWith('(')
          ? [0, 55, 70]
          : [32, 80, 65];
  return `hsl(${hue + vary},${sat}%,${light + vary / 2}%)`;
}

function label(frame: CallFrame): string {
  return frame.functionName || '(anonymous)';
}

export function flameGraphSvg(profile: CpuProfile, o: FlameGraphOptions): string {
  const width = o.width ?? 1200;
  const minShare = o.minShare ?? 0.002;
  const boxes = flameBoxes(profile, o.window, minShare);
  const busyUs = boxes[0]?.us ?? 0;
  const depth = boxes.reduce((m, b) => Math.max(m, b.depth), 0);
  const height = HEADER_H + (depth + 1) * FRAME_H + PAD;
  const scale = busyUs > 0 ? (width - 2 * PAD) / busyUs : 0;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fbfbf7"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14">${escapeXml(o.title)}</text>`,
    `<text x="${width / 2}" y="34" text-anchor="middle" fill="#555">${escapeXml(
      `width: busy time on the thread, ${(busyUs / 1000).toFixed(0)} ms; blue app, green node, orange packages, red native/VM, purple GC; boxes under ${pct(minShare)} left out`,
    )}</text>`,
  ];
  for (const b of boxes) {
    const x = PAD + b.x * scale;
    const w = b.us * scale;
    const y = height - PAD - (b.depth + 1) * FRAME_H;
    const name = b.depth === 0 ? 'all' : label(b.frame);
    const where = shortWhere(b.frame);
    const tip = `${name}${where ? ` (${where})` : ''}: ${(b.us / 1000).toFixed(1)} ms, ${pct(b.us / busyUs)}`;
    const chars = Math.floor((w - 4) / CHAR_W);
    const text = chars >= 3 ? (name.length <= chars ? name : `${name.slice(0, chars - 1)}…`) : '';
    out.push(
      `<g><title>${escapeXml(tip)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0.5, w - 0.5).toFixed(1)}" height="${FRAME_H - 1}" fill="${b.depth === 0 ? '#ddd' : fill(b.frame)}"/>${
        text ? `<text x="${(x + 2).toFixed(1)}" y="${y + FRAME_H - 5}">${escapeXml(text)}</text>` : ''
      }</g>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/profiles/flamegraph.ts FILE.cpuprofile > out.svg\n');
    process.exit(2);
  }
  process.stdout.write(flameGraphSvg(loadProfile(file), { title: file }));
}
