import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { toProbabilities } from './activation';
import { COVERAGE_COLUMNS, writeCoverage } from './coverage';
import { HfTokenizer } from './hf-tokenizer';
import type { ModelOutput } from './model-session';
import { planRuns } from './token-batches';
import { windowsOf } from './token-windows';
import type { TransformerSpec } from './worker-protocol';

/** The inputs the service can feed; an exported classifier takes input_ids and usually the other two. */
const INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
type InputName = (typeof INPUTS)[number];
type IdType = 'int64' | 'int32';

/** One model input: a window of a text, special tokens included. */
interface Row {
  text: number;
  ids: number[];
}

export interface TransformerOptions {
  /** onnxruntime intra-op threads (transformers gain from more than one). */
  threads?: number;
}

/**
 * A Hugging Face sequence classifier (Optimum ONNX export) in one thread: tokenizer + onnxruntime
 * session, texts in, probabilities out. Each text is read whole, as overlapping windows (or only its
 * start, when the config says truncate); the windows of a batch are grouped by length into runs
 * within the token budget; each label's probability is its maximum over the text's windows.
 */
export class TransformerSession {
  private readonly columns: number;

  private constructor(
    private readonly ort: typeof import('onnxruntime-node'),
    private readonly session: InferenceSession,
    private readonly spec: TransformerSpec,
    readonly tokenizer: HfTokenizer,
    private readonly inputs: ReadonlyMap<InputName, IdType>,
    /** Text tokens per window. */
    private readonly windowSize: number,
    private readonly overlap: number,
  ) {
    this.columns = spec.labels + COVERAGE_COLUMNS;
  }

  static async open(ort: typeof import('onnxruntime-node'), spec: TransformerSpec, options: TransformerOptions = {}): Promise<TransformerSession> {
    const tokenizer = HfTokenizer.load(spec);
    const windowSize = spec.maxLength - tokenizer.specialCount;
    if (windowSize < 1) throw new Error(`max_length ${spec.maxLength} leaves no room for text besides ${tokenizer.specialCount} special tokens`);
    const overlap = spec.windowOverlap ?? Math.floor(windowSize / 4);
    if (overlap >= windowSize) {
      throw new Error(`window_overlap ${overlap} must be less than the ${windowSize} text tokens of a window (max_length ${spec.maxLength} less ${tokenizer.specialCount} special tokens)`);
    }
    const threads = options.threads ?? 1;
    const session = await ort.InferenceSession.create(spec.onnxPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Helper threads sleep between parallel sections instead of spinning on the cores the HTTP thread needs.
      ...(threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    });
    const inputs = new Map<InputName, IdType>();
    for (const meta of session.inputMetadata) {
      const name = meta.name as InputName;
      if (!INPUTS.includes(name)) {
        throw new Error(`${spec.onnxPath}: input '${meta.name}' is not one the service can feed (${INPUTS.join(', ')})`);
      }
      const type = meta.isTensor ? meta.type : undefined;
      if (type !== 'int64' && type !== 'int32') throw new Error(`${spec.onnxPath}: input '${meta.name}' is ${String(type)}; expected int64 or int32`);
      inputs.set(name, type);
    }
    if (!inputs.has('input_ids')) throw new Error(`${spec.onnxPath}: no 'input_ids' input (inputs: ${session.inputNames.join(', ')})`);
    if (!session.outputNames.includes('logits')) throw new Error(`${spec.onnxPath}: no 'logits' output (outputs: ${session.outputNames.join(', ')})`);
    const model = new TransformerSession(ort, session, spec, tokenizer, inputs, windowSize, overlap);
    // The first run initialises onnxruntime's kernels: pay it at load, not on a request. It also
    // checks that the logits have one column per label.
    await model.classify(['warm-up']);
    return model;
  }

  async classify(texts: readonly string[]): Promise<ModelOutput> {
    const { labels, maxBatchTokens, maxBatchSize, longTexts } = this.spec;
    const { prefix, suffix } = this.tokenizer;
    const rows: Row[] = [];
    const scores = new Float32Array(texts.length * this.columns);
    for (let t = 0; t < texts.length; t++) {
      const ids = this.tokenizer.ids(texts[t]!);
      const windows = windowsOf(ids.length, this.windowSize, this.overlap, longTexts);
      for (const start of windows.starts) rows.push({ text: t, ids: [...prefix, ...ids.slice(start, start + windows.size), ...suffix] });
      const row = scores.subarray(t * this.columns, (t + 1) * this.columns);
      // Probabilities are >= 0: a text's first window replaces the -1s.
      row.fill(-1, 0, labels);
      writeCoverage(row, labels, windows.tokens, windows.read, windows.starts.length);
    }
    for (const run of planRuns(rows.map((r) => r.ids.length), maxBatchTokens, maxBatchSize)) {
      const runRows = run.map((i) => rows[i]!);
      const probabilities = await this.run(runRows);
      runRows.forEach((row, k) => {
        const base = row.text * this.columns;
        for (let j = 0; j < labels; j++) scores[base + j] = Math.max(scores[base + j]!, probabilities[k * labels + j]!);
      });
    }
    const overall = new Float32Array(texts.length);
    for (let t = 0; t < texts.length; t++) {
      let max = 0;
      for (let j = 0; j < labels; j++) if (this.spec.counted[j]) max = Math.max(max, scores[t * this.columns + j]!);
      overall[t] = max;
    }
    return { scores, overall };
  }

  /** One model run: rows padded to the longest, with their attention mask; probabilities [rows, labels]. */
  private async run(rows: readonly Row[]): Promise<Float32Array> {
    const width = rows.reduce((w, r) => Math.max(w, r.ids.length), 0);
    const ids = new Array<number>(rows.length * width).fill(this.tokenizer.padId);
    const mask = new Array<number>(rows.length * width).fill(0);
    rows.forEach((row, r) => {
      for (let k = 0; k < row.ids.length; k++) {
        ids[r * width + k] = row.ids[k]!;
        mask[r * width + k] = 1;
      }
    });
    const feeds: Record<string, Tensor> = {};
    for (const [name, type] of this.inputs) {
      const values = name === 'input_ids' ? ids : name === 'attention_mask' ? mask : undefined;
      feeds[name] = this.tensor(type, values, rows.length, width);
    }
    const out = await this.session.run(feeds, ['logits']);
    const logits = out.logits!;
    if (logits.dims.length !== 2 || logits.dims[0] !== rows.length || logits.dims[1] !== this.spec.labels) {
      throw new Error(`${this.spec.onnxPath}: logits have shape [${logits.dims.join(', ')}]; expected [${rows.length}, ${this.spec.labels}] (one column per label of config.json's id2label)`);
    }
    return toProbabilities(logits.data as Float32Array, rows.length, this.spec.labels, this.spec.activation);
  }

  /** An id tensor in the type the graph declares; `values` undefined = zeros (token_type_ids of a single sequence). */
  private tensor(type: IdType, values: readonly number[] | undefined, rows: number, width: number): Tensor {
    const size = rows * width;
    if (type === 'int32') return new this.ort.Tensor('int32', values ? Int32Array.from(values) : new Int32Array(size), [rows, width]);
    const data = new BigInt64Array(size);
    if (values) for (let i = 0; i < size; i++) data[i] = BigInt(values[i]!);
    return new this.ort.Tensor('int64', data, [rows, width]);
  }
}
