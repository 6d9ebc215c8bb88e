/**
 * The model benchmark of issue 18: the embedded model beside Hugging Face transformers, each run
 * through the service's own classification path (startModel: worker pool, batcher, tokenizer and
 * token-budget runs in the worker), one request at a time: texts/s and p50/p99 latency per request
 * at a few batch sizes. It reports; it asserts nothing.
 *
 * Transformers: the DistilBERT fixture of ../shared/models (tiny, untrained), and models the
 * benchmark writes with the test fixture's writer at the shapes of common toxicity classifiers
 * (MiniLM-L6-H384, DistilBERT-base), with seeded random weights and the fixture's WordPiece
 * tokenizer: their speed is that of a real model of the shape (the weights change no arithmetic);
 * their scores mean nothing.
 *
 * `benchModels` returns plain records; the CLI prints them as a table:
 * `npm run bench` records them beside its other measurements; alone:
 *   npm run bench:models -- [--seconds 5] [--batches 1,8,64] [--models embedded,tiny-distilbert,minilm-l6]
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { metrics } from '@opentelemetry/api';
import { parseConfig, resolveModels } from '../../src/config/load';
import type { AppConfigInput } from '../../src/config/schema';
import { createLogger } from '../../src/logging';
import { HfTokenizer } from '../../src/model/hf-tokenizer';
import { planRuns } from '../../src/model/token-batches';
import { maxBatchTokensOf, startModel } from '../../src/moderation/runtime';
import { TextHistograms } from '../../src/telemetry/text-histograms';
import { writeTinyTransformer } from '../../test/support/tiny-transformer';
import { intArg, intListArg, parseArgs, positiveArg } from '../../tools/cli-args';
import { percentile } from './load';
import { ROOT } from './servers';
import { makeTexts } from './texts';

const DISTILBERT_FIXTURE = path.resolve(ROOT, '../shared/models/tiny-distilbert-sst2-onnx');

/** Transformer shapes written for the benchmark: layers, hidden size, heads, feed-forward size. */
const SHAPES = {
  'minilm-l6': { layers: 6, hidden: 384, heads: 12, ffn: 1536 },
  'distilbert-base': { layers: 6, hidden: 768, heads: 12, ffn: 3072 },
} as const;

type Shape = keyof typeof SHAPES;
export const MODEL_CASES = ['embedded', 'tiny-distilbert', ...(Object.keys(SHAPES) as Shape[])] as const;
export type ModelCase = (typeof MODEL_CASES)[number];

export interface ModelBenchOptions {
  models: readonly ModelCase[];
  batches: readonly number[];
  /** Seconds per model and batch size (at least 3 requests each). */
  seconds: number;
  /** onnxruntime threads of the transformers (default: the service's, cores - 1 from 1 to 4). */
  threads?: number;
}

export interface ModelBenchRecord {
  model: ModelCase;
  kind: 'fasttext' | 'hf-transformer';
  /** onnxruntime threads of its one worker. */
  threads: number;
  batch: number;
  requests: number;
  textsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Transformers: mean tokens per text (special tokens not counted). */
  meanTokens?: number;
  /**
   * Transformers: mean tokens per text the model computes, padding and special tokens included, as
   * the worker groups each request's texts into runs (token-batches.ts); independent of machine load.
   */
  paddedTokens?: number;
}

/** The model entry of a case, writing the synthetic model into `scratch` when it is one. */
function entryOf(model: ModelCase, scratch: string, threads: number | undefined): NonNullable<AppConfigInput['models']>[number] {
  if (model === 'embedded') return { kind: 'fasttext', path: path.join(ROOT, 'models/default'), workers: 1 };
  const common = { kind: 'hf-transformer' as const, workers: 1, ...(threads ? { threads } : {}) };
  if (model === 'tiny-distilbert') return { ...common, name: model, path: DISTILBERT_FIXTURE };
  const dir = path.join(scratch, model);
  writeTinyTransformer(
    dir,
    { ...SHAPES[model], labels: ['toxic', 'severe_toxic', 'obscene', 'threat', 'insult', 'identity_hate'], vocabSize: 30_522, positions: 512, seed: 1 },
    { tokenizerFrom: DISTILBERT_FIXTURE },
  );
  return { ...common, name: model, path: dir, version: 'random-weights' };
}

/** Runs the cases one after another; each model runs alone (its own worker) while it is measured. */
export async function benchModels(options: ModelBenchOptions, progress: (line: string) => void = () => undefined): Promise<ModelBenchRecord[]> {
  const scratch = path.join(os.tmpdir(), `moderator-bench-models-${process.pid}`);
  const texts = makeTexts(4096, 4242);
  const telemetry = { meter: metrics.getMeter('bench-models'), textHistograms: new TextHistograms({ name: 'bench-models' }) };
  const logger = createLogger('silent');
  const records: ModelBenchRecord[] = [];
  try {
    for (const model of options.models) {
      const config = parseConfig({ models: [entryOf(model, scratch, options.threads)], metrics: { reporters: [] }, logging: { level: 'silent' } }, 'bench');
      const loaded = resolveModels(config, path.join(ROOT, 'bench.yml'));
      const source = loaded.models[0]!;
      const moderation = await startModel(source, loaded, { telemetry, logger, stopping: () => false });
      const threads = source.kind === 'hf-transformer' ? (source.threads ?? Math.max(1, Math.min(4, os.availableParallelism() - 1))) : 1;
      // The padded tokens of a request's texts, planned as the worker plans them (texts here fit in one input each).
      let padded: ((batch: string[]) => number) | undefined;
      if (source.kind === 'hf-transformer') {
        const tokenizer = HfTokenizer.load({ tokenizerPath: path.join(source.dir, 'tokenizer.json'), tokenizerConfigPath: path.join(source.dir, 'tokenizer_config.json') });
        const maxTokens = maxBatchTokensOf(source, moderation.info.maxLength!);
        const maxRows = source.batching?.max_batch_size ?? config.classifier.batching.max_batch_size;
        padded = (batch) => {
          const lengths = batch.map((t) => tokenizer.ids(t).length + tokenizer.specialCount);
          return planRuns(lengths, maxTokens, maxRows).reduce((sum, run) => sum + run.length * lengths[run.at(-1)!]!, 0);
        };
      }
      try {
        let at = 0;
        const next = (n: number) => Array.from({ length: n }, () => texts[at++ % texts.length]!);
        await moderation.service.classify(next(8)); // warm
        for (const batch of options.batches) {
          const latencies: number[] = [];
          let tokens = 0;
          let paddedTokens = 0;
          let textsDone = 0;
          const started = performance.now();
          while (latencies.length < 3 || performance.now() - started < options.seconds * 1000) {
            const request = next(batch);
            const t0 = performance.now();
            const results = await moderation.service.classify(request);
            latencies.push(performance.now() - t0);
            paddedTokens += padded?.(request) ?? 0;
            textsDone += batch;
            for (const r of results) tokens += r.read?.tokens ?? 0;
          }
          const elapsed = (performance.now() - started) / 1000;
          const sorted = Float64Array.from(latencies).sort();
          const record: ModelBenchRecord = {
            model,
            kind: source.kind,
            threads,
            batch,
            requests: latencies.length,
            textsPerSecond: textsDone / elapsed,
            p50Ms: percentile(sorted, 50),
            p99Ms: percentile(sorted, 99),
            ...(padded ? { meanTokens: tokens / textsDone, paddedTokens: paddedTokens / textsDone } : {}),
          };
          records.push(record);
          progress(`${model} batch ${batch}: ${record.textsPerSecond.toFixed(0)} texts/s, p50 ${record.p50Ms.toFixed(2)} ms, p99 ${record.p99Ms.toFixed(2)} ms (${record.requests} requests)`);
        }
      } finally {
        await moderation.close();
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return records;
}

/** The records as a markdown table, with each model's speed relative to the embedded one at the same batch size. */
export function modelBenchTable(records: readonly ModelBenchRecord[]): string {
  const embedded = new Map(records.filter((r) => r.model === 'embedded').map((r) => [r.batch, r.textsPerSecond]));
  const lines = [
    '| model | kind | threads | batch | requests | texts/s | vs embedded | p50 ms | p99 ms | tokens/text | computed tokens/text |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of records) {
    const base = embedded.get(r.batch);
    const ratio = base ? `${(r.textsPerSecond / base).toFixed(3)}x` : '—';
    lines.push(
      `| ${r.model} | ${r.kind} | ${r.threads} | ${r.batch} | ${r.requests} | ${r.textsPerSecond.toFixed(0)} | ${ratio} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.meanTokens?.toFixed(1) ?? '—'} | ${r.paddedTokens?.toFixed(1) ?? '—'} |`,
    );
  }
  return lines.join('\n');
}

function readArgs(): ModelBenchOptions {
  try {
    const { values } = parseArgs(
      process.argv.slice(2),
      {
        values: {
          seconds: 'seconds per model and batch size (default 5)',
          batches: 'batch sizes (default 1,8,64)',
          models: `models, from ${MODEL_CASES.join(', ')} (default embedded,tiny-distilbert,minilm-l6)`,
          threads: "onnxruntime threads of the transformers (default: the service's)",
        },
      },
      'Usage: npm run bench:models -- [options]',
    );
    const models = (values.models ?? 'embedded,tiny-distilbert,minilm-l6').split(',').map((m) => m.trim());
    for (const m of models) if (!(MODEL_CASES as readonly string[]).includes(m)) throw new Error(`--models: unknown model '${m}' (${MODEL_CASES.join(', ')})`);
    return {
      models: models as ModelCase[],
      batches: intListArg(values, 'batches') ?? [1, 8, 64],
      seconds: positiveArg(values, 'seconds') ?? 5,
      threads: intArg(values, 'threads', 1),
    };
  } catch (err) {
    process.stderr.write(`bench:models: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

if (require.main === module) {
  const options = readArgs();
  benchModels(options, (line) => process.stderr.write(`${line}\n`))
    .then((records) => process.stdout.write(`${modelBenchTable(records)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`bench:models: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    });
}
