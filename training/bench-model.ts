/**
 * `npm run bench:model [-- --model DIR --data DIR --seconds N]`: in-process throughput of the
 * model bundle on one thread, featurization included (normalise + hash + tensors + session.run),
 * at batch 1 and batch 64, on tweet-length texts (TweetEval validation tweets when the data folder
 * is there, else built-in sample sentences). A benchmark, not a test: it prints, it does not assert.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadBundle } from '../src/model/bundle';
import { createFeaturizer } from '../src/featurizer';
import { DEFAULT_DATA_DIR, DEFAULT_MODEL_DIR, intArg, parseArgs } from './cli';
import { openSession, toFeeds } from './onnx/session';

const SAMPLES = [
  'you are such an idiot, nobody wants you here',
  'Thanks for the update, see you at the meeting tomorrow!',
  '@user lol this is the best thing I have read all week 😂',
  'URGENT! You have won a £1000 prize. Call 09061701461 to claim now',
  'I disagree with the article but the author makes some fair points about housing.',
  'shut up you stupid b!tch',
  'Can anyone recommend a good book on the history of Rome?',
  'women should not be allowed to vote, they are too emotional',
];

function loadTexts(dataDir: string): string[] {
  const file = path.join(dataDir, 'tweeteval-offensive', 'val_text.txt');
  if (existsSync(file)) return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().length > 0);
  const out: string[] = [];
  for (let i = 0; i < 1024; i++) out.push(`${SAMPLES[i % SAMPLES.length]} #${i}`);
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs(
    process.argv.slice(2),
    { values: { model: 'bundle folder (default models/default)', data: 'dataset folder (default ../shared/data)', seconds: 'seconds per measurement (default 3)' } },
    'Usage: npm run bench:model -- [options]',
  );
  const bundle = loadBundle(path.resolve(values.model ?? DEFAULT_MODEL_DIR));
  const featurizer = createFeaturizer(bundle.manifest.featurizer);
  const session = await openSession(bundle.onnxPath); // intra-op and inter-op threads = 1
  const texts = loadTexts(path.resolve(values.data ?? DEFAULT_DATA_DIR));
  const seconds = intArg(values, 'seconds', 1) ?? 3;
  const meanChars = texts.reduce((a, t) => a + t.length, 0) / texts.length;
  console.log(`model ${bundle.manifest.name} ${bundle.manifest.version}; ${texts.length} texts, mean ${meanChars.toFixed(0)} chars; 1 thread; ${process.version}`);

  async function measure(batch: number, what: 'all' | 'featurize' | 'run'): Promise<number> {
    const batches: string[][] = [];
    for (let i = 0; i + batch <= texts.length; i += batch) batches.push(texts.slice(i, i + batch));
    const prepared = what === 'run' ? batches.map((b) => toFeeds(featurizer, b)) : [];
    let done = 0;
    let i = 0;
    const step = async () => {
      const j = i++ % batches.length;
      if (what === 'featurize') featurizer.featurize(batches[j]);
      else if (what === 'run') await session.run(prepared[j]);
      else await session.run(toFeeds(featurizer, batches[j]));
      done += batch;
    };
    const warm = performance.now();
    while (performance.now() - warm < 300) await step();
    done = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) await step();
    return done / ((performance.now() - t0) / 1000);
  }

  const rows: string[] = [];
  for (const batch of [1, 64]) {
    const all = await measure(batch, 'all');
    const feat = await measure(batch, 'featurize');
    const run = await measure(batch, 'run');
    rows.push(
      `batch ${String(batch).padStart(2)}: ${all.toFixed(0).padStart(6)} texts/s end to end (featurize + run)` +
        ` | featurize only ${feat.toFixed(0)} texts/s | session.run only ${run.toFixed(0)} texts/s | ${(1e6 / all).toFixed(1)} us/text`,
    );
  }
  for (const r of rows) console.log(r);
  await session.release();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
