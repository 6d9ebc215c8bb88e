/**
 * A tiny Hugging Face-style sequence classifier that the tests (and the model benchmark) write
 * themselves: a BERT-shaped ONNX graph (embeddings, multi-head self-attention with the attention
 * mask, feed-forward, layer norms, [CLS] pooler, `logits`) with seeded weights, written with the
 * project's own ONNX writer (training/onnx/builder.ts), beside a byte-level BPE tokenizer.json and an
 * Optimum-style config.json. `referenceLogits` is the same network in plain TypeScript (float64), so
 * the service's scores can be checked against it exactly.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Tokenizer as TokenizerClass } from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import { DataType, GraphBuilder } from '../../training/onnx/builder';
import { Rng } from '../../training/util/rng';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer } = require('@huggingface/tokenizers') as { Tokenizer: typeof TokenizerClass };

export interface TinyTransformerOptions {
  labels: string[];
  /** Hidden size, attention heads, feed-forward size, layers. */
  hidden?: number;
  heads?: number;
  ffn?: number;
  layers?: number;
  /** Position embeddings (the model's maximum length). */
  positions?: number;
  /** Element type of the id inputs. */
  idType?: 'int32' | 'int64';
  /** Whether the graph takes token_type_ids (BERT does, RoBERTa does not). */
  tokenTypes?: boolean;
  problemType?: 'multi_label_classification' | 'single_label_classification';
  seed?: number;
  /** Vocabulary size when no tokenizer is written (benchmark-sized models); default the BPE fixture's. */
  vocabSize?: number;
}

/** The network's weights, row-major, as the ONNX initializers hold them. */
export interface TinyWeights {
  options: Required<Omit<TinyTransformerOptions, 'vocabSize'>> & { vocab: number };
  tensors: Map<string, Float32Array>;
}

// ---------------------------------------------------------------------------------------------
// Byte-level BPE tokenizer (the GPT-2 / RoBERTa family), written from a small vocabulary.

/** GPT-2's byte-to-character table: printable bytes stand for themselves, the others for 256 + n. */
export function byteChars(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const chars: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) chars.push(String.fromCharCode(printable(b) ? b : 256 + extra++));
  return chars;
}

const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'] as const;
/** Words the vocabulary holds whole, alone and after a space (the byte-level space marker Ġ). */
const WORDS = ['hello', 'world', 'you', 'are', 'kill', 'hate', 'love', 'the', 'idiot', 'will', 'of', 'and'];

let bpe: { vocab: Record<string, number>; merges: string[] } | undefined;

/**
 * The vocabulary and merges that make each of WORDS one token, alone and after a space. Merges are
 * found with the tokenizer library itself: tokenize the word with the merges so far, join its first
 * two pieces, repeat (a merge added later ranks lower, so words already whole stay whole).
 */
function bpeVocab(): { vocab: Record<string, number>; merges: string[] } {
  if (bpe) return bpe;
  const vocab: Record<string, number> = {};
  const add = (token: string) => {
    if (!(token in vocab)) vocab[token] = Object.keys(vocab).length;
  };
  SPECIALS.forEach(add);
  byteChars().forEach(add);
  const merges: string[] = [];
  for (const text of WORDS.flatMap((w) => [w, ` ${w}`])) {
    for (;;) {
      const pieces = new Tokenizer(bpeJson(vocab, merges), {}).tokenize(text);
      if (pieces.length === 1) break;
      merges.push(`${pieces[0]} ${pieces[1]}`);
      add(`${pieces[0]}${pieces[1]}`);
    }
  }
  return (bpe = { vocab, merges });
}

/** A tokenizer.json as Hugging Face's tokenizers library writes it for a RoBERTa-style byte-level BPE. */
function bpeJson(vocab: Record<string, number>, merges: string[]): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', vocab['</s>']], cls: ['<s>', vocab['<s>']], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [...merges],
    },
  };
}

/** The BPE fixture's tokenizer.json. */
export function bpeTokenizerJson(): object {
  const { vocab, merges } = bpeVocab();
  return bpeJson(vocab, merges);
}

/** The BPE fixture's id of a token (for expected ids in tests). */
export function bpeId(token: string): number {
  const id = bpeVocab().vocab[token];
  if (id === undefined) throw new Error(`no token '${token}' in the BPE fixture`);
  return id;
}

/** A SentencePiece-style Unigram tokenizer.json (Metaspace), the third tokenizer family. */
export function unigramTokenizerJson(): object {
  const pieces: Array<[string, number]> = [
    ['<pad>', 0],
    ['</s>', 0],
    ['<unk>', 0],
    ['▁hello', -2],
    ['▁world', -2],
    ['▁', -3],
    ['he', -4],
    ['llo', -4],
    ...[...'abcdefghijklmnopqrstuvwxyz'].map((c): [string, number] => [c, -6]),
  ];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['<pad>', '</s>', '<unk>'].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 2, vocab: pieces, byte_fallback: false },
  };
}

// ---------------------------------------------------------------------------------------------
// The network.

function defaults(options: TinyTransformerOptions): TinyWeights['options'] {
  return {
    labels: options.labels,
    hidden: options.hidden ?? 8,
    heads: options.heads ?? 2,
    ffn: options.ffn ?? 16,
    layers: options.layers ?? 1,
    positions: options.positions ?? 32,
    idType: options.idType ?? 'int64',
    tokenTypes: options.tokenTypes ?? false,
    problemType: options.problemType ?? 'multi_label_classification',
    seed: options.seed ?? 7,
    vocab: options.vocabSize ?? Object.keys(bpeVocab().vocab).length,
  };
}

/** Seeded weights: normal(0, 0.5) for matrices and embeddings, LayerNorm gains near 1. */
export function tinyWeights(options: TinyTransformerOptions): TinyWeights {
  const o = defaults(options);
  const rng = new Rng(o.seed);
  const tensors = new Map<string, Float32Array>();
  const fill = (name: string, size: number, f: () => number) => tensors.set(name, Float32Array.from({ length: size }, f));
  const normal = (name: string, size: number) => fill(name, size, () => rng.normal() * 0.5);
  const d = o.hidden;
  normal('tok_emb', o.vocab * d);
  normal('pos_emb', o.positions * d);
  if (o.tokenTypes) normal('type_emb', 2 * d);
  const layerNorm = (name: string) => {
    fill(`${name}_g`, d, () => 1 + rng.normal() * 0.1);
    fill(`${name}_b`, d, () => rng.normal() * 0.1);
  };
  layerNorm('emb_ln');
  for (let l = 0; l < o.layers; l++) {
    for (const p of ['q', 'k', 'v', 'o']) {
      normal(`l${l}_${p}_w`, d * d);
      normal(`l${l}_${p}_b`, d);
    }
    layerNorm(`l${l}_ln1`);
    normal(`l${l}_f1_w`, d * o.ffn);
    normal(`l${l}_f1_b`, o.ffn);
    normal(`l${l}_f2_w`, o.ffn * d);
    normal(`l${l}_f2_b`, d);
    layerNorm(`l${l}_ln2`);
  }
  normal('pool_w', d * d);
  normal('pool_b', d);
  normal('cls_w', d * o.labels.length);
  normal('cls_b', o.labels.length);
  return { options: o, tensors };
}

const GELU_C = Math.sqrt(2 / Math.PI);
const LN_EPS = 1e-5;
const MASKED = -1e4;

/** The ONNX graph of the network (opset 17). */
export function tinyTransformerOnnx(weights: TinyWeights): Uint8Array {
  const o = weights.options;
  const d = o.hidden;
  const dh = d / o.heads;
  if (!Number.isInteger(dh)) throw new Error('hidden must be a multiple of heads');
  const g = new GraphBuilder('tiny_transformer');
  const idType = o.idType === 'int64' ? DataType.INT64 : DataType.INT32;
  g.input('input_ids', idType, ['batch', 'sequence']);
  g.input('attention_mask', idType, ['batch', 'sequence']);
  if (o.tokenTypes) g.input('token_type_ids', idType, ['batch', 'sequence']);
  const w = (name: string, dims: number[]) => g.initializer(name, DataType.FLOAT, dims, weights.tensors.get(name)!);
  const scalar = (name: string, value: number) => g.initializer(name, DataType.FLOAT, [], Float32Array.of(value));
  const one = scalar('one', 1);
  const half = scalar('half', 0.5);
  const geluA = scalar('gelu_a', 0.044715);
  const geluC = scalar('gelu_c', GELU_C);
  const linear = (x: string, name: string, rows: number, cols: number) => g.node('Add', [g.node('MatMul', [x, w(`${name}_w`, [rows, cols])]), w(`${name}_b`, [cols])]);
  const layerNorm = (x: string, name: string) => g.node('LayerNormalization', [x, w(`${name}_g`, [d]), w(`${name}_b`, [d])], undefined, { axis: -1, epsilon: { float: LN_EPS } });

  let x = g.node('Gather', [w('tok_emb', [o.vocab, d]), 'input_ids']);
  const length = g.node('Shape', ['input_ids'], undefined, { start: 1, end: 2 });
  x = g.node('Add', [x, g.node('Slice', [w('pos_emb', [o.positions, d]), g.int64s('slice_start', [0]), length, g.int64s('slice_axis', [0])])]);
  if (o.tokenTypes) x = g.node('Add', [x, g.node('Gather', [w('type_emb', [2, d]), 'token_type_ids'])]);
  x = layerNorm(x, 'emb_ln');

  // Padding gets -1e4 before the softmax: its weight underflows to exactly 0.
  const mask = g.node('Cast', ['attention_mask'], undefined, { to: DataType.FLOAT });
  const bias = g.node('Unsqueeze', [g.node('Mul', [g.node('Sub', [one, mask]), scalar('masked', MASKED)]), g.int64s('bias_axes', [1, 2])]);
  const headsShape = g.int64s('heads_shape', [0, 0, o.heads, dh]);
  const modelShape = g.int64s('model_shape', [0, 0, d]);
  const scale = scalar('scale', 1 / Math.sqrt(dh));
  const split = (t: string) => g.node('Transpose', [g.node('Reshape', [t, headsShape])], undefined, { perm: [0, 2, 1, 3] });
  for (let l = 0; l < o.layers; l++) {
    const q = split(linear(x, `l${l}_q`, d, d));
    const k = g.node('Transpose', [split(linear(x, `l${l}_k`, d, d))], undefined, { perm: [0, 1, 3, 2] });
    const v = split(linear(x, `l${l}_v`, d, d));
    const attention = g.node('Softmax', [g.node('Add', [g.node('Mul', [g.node('MatMul', [q, k]), scale]), bias])], undefined, { axis: -1 });
    const context = g.node('Reshape', [g.node('Transpose', [g.node('MatMul', [attention, v])], undefined, { perm: [0, 2, 1, 3] }), modelShape]);
    x = layerNorm(g.node('Add', [x, linear(context, `l${l}_o`, d, d)]), `l${l}_ln1`);
    const h = linear(x, `l${l}_f1`, d, o.ffn);
    const inner = g.node('Mul', [g.node('Add', [h, g.node('Mul', [g.node('Mul', [g.node('Mul', [h, h]), h]), geluA])]), geluC]);
    const gelu = g.node('Mul', [g.node('Mul', [h, half]), g.node('Add', [g.node('Tanh', [inner]), one])]);
    x = layerNorm(g.node('Add', [x, linear(gelu, `l${l}_f2`, o.ffn, d)]), `l${l}_ln2`);
  }
  const cls = g.node('Gather', [x, g.initializer('cls_index', DataType.INT64, [], BigInt64Array.of(0n))], undefined, { axis: 1 });
  const pooled = g.node('Tanh', [linear(cls, 'pool', d, d)]);
  g.node('Add', [g.node('MatMul', [pooled, w('cls_w', [d, o.labels.length])]), w('cls_b', [o.labels.length])], 'logits');
  g.output('logits', DataType.FLOAT, ['batch', o.labels.length]);
  return g.encode({ producer: 'content-moderator-tests', version: '1', doc: 'tiny transformer-shaped classifier (test fixture)' });
}

// ---------------------------------------------------------------------------------------------
// The reference forward pass: one unpadded sequence, float64.

function matmul(a: Float64Array, rows: number, inner: number, b: Float32Array, cols: number, bias: Float32Array): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = bias[c]!;
      for (let k = 0; k < inner; k++) sum += a[r * inner + k]! * b[k * cols + c]!;
      out[r * cols + c] = sum;
    }
  }
  return out;
}

function layerNormRows(x: Float64Array, rows: number, d: number, gain: Float32Array, bias: Float32Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let k = 0; k < d; k++) mean += x[r * d + k]!;
    mean /= d;
    let variance = 0;
    for (let k = 0; k < d; k++) variance += (x[r * d + k]! - mean) ** 2;
    variance /= d;
    const inv = 1 / Math.sqrt(variance + LN_EPS);
    for (let k = 0; k < d; k++) out[r * d + k] = (x[r * d + k]! - mean) * inv * gain[k]! + bias[k]!;
  }
  return out;
}

/** The logits of one sequence of token ids (special tokens included), no padding. */
export function referenceLogits(weights: TinyWeights, ids: readonly number[], typeIds?: readonly number[]): Float64Array {
  const o = weights.options;
  const t = (name: string) => weights.tensors.get(name)!;
  const d = o.hidden;
  const dh = d / o.heads;
  const n = ids.length;
  let x: Float64Array = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      x[i * d + k] = t('tok_emb')[ids[i]! * d + k]! + t('pos_emb')[i * d + k]! + (o.tokenTypes ? t('type_emb')[(typeIds?.[i] ?? 0) * d + k]! : 0);
    }
  }
  x = layerNormRows(x, n, d, t('emb_ln_g'), t('emb_ln_b'));
  for (let l = 0; l < o.layers; l++) {
    const p = (name: string) => [t(`l${l}_${name}_w`), t(`l${l}_${name}_b`)] as const;
    const [qw, qb] = p('q');
    const [kw, kb] = p('k');
    const [vw, vb] = p('v');
    const q = matmul(x, n, d, qw, d, qb);
    const k = matmul(x, n, d, kw, d, kb);
    const v = matmul(x, n, d, vw, d, vb);
    const context = new Float64Array(n * d);
    for (let h = 0; h < o.heads; h++) {
      for (let i = 0; i < n; i++) {
        const scores = new Float64Array(n);
        let max = -Infinity;
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let e = 0; e < dh; e++) s += q[i * d + h * dh + e]! * k[j * d + h * dh + e]!;
          scores[j] = s / Math.sqrt(dh);
          max = Math.max(max, scores[j]!);
        }
        let sum = 0;
        for (let j = 0; j < n; j++) sum += scores[j] = Math.exp(scores[j]! - max);
        for (let e = 0; e < dh; e++) {
          let c = 0;
          for (let j = 0; j < n; j++) c += (scores[j]! / sum) * v[j * d + h * dh + e]!;
          context[i * d + h * dh + e] = c;
        }
      }
    }
    const [ow, ob] = p('o');
    const attended = matmul(context, n, d, ow, d, ob).map((value, i) => value + x[i]!);
    x = layerNormRows(attended, n, d, t(`l${l}_ln1_g`), t(`l${l}_ln1_b`));
    const [f1w, f1b] = p('f1');
    const [f2w, f2b] = p('f2');
    const hidden = matmul(x, n, d, f1w, o.ffn, f1b).map((h) => 0.5 * h * (1 + Math.tanh(GELU_C * (h + 0.044715 * h ** 3))));
    const fed = matmul(hidden, n, o.ffn, f2w, d, f2b).map((value, i) => value + x[i]!);
    x = layerNormRows(fed, n, d, t(`l${l}_ln2_g`), t(`l${l}_ln2_b`));
  }
  const pooled = matmul(x.slice(0, d), 1, d, t('pool_w'), d, t('pool_b')).map(Math.tanh);
  return matmul(pooled, 1, d, t('cls_w'), o.labels.length, t('cls_b'));
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function softmax(logits: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(logits));
  const exps = Array.from(logits, (z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

// ---------------------------------------------------------------------------------------------
// The folder, as Optimum exports it.

export interface WrittenModel {
  dir: string;
  weights: TinyWeights;
}

export interface FolderOptions {
  /** The ONNX file's path in the folder (default model.onnx). */
  onnxFile?: string;
  /**
   * A folder whose tokenizer.json and tokenizer_config.json to use instead of the BPE fixture's
   * (its vocabulary must fit `vocabSize`): the benchmark pairs model shapes with a real WordPiece tokenizer.
   */
  tokenizerFrom?: string;
}

/** Writes config.json, tokenizer.json, tokenizer_config.json and the ONNX file into `dir`, as Optimum lays them out. */
export function writeTinyTransformer(dir: string, options: TinyTransformerOptions, files: FolderOptions = {}): WrittenModel {
  const weights = tinyWeights(options);
  const o = weights.options;
  const onnxFile = files.onnxFile ?? 'model.onnx';
  mkdirSync(path.dirname(path.join(dir, onnxFile)), { recursive: true });
  writeFileSync(path.join(dir, onnxFile), tinyTransformerOnnx(weights));
  const id2label = Object.fromEntries(o.labels.map((label, i) => [String(i), label]));
  const config = {
    _name_or_path: 'tiny-transformer-fixture',
    architectures: ['BertForSequenceClassification'],
    model_type: 'tiny',
    hidden_size: o.hidden,
    num_attention_heads: o.heads,
    num_hidden_layers: o.layers,
    intermediate_size: o.ffn,
    max_position_embeddings: o.positions,
    vocab_size: o.vocab,
    pad_token_id: files.tokenizerFrom ? 0 : bpeId('<pad>'),
    problem_type: o.problemType,
    id2label,
    label2id: Object.fromEntries(o.labels.map((label, i) => [label, i])),
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  if (files.tokenizerFrom) {
    for (const file of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(path.join(files.tokenizerFrom, file), path.join(dir, file));
    return { dir, weights };
  }
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(bpeTokenizerJson()));
  writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ model_max_length: o.positions, bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>', unk_token: '<unk>', cls_token: '<s>', sep_token: '</s>' }),
  );
  return { dir, weights };
}
