/**
 * Trains the embedding-bag classifier (network.ts) with masked multi-label binary cross-entropy:
 * each example only contributes the outputs its dataset supervises. Mini-batch Adam (lazy,
 * row-wise for the embedding table), ReLU hidden layer with dropout, early stopping on the
 * validation split. Single-threaded and seeded: the same data, config and seed give the same bytes.
 */
import { SingleBar } from 'cli-progress';
import { allocateParams, cloneParams, forwardOne, forwardState, innerSize, pooledSize, sigmoid, type NetworkParams, type NetworkShape } from './network';
import type { FeaturizedCorpus } from './features';
import { Rng } from '../util/rng';

export interface TrainConfig {
  seed: number;
  dim: number;
  hidden: number;
  epochs: number;
  /** Stop after this many epochs without a better validation score. */
  patience: number;
  batchSize: number;
  /** Adam learning rate of the dense layers. */
  lr: number;
  /** Optimiser of the embedding table: plain SGD applied after every example (fastText style) or lazy row-wise Adam. */
  embOptimizer: 'sgd' | 'adam';
  /** Learning rate of the embedding table. */
  lrEmb: number;
  /** Multiply both learning rates by this after every epoch. */
  lrDecay: number;
  /** Linear skip connection pooled -> logits. */
  skip: boolean;
  /**
   * Stochastic weight averaging: from this epoch on, also keep the running mean of the weights at
   * the end of each epoch and let early stopping pick it when it validates better (0 = off).
   */
  swaFrom: number;
  /** Dropout on the hidden layer. */
  dropout: number;
  /** Each n-gram id of a training example is left out with this probability (rescaled like inverted dropout). */
  ngramDropout: number;
  /** L2 weight decay on the dense layers (decoupled, AdamW style). */
  weightDecay: number;
  /** Scale of the uniform embedding initialisation (U(-a, a), a = embInit / dim). */
  embInit: number;
  /**
   * Positive-class weight per (source, output) = min(posWeightCap, sqrt(negatives / positives)) over
   * the rows of that source that supervise the output (rare labels get louder positives); 1 = off.
   */
  posWeightCap: number;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  seed: 20240611,
  dim: 32,
  hidden: 64,
  epochs: 12,
  patience: 3,
  batchSize: 32,
  lr: 2e-3,
  embOptimizer: 'sgd',
  lrEmb: 0.5,
  lrDecay: 0.8,
  skip: false,
  swaFrom: 0,
  dropout: 0.2,
  ngramDropout: 0,
  weightDecay: 1e-4,
  embInit: 1,
  posWeightCap: 1,
};

export interface TrainSet {
  features: FeaturizedCorpus;
  /** [n, outputs] targets. */
  y: Float32Array;
  /** [n, outputs] 1 = supervised. */
  known: Uint8Array;
  /** Per-example loss weight. */
  weight: Float32Array;
  /** Per-example source (dataset) index, for the per-source positive weights. */
  source: Uint8Array;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  valScore: number;
  seconds: number;
}

export interface TrainResult {
  params: NetworkParams;
  bestEpoch: number;
  /** The kept weights are the running average (SWA) up to bestEpoch. */
  averaged: boolean;
  history: EpochLog[];
  seconds: number;
}

/** Probabilities [n, outputs] for a featurised corpus. */
export function predict(params: NetworkParams, f: FeaturizedCorpus): Float32Array {
  const K = params.shape.outputs;
  const G = params.shape.groups;
  const out = new Float32Array(f.count * K);
  const s = forwardState(params.shape);
  for (let t = 0; t < f.count; t++) {
    forwardOne(params, f.ids, f.offsets, f.scale, G * t, s);
    for (let k = 0; k < K; k++) out[t * K + k] = sigmoid(s.logits[k]);
  }
  return out;
}

class Adam {
  readonly m: Float32Array;
  readonly v: Float32Array;
  constructor(size: number) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }
}

const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;

export function train(
  shapeIn: Omit<NetworkShape, 'dim' | 'hidden' | 'skip'>,
  cfg: TrainConfig,
  data: TrainSet,
  validate: (params: NetworkParams) => number,
  opts: { quiet?: boolean; log?: (line: string) => void } = {},
): TrainResult {
  const started = performance.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const shape: NetworkShape = { ...shapeIn, dim: cfg.dim, hidden: cfg.hidden, skip: cfg.skip };
  const { buckets, dim, hidden, outputs: K, groups: G } = shape;
  const P = pooledSize(shape);
  const inner = innerSize(shape);
  const rng = new Rng(cfg.seed);
  const p = allocateParams(shape);

  // Initialisation.
  const a = cfg.embInit / dim;
  for (let i = 0; i < p.emb.length; i++) p.emb[i] = (rng.next() * 2 - 1) * a;
  if (hidden > 0) {
    const s1 = Math.sqrt(2 / P);
    for (let i = 0; i < p.w1.length; i++) p.w1[i] = rng.normal() * s1;
  }
  const s2 = Math.sqrt(1 / inner);
  for (let i = 0; i < p.w2.length; i++) p.w2[i] = rng.normal() * s2 * 0.1;
  // The skip connection starts at zero.
  // Output biases start at the log-odds of each output's positive rate.
  const n = data.features.count;
  const sources = data.source.reduce((a, b) => Math.max(a, b), 0) + 1;
  const posWeight = new Float64Array(sources * K);
  for (let k = 0; k < K; k++) {
    let pos = 0;
    let tot = 0;
    const sPos = new Float64Array(sources);
    const sTot = new Float64Array(sources);
    for (let i = 0; i < n; i++) {
      if (data.known[i * K + k]) {
        tot++;
        pos += data.y[i * K + k];
        sTot[data.source[i]]++;
        sPos[data.source[i]] += data.y[i * K + k];
      }
    }
    const rate = tot ? Math.min(0.99, Math.max(0.01, pos / tot)) : 0.5;
    p.b2[k] = Math.log(rate / (1 - rate));
    for (let src = 0; src < sources; src++) {
      const sp = sPos[src];
      posWeight[src * K + k] = sp > 0 ? Math.max(1, Math.min(cfg.posWeightCap, Math.sqrt((sTot[src] - sp) / sp))) : 1;
    }
  }

  const dense = [
    { w: p.w1, g: new Float64Array(p.w1.length), opt: new Adam(p.w1.length), decay: true },
    { w: p.b1, g: new Float64Array(p.b1.length), opt: new Adam(p.b1.length), decay: false },
    { w: p.w2, g: new Float64Array(p.w2.length), opt: new Adam(p.w2.length), decay: true },
    { w: p.b2, g: new Float64Array(p.b2.length), opt: new Adam(p.b2.length), decay: false },
    { w: p.ws, g: new Float64Array(p.ws.length), opt: new Adam(p.ws.length), decay: true },
  ];
  const [gW1, gB1, gW2, gB2, gWs] = dense.map((d) => d.g);
  const skip = shape.skip;
  const embOpt = new Adam(p.emb.length);
  const gEmb = new Float32Array(p.emb.length);
  const touched = new Uint8Array(buckets);
  const touchedList = new Int32Array(buckets);
  let touchedCount = 0;

  const st = forwardState(shape);
  const hPre = new Float64Array(hidden);
  const dropMask = new Float64Array(hidden);
  const dLogit = new Float64Array(K);
  const dH = new Float64Array(inner);
  const dPooled = new Float64Array(P);

  const order = Int32Array.from({ length: n }, (_, i) => i);
  const sgdEmb = cfg.embOptimizer === 'sgd';
  const nd = cfg.ngramDropout;
  const ndScale = nd > 0 ? 1 / (1 - nd) : 1;
  let maxIds = 0;
  for (let t = 0; t < n; t++) maxIds = Math.max(maxIds, data.features.offsets[G * (t + 1)] - data.features.offsets[G * t]);
  const keep = new Uint8Array(maxIds);
  let lr = cfg.lr;
  let lrEmb = cfg.lrEmb;
  let step = 0;
  const history: EpochLog[] = [];
  let best = { score: -Infinity, epoch: 0, params: cloneParams(p), averaged: false };
  let swa: { params: NetworkParams; count: number } | undefined;
  const useBar = !opts.quiet && process.stderr.isTTY === true;
  const steps = Math.ceil(n / cfg.batchSize);

  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    const epochStart = performance.now();
    rng.shuffle(order);
    let lossSum = 0;
    let lossCount = 0;
    const bar = useBar
      ? new SingleBar({
          format: `epoch ${epoch}/${cfg.epochs} |{bar}| {percentage}% | loss {loss} | {value}/{total} batches | ETA {eta_formatted}`,
          barsize: 30,
          etaBuffer: 200,
        })
      : undefined;
    bar?.start(steps, 0, { loss: 'n/a' });
    for (let b = 0; b < steps; b++) {
      const from = b * cfg.batchSize;
      const to = Math.min(n, from + cfg.batchSize);
      for (const d of dense) d.g.fill(0);
      let batchWeight = 0;
      for (let bi = from; bi < to; bi++) {
        const ex = order[bi];
        const wEx = data.weight[ex];
        const f = data.features;
        const seg = G * ex;
        const exFrom = f.offsets[seg];
        // Forward with dropout on the hidden layer.
        const pooled = st.pooled;
        pooled.fill(0);
        for (let g = 0; g < G; g++) {
          const off = g * dim;
          const gFrom = f.offsets[seg + g];
          const gEnd = f.offsets[seg + g + 1];
          if (nd > 0) {
            for (let i = gFrom; i < gEnd; i++) {
              const kept = rng.next() >= nd;
              keep[i - exFrom] = kept ? 1 : 0;
              if (!kept) continue;
              const base = f.ids[i] * dim;
              for (let d = 0; d < dim; d++) pooled[off + d] += p.emb[base + d];
            }
          } else {
            for (let i = gFrom; i < gEnd; i++) {
              const base = f.ids[i] * dim;
              for (let d = 0; d < dim; d++) pooled[off + d] += p.emb[base + d];
            }
          }
          const sc = f.scale[seg + g] * ndScale;
          for (let d = 0; d < dim; d++) pooled[off + d] *= sc;
        }
        let act: Float64Array = pooled;
        if (hidden > 0) {
          const h = st.hidden;
          const keep = 1 - cfg.dropout;
          for (let j = 0; j < hidden; j++) {
            let z = p.b1[j];
            const row = j * P;
            for (let d = 0; d < P; d++) z += p.w1[row + d] * pooled[d];
            hPre[j] = z;
            const m = cfg.dropout > 0 ? (rng.next() < keep ? 1 / keep : 0) : 1;
            dropMask[j] = m;
            h[j] = z > 0 ? z * m : 0;
          }
          act = h;
        }
        // Output layer, masked BCE.
        let any = false;
        for (let k = 0; k < K; k++) {
          const known = data.known[ex * K + k];
          if (!known) {
            dLogit[k] = 0;
            continue;
          }
          any = true;
          let z = p.b2[k];
          const row = k * inner;
          for (let j = 0; j < inner; j++) z += p.w2[row + j] * act[j];
          if (skip) {
            const srow = k * P;
            for (let d = 0; d < P; d++) z += p.ws[srow + d] * pooled[d];
          }
          const prob = sigmoid(z);
          const y = data.y[ex * K + k];
          const w = y > 0 ? wEx * posWeight[data.source[ex] * K + k] : wEx;
          lossSum += w * -(y * Math.log(Math.max(prob, 1e-12)) + (1 - y) * Math.log(Math.max(1 - prob, 1e-12)));
          lossCount += w;
          dLogit[k] = w * (prob - y);
        }
        if (!any) continue;
        batchWeight += wEx;
        // Backward.
        dH.fill(0);
        for (let k = 0; k < K; k++) {
          const g = dLogit[k];
          if (g === 0) continue;
          gB2[k] += g;
          const row = k * inner;
          for (let j = 0; j < inner; j++) {
            gW2[row + j] += g * act[j];
            dH[j] += g * p.w2[row + j];
          }
        }
        if (hidden > 0) {
          dPooled.fill(0);
          if (skip) {
            for (let k = 0; k < K; k++) {
              const g = dLogit[k];
              if (g === 0) continue;
              const srow = k * P;
              for (let d = 0; d < P; d++) {
                gWs[srow + d] += g * pooled[d];
                dPooled[d] += g * p.ws[srow + d];
              }
            }
          }
          for (let j = 0; j < hidden; j++) {
            if (hPre[j] <= 0 || dropMask[j] === 0) continue;
            const g = dH[j] * dropMask[j];
            gB1[j] += g;
            const row = j * P;
            for (let d = 0; d < P; d++) {
              gW1[row + d] += g * pooled[d];
              dPooled[d] += g * p.w1[row + d];
            }
          }
        } else {
          for (let d = 0; d < P; d++) dPooled[d] = dH[d];
        }
        for (let g = 0; g < G; g++) {
          const off = g * dim;
          const sc = f.scale[seg + g] * ndScale * (sgdEmb ? lrEmb : 1);
          for (let d = 0; d < dim; d++) dPooled[off + d] *= sc;
          const from = f.offsets[seg + g];
          const end = f.offsets[seg + g + 1];
          if (sgdEmb) {
            // Immediate update: E[id] -= lrEmb * dL/dE[id] (dL/dE[id] = scale * dL/dpooled_g, summed over repeats).
            for (let i = from; i < end; i++) {
              if (nd > 0 && !keep[i - exFrom]) continue;
              const base = f.ids[i] * dim;
              for (let d = 0; d < dim; d++) p.emb[base + d] -= dPooled[off + d];
            }
            continue;
          }
          for (let i = from; i < end; i++) {
            if (nd > 0 && !keep[i - exFrom]) continue;
            const id = f.ids[i];
            if (!touched[id]) {
              touched[id] = 1;
              touchedList[touchedCount++] = id;
            }
            const base = id * dim;
            for (let d = 0; d < dim; d++) gEmb[base + d] += dPooled[off + d];
          }
        }
      }
      if (batchWeight === 0) {
        bar?.increment();
        continue;
      }
      // Adam step (gradients are means over the batch's weight).
      step++;
      const inv = 1 / batchWeight;
      const c1 = 1 - Math.pow(B1, step);
      const c2 = 1 - Math.pow(B2, step);
      for (const d of dense) {
        const { w, g, opt } = d;
        for (let i = 0; i < w.length; i++) {
          const gi = g[i] * inv;
          const m = (opt.m[i] = B1 * opt.m[i] + (1 - B1) * gi);
          const v = (opt.v[i] = B2 * opt.v[i] + (1 - B2) * gi * gi);
          let wi = w[i] - (lr * (m / c1)) / (Math.sqrt(v / c2) + EPS);
          if (d.decay) wi -= lr * cfg.weightDecay * w[i];
          w[i] = wi;
        }
      }
      for (let t = 0; t < touchedCount; t++) {
        const id = touchedList[t];
        touched[id] = 0;
        const base = id * dim;
        for (let d = 0; d < dim; d++) {
          const i = base + d;
          const gi = gEmb[i] * inv;
          gEmb[i] = 0;
          const m = (embOpt.m[i] = B1 * embOpt.m[i] + (1 - B1) * gi);
          const v = (embOpt.v[i] = B2 * embOpt.v[i] + (1 - B2) * gi * gi);
          p.emb[i] -= (lrEmb * (m / c1)) / (Math.sqrt(v / c2) + EPS);
        }
      }
      touchedCount = 0;
      if (bar && (b % 20 === 0 || b === steps - 1)) bar.update(b + 1, { loss: (lossSum / Math.max(lossCount, 1e-9)).toFixed(4) });
    }
    bar?.stop();
    const valScore = validate(p);
    const loss = lossSum / Math.max(lossCount, 1e-9);
    const plainBest = valScore > best.score;
    if (plainBest) best = { score: valScore, epoch, params: cloneParams(p), averaged: false };
    let swaNote = '';
    if (cfg.swaFrom > 0 && epoch >= cfg.swaFrom) {
      if (!swa) swa = { params: cloneParams(p), count: 1 };
      else {
        const c = ++swa.count;
        const pairs: [Float32Array, Float32Array][] = [
          [swa.params.emb, p.emb], [swa.params.w1, p.w1], [swa.params.b1, p.b1], [swa.params.w2, p.w2], [swa.params.b2, p.b2], [swa.params.ws, p.ws],
        ];
        for (const [avg, cur] of pairs) for (let i = 0; i < avg.length; i++) avg[i] += (cur[i] - avg[i]) / c;
      }
      if (swa.count > 1) {
        // (With one epoch in it the average is the current weights, already validated.)
        const swaScore = validate(swa.params);
        swaNote = `, averaged weights (${swa.count} epochs) ${swaScore.toFixed(4)}`;
        if (swaScore > best.score) {
          best = { score: swaScore, epoch, params: cloneParams(swa.params), averaged: true };
          swaNote += ' (best: averaged)';
        }
      }
    }
    const seconds = (performance.now() - epochStart) / 1000;
    history.push({ epoch, loss, valScore: Math.max(valScore, best.epoch === epoch ? best.score : -Infinity), seconds });
    if (!opts.quiet) {
      log(`epoch ${epoch}: train loss ${loss.toFixed(4)}, validation score ${valScore.toFixed(4)}${plainBest ? ' (best)' : ''}${swaNote}, ${seconds.toFixed(1)} s`);
    }
    if (epoch - best.epoch >= cfg.patience) {
      if (!opts.quiet) log(`early stop: no improvement for ${cfg.patience} epochs; keeping epoch ${best.epoch}${best.averaged ? ' (averaged weights)' : ''}`);
      break;
    }
    lr *= cfg.lrDecay;
    lrEmb *= cfg.lrDecay;
  }
  return { params: best.params, bestEpoch: best.epoch, averaged: best.averaged, history, seconds: (performance.now() - started) / 1000 };
}
