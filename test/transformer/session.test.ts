import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COVERAGE_COLUMNS, readCoverage } from '../../src/model/coverage';
import type { TransformerSession } from '../../src/model/transformer-session';
import { referenceLogits, sigmoid, softmax, writeTinyTransformer, type TinyTransformerOptions, type TinyWeights } from '../support/tiny-transformer';
import { DISTILBERT, openSession, specFor, tmpDir } from './support';

const LABELS = ['toxicity', 'threat', 'identity_attack'];
const TEXTS = ['hi', 'hello world, you idiot', 'you are the idiot', 'I will kill you, I hate the world and love the idiot who will hate you', ''];

/** Each text's row of probabilities from the session, and its coverage. */
async function rows(session: TransformerSession, texts: string[], labels: number) {
  const { scores, overall } = await session.classify(texts);
  const columns = labels + COVERAGE_COLUMNS;
  return texts.map((_, t) => {
    const row = scores.subarray(t * columns, (t + 1) * columns);
    return { scores: Array.from(row.subarray(0, labels)), overall: overall[t]!, read: readCoverage(row, labels)! };
  });
}

function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!)).toBeLessThan(tolerance));
}

describe('the DistilBERT fixture (WordPiece, int64 inputs, single-label softmax)', () => {
  let session: TransformerSession;
  beforeAll(async () => {
    session = await openSession(specFor(DISTILBERT));
  });

  it('gives softmax probabilities (config.json has no problem_type and two labels)', async () => {
    for (const r of await rows(session, TEXTS, 2)) {
      expect(r.scores[0]! + r.scores[1]!).toBeCloseTo(1, 6);
      expect(r.overall).toBe(Math.max(...r.scores));
    }
  });

  it('scores a text alone as in a batch padded to much longer texts (within 1e-5)', async () => {
    const long = 'this is a much longer text that makes the whole batch pad to its length '.repeat(4);
    const [alone] = await rows(session, ['This is GREAT!'], 2);
    const batch = await rows(session, [long, 'This is GREAT!', long.toUpperCase()], 2);
    expectClose(batch[1]!.scores, alone!.scores);
    expect(batch[1]!.read).toEqual({ tokens: 4, tokens_read: 4, windows: 1, truncated: false });
  });
});

describe('a transformer built here, checked against its reference forward pass', () => {
  const variants: Array<[string, Partial<TinyTransformerOptions>]> = [
    ['byte-level BPE, int64 ids, multi-label sigmoid', {}],
    ['int32 ids and token_type_ids', { idType: 'int32', tokenTypes: true, seed: 11 }],
    ['two layers, four heads', { layers: 2, heads: 4, seed: 3 }],
  ];

  it.each(variants)('%s: every text of a padded batch scores as the reference scores it unpadded', async (_name, options) => {
    const dir = tmpDir();
    const { weights } = writeTinyTransformer(dir, { labels: LABELS, ...options });
    const session = await openSession(specFor(dir));
    const got = await rows(session, TEXTS, LABELS.length);
    TEXTS.forEach((text, t) => {
      const ids = session.tokenizer.encode(text);
      const expected = Array.from(referenceLogits(weights, ids), sigmoid);
      expectClose(got[t]!.scores, expected);
      expect(got[t]!.overall).toBeCloseTo(Math.max(...expected), 5);
      expect(got[t]!.read).toMatchObject({ tokens: ids.length - 2, windows: 1, truncated: false });
    });
  });

  it('single_label_classification: softmax over the labels', async () => {
    const dir = tmpDir();
    const { weights } = writeTinyTransformer(dir, { labels: ['neutral', 'toxic'], problemType: 'single_label_classification' });
    const session = await openSession(specFor(dir, { benign_labels: ['neutral'] }));
    const [r] = await rows(session, ['you are the idiot'], 2);
    const expected = softmax(referenceLogits(weights, session.tokenizer.encode('you are the idiot')));
    expectClose(r!.scores, expected);
    // A benign label does not count towards overall.
    expect(r!.overall).toBeCloseTo(expected[1]!, 5);
  });

  it("'activation' overrides config.json's problem_type", async () => {
    const dir = tmpDir();
    const { weights } = writeTinyTransformer(dir, { labels: LABELS, problemType: 'single_label_classification' });
    const session = await openSession(specFor(dir, { activation: 'sigmoid' }));
    const [r] = await rows(session, ['hello'], LABELS.length);
    expectClose(r!.scores, Array.from(referenceLogits(weights, session.tokenizer.encode('hello')), sigmoid));
  });
});

describe('texts longer than the model reads at once', () => {
  let dir: string;
  let weights: TinyWeights;
  beforeAll(() => {
    dir = tmpDir();
    weights = writeTinyTransformer(dir, { labels: LABELS }).weights;
  });
  // 8 tokens per input: <s>, 6 text tokens, </s>. Fifteen words the BPE fixture has whole: fifteen tokens.
  const LONG = 'hello world you are the idiot you will hate the world you love the kill';

  /** The reference scores of a window of the text's tokens (specials added). */
  function windowScores(session: TransformerSession, ids: number[], start: number, size: number): number[] {
    const window = [...session.tokenizer.prefix, ...ids.slice(start, start + size), ...session.tokenizer.suffix];
    return Array.from(referenceLogits(weights, window), sigmoid);
  }

  it('reads the whole text as overlapping windows, each label at its maximum over them', async () => {
    const session = await openSession(specFor(dir, { max_length: 8, window_overlap: 2 }));
    const ids = session.tokenizer.ids(LONG);
    expect(ids).toHaveLength(15);
    // Windows of 6, 4 apart; the last ends at the text's end: starts 0, 4, 8, 9.
    const expected = [0, 4, 8, 9].map((start) => windowScores(session, ids, start, 6));
    const [r] = await rows(session, [LONG], LABELS.length);
    expectClose(r!.scores, LABELS.map((_, j) => Math.max(...expected.map((w) => w[j]!))));
    expect(r!.read).toEqual({ tokens: 15, tokens_read: 15, windows: 4, truncated: false });
  });

  it('with long_texts: truncate, reads the first window only and says so', async () => {
    const session = await openSession(specFor(dir, { max_length: 8, long_texts: 'truncate' }));
    const ids = session.tokenizer.ids(LONG);
    const [r, short] = await rows(session, [LONG, 'hello'], LABELS.length);
    expectClose(r!.scores, windowScores(session, ids, 0, 6));
    expect(r!.read).toEqual({ tokens: 15, tokens_read: 6, windows: 1, truncated: true });
    expect(short!.read).toEqual({ tokens: 1, tokens_read: 1, windows: 1, truncated: false });
  });

  it('gives the same scores whatever the token budget cuts the batch into', async () => {
    const texts = [LONG, 'hi', 'you idiot', LONG.split(' ').reverse().join(' '), 'the world'];
    const roomy = await rows(await openSession(specFor(dir, { max_length: 8 })), texts, LABELS.length);
    // One input per run at most, and 16 padded tokens: a run holds two short windows or one full one.
    for (const batch of [{ maxBatchSize: 1 }, { maxBatchTokens: 16 }]) {
      const tight = await rows(await openSession(specFor(dir, { max_length: 8 }, batch)), texts, LABELS.length);
      tight.forEach((r, t) => expectClose(r.scores, roomy[t]!.scores));
    }
  });
});

describe('a model folder the service cannot serve', () => {
  it('fails to open when config.json names fewer labels than the logits have, saying both', async () => {
    const dir = tmpDir();
    writeTinyTransformer(dir, { labels: LABELS });
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { id2label: Record<string, string> };
    config.id2label = { 0: 'a', 1: 'b' };
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    await expect(openSession(specFor(dir))).rejects.toThrow('logits have shape [1, 3]; expected [1, 2]');
  });

  it('refuses a max_length that leaves no room for text', async () => {
    const dir = tmpDir();
    writeTinyTransformer(dir, { labels: LABELS });
    await expect(openSession(specFor(dir, { max_length: 4, window_overlap: 2 }))).rejects.toThrow('window_overlap 2 must be less than the 2 text tokens of a window');
  });
});
