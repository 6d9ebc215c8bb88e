import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { toProbabilities } from './activation';
import type { ModelBundle } from './bundle';
import { createFeaturizer, type Featurizer } from '../featurizer';

export interface ModelOutput {
  /** Row-major [texts, labels] probabilities. */
  scores: Float32Array;
  /** Overall probability per text. */
  overall: Float32Array;
}

export interface SessionOptions {
  /**
   * onnxruntime intra-op threads (default 1: parallelism comes from the worker pool). Only for
   * speed experiments (bench/inprocess.ts --threads): with more, onnxruntime's ScatterND sums the
   * embedding bags on several threads in a race and some scores come out wrong, which is why the
   * service's config allows only 1 (bench/README.md).
   */
  threads?: number;
}

/**
 * A loaded model in one thread (plus onnxruntime's helper threads, if given): featurizer +
 * onnxruntime session, texts in, probabilities out.
 * The inference worker runs one; the in-process benchmark measures one. onnxruntime-node must be
 * required by the caller (after ORT_DISABLE_TELEMETRY is set) and passed in.
 * One batch at a time: the feeds of a batch live in buffers the next `feeds` call overwrites, so
 * await each `run` before featurizing the next batch (as both callers do).
 */
export class ModelSession {
  private constructor(
    private readonly ort: typeof import('onnxruntime-node'),
    private readonly session: InferenceSession,
    private readonly bundle: ModelBundle,
    readonly featurizer: Featurizer,
    private readonly fetches: string[],
  ) {}

  static async open(ort: typeof import('onnxruntime-node'), bundle: ModelBundle, options: SessionOptions = {}): Promise<ModelSession> {
    const { manifest } = bundle;
    const featurizer = createFeaturizer(manifest.featurizer, { reuseOutput: true });
    const threads = options.threads ?? 1;
    const session = await ort.InferenceSession.create(bundle.onnxPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Helper threads sleep between parallel sections instead of spinning: a spinning thread takes
      // the core that the HTTP thread (and, on a shared host, everything else) needs.
      ...(threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    });
    const overall = manifest.outputs.overall;
    const fetches = 'name' in overall ? [manifest.outputs.scores.name, overall.name] : [manifest.outputs.scores.name];
    for (const name of fetches) {
      if (!session.outputNames.includes(name)) {
        throw new Error(`model.json names output '${name}' but ${bundle.onnxPath} has ${session.outputNames.join(', ')}`);
      }
    }
    const model = new ModelSession(ort, session, bundle, featurizer, fetches);
    // The first run initialises onnxruntime's kernels (hundreds of ms): pay it at load, not on a request.
    await model.run(model.feeds(['warm-up']), 1);
    return model;
  }

  /** The ONNX feeds of a batch (featurization); valid until the next call. */
  feeds(texts: readonly string[]): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    for (const [name, feed] of Object.entries(this.featurizer.featurize(texts))) {
      feeds[name] = new this.ort.Tensor(feed.type, feed.data, feed.dims);
    }
    return feeds;
  }

  /** Runs the session on feeds for `count` texts and turns its outputs into probabilities. */
  async run(feeds: Record<string, Tensor>, count: number): Promise<ModelOutput> {
    const { manifest } = this.bundle;
    const labelCount = manifest.labels.length;
    const out = await this.session.run(feeds, this.fetches);
    const scores = toProbabilities(out[this.fetches[0]!]!.data as Float32Array, count, labelCount, manifest.outputs.scores.activation);
    const overall = new Float32Array(count);
    if (this.fetches.length > 1) {
      overall.set(out[this.fetches[1]!]!.data as Float32Array);
    } else {
      for (let i = 0; i < count; i++) {
        let max = 0;
        for (let j = 0; j < labelCount; j++) max = Math.max(max, scores[i * labelCount + j]!);
        overall[i] = max;
      }
    }
    return { scores, overall };
  }

  /** Featurize + run. */
  classify(texts: readonly string[]): Promise<ModelOutput> {
    return this.run(this.feeds(texts), texts.length);
  }
}
