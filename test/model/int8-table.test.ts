import { createFeaturizer, GROUPS } from '../../src/featurizer';
import { FEATURIZER_SPEC } from '../../training/config';
import { allocateParams, feedsToSparse, foldColumnInt8, forwardBatch, type NetworkParams } from '../../training/model/network';
import { Rng } from '../../training/util/rng';

const BUCKETS = 2048;
const DIM = 6;
const OUTPUTS = 3;
const featurizer = createFeaturizer({ ...FEATURIZER_SPEC, buckets: BUCKETS });
const TEXTS = ['', 'you are an idiot', 'have a nice day', 'I will find you and hurt you', 'free entry!! text WIN to 80086 now'];

function network(seed: number, hidden: number, skip: boolean): NetworkParams {
  const rng = new Rng(seed);
  const p = allocateParams({ buckets: BUCKETS, dim: DIM, groups: GROUPS, hidden, outputs: OUTPUTS, skip });
  for (const a of [p.emb, p.w1, p.b1, p.w2, p.b2, p.ws]) for (let i = 0; i < a.length; i++) a[i] = rng.normal() * 0.5;
  // Columns of very different ranges (one per-table scale would crush the narrow ones), and an all-zero column.
  for (let r = 0; r < BUCKETS; r++) {
    p.emb[r * DIM + 1] *= 0.01;
    p.emb[r * DIM + 2] *= 40;
    p.emb[r * DIM + 5] = 0;
  }
  const cols = 2;
  const linear = {
    cols,
    table: Float32Array.from({ length: BUCKETS * cols }, (_, i) => rng.normal() * (i % cols ? 3 : 0.2)),
    groupWeights: Float32Array.from([1, 0.5]),
    mix: Float32Array.from({ length: OUTPUTS * cols }, () => rng.normal()),
  };
  return { ...p, linear };
}

/** The table each column scale stands for: q[r][c] * s_c, recovered from the folded W / mix is not possible, so recompute s_c. */
function columnScales(table: Float32Array, width: number): number[] {
  const s = new Array<number>(width).fill(0);
  for (let i = 0; i < table.length; i++) s[i % width] = Math.max(s[i % width], Math.abs(table[i]));
  return s.map((m) => (m > 0 ? Math.fround(m / 127) : 1));
}

function batch(): ReturnType<typeof feedsToSparse> {
  const f = featurizer.featurize(TEXTS);
  const { ids, segments, scale } = FEATURIZER_SPEC.inputs;
  return feedsToSparse(f[ids].data as Int32Array, f[segments].data as BigInt64Array, f[scale].data as Float32Array);
}

describe('int8 table storage (one scale per column, folded into the weights)', () => {
  it.each([
    ['a hidden layer', 5, false],
    ['a hidden layer and the skip connection', 5, true],
    ['no hidden layer', 0, false],
  ] as const)('computes with %s what the dequantized table computes, within rounding', (_name, hidden, skip) => {
    const p = network(7, hidden, skip);
    const folded = foldColumnInt8(p);
    // Integer tables in int8 range, each entry within half a step of the original.
    const s = columnScales(p.emb, DIM);
    const ls = columnScales(p.linear!.table, 2);
    for (let i = 0; i < p.emb.length; i++) {
      const q = folded.emb[i];
      expect(Number.isInteger(q) && Math.abs(q) <= 127).toBe(true);
      expect(Math.abs(q * s[i % DIM] - p.emb[i])).toBeLessThanOrEqual(s[i % DIM] / 2 + 1e-6);
    }
    for (let i = 0; i < p.linear!.table.length; i++) expect(Math.abs(folded.linear!.table[i] * ls[i % 2] - p.linear!.table[i])).toBeLessThanOrEqual(ls[i % 2] / 2 + 1e-6);
    expect(folded.emb.filter((_, i) => i % DIM === 5).every((q) => q === 0)).toBe(true);
    // The narrow column keeps its resolution: most of its entries are not rounded to zero.
    expect(folded.emb.filter((q, i) => i % DIM === 1 && q !== 0).length).toBeGreaterThan(BUCKETS / 2);

    const dequantized: NetworkParams = {
      ...p,
      emb: p.emb.map((_, i) => folded.emb[i] * s[i % DIM]),
      linear: { ...p.linear!, table: p.linear!.table.map((_, i) => folded.linear!.table[i] * ls[i % 2]) },
    };
    const b = batch();
    const a = forwardBatch(folded, b);
    const want = forwardBatch(dequantized, b);
    const original = forwardBatch(p, b);
    let maxDiff = 0;
    let maxQuantDiff = 0;
    for (let i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - want[i]));
      maxQuantDiff = Math.max(maxQuantDiff, Math.abs(a[i] - original[i]));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    // Quantisation moves the probabilities, but only a little.
    expect(maxQuantDiff).toBeGreaterThan(0);
    expect(maxQuantDiff).toBeLessThan(0.05);
  });
});
