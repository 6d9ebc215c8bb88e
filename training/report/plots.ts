/** Vega-Lite charts rendered to PNG (vega -> SVG -> resvg), small enough to commit. */
import type { Example } from '../data/datasets';
import { column } from '../evaluation';
import { precisionRecallCurve } from '../metrics';
import { DATASETS } from '../data/datasets';

type VlSpec = Record<string, unknown>;

const FONT = 'DejaVu Sans';

export async function renderPng(spec: VlSpec): Promise<Buffer> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const { Resvg } = await import('@resvg/resvg-js');
  const compiled = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: { font: FONT, background: 'white', legend: { labelLimit: 260 } },
    ...spec,
  } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: FONT }, fitTo: { mode: 'zoom', value: 1.25 } }).render().asPng();
  return Buffer.from(png);
}

/** Precision-recall curve of one output, one line per validation dataset that supervises it; dots at the threshold. */
export function prCurveSpec(examples: readonly Example[], probs: Float32Array, k: number, output: string, threshold: number): VlSpec | undefined {
  const lines: { dataset: string; recall: number; precision: number }[] = [];
  const points: { dataset: string; recall: number; precision: number }[] = [];
  for (const ds of DATASETS) {
    const { s, y } = column(examples, probs, k, (e) => e.dataset === ds);
    const pos = y.reduce((a, b) => a + b, 0);
    if (pos === 0 || pos === y.length) continue;
    const curve = precisionRecallCurve(s, y);
    const step = Math.max(1, Math.floor(curve.length / 150));
    curve.forEach((p, i) => {
      if (i % step === 0 || i === curve.length - 1) lines.push({ dataset: ds, recall: p.recall, precision: p.precision });
    });
    const at = curve.filter((p) => p.threshold >= threshold).pop() ?? curve[0];
    points.push({ dataset: ds, recall: at.recall, precision: at.precision });
  }
  if (!lines.length) return undefined;
  const scale = { domain: [0, 1] };
  return {
    title: `Precision-recall: ${output} (validation; dots = threshold ${threshold.toFixed(2)})`,
    width: 380,
    height: 260,
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'recall', type: 'quantitative', scale },
          y: { field: 'precision', type: 'quantitative', scale },
          color: { field: 'dataset', type: 'nominal', legend: { orient: 'bottom', columns: 2, title: null } },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 50 },
        encoding: {
          x: { field: 'recall', type: 'quantitative', scale },
          y: { field: 'precision', type: 'quantitative', scale },
          color: { field: 'dataset', type: 'nominal' },
        },
      },
    ],
  };
}

/** Score histogram of one output over every validation row that supervises it, positives vs negatives (share of class). */
export function histogramSpec(examples: readonly Example[], probs: Float32Array, k: number, output: string, threshold: number): VlSpec | undefined {
  const { s, y } = column(examples, probs, k);
  const bins = 20;
  const counts = [new Array<number>(bins).fill(0), new Array<number>(bins).fill(0)];
  const totals = [0, 0];
  s.forEach((v, i) => {
    const b = Math.min(bins - 1, Math.floor(v * bins));
    counts[y[i]][b]++;
    totals[y[i]]++;
  });
  if (!totals[0] || !totals[1]) return undefined;
  const values: { class: string; bin: number; bin_end: number; share: number }[] = [];
  for (const c of [0, 1]) {
    for (let b = 0; b < bins; b++) {
      values.push({ class: c ? `positive (${totals[1]})` : `negative (${totals[0]})`, bin: b / bins, bin_end: (b + 1) / bins, share: counts[c][b] / totals[c] });
    }
  }
  return {
    title: `Scores: ${output} (validation, all datasets; dashed = threshold ${threshold.toFixed(2)})`,
    width: 380,
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: 'bar', opacity: 0.6, binSpacing: 0 },
        encoding: {
          x: { field: 'bin', type: 'quantitative', bin: { binned: true, step: 1 / bins }, scale: { domain: [0, 1] }, title: 'score' },
          x2: { field: 'bin_end' },
          y: { field: 'share', type: 'quantitative', stack: null, title: 'share of class' },
          color: { field: 'class', type: 'nominal', scale: { range: ['#4c78a8', '#e45756'] }, legend: { orient: 'bottom', title: null } },
        },
      },
      { data: { values: [{ t: threshold }] }, mark: { type: 'rule', strokeDash: [4, 3], color: 'black' }, encoding: { x: { field: 't', type: 'quantitative' } } },
    ],
  };
}
