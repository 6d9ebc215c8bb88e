import * as ort from 'onnxruntime-node';
import { loadBundle } from '../../src/model/bundle';
import { createFeaturizer } from '../../src/featurizer';
import { MODEL_DIR } from './support';

/** The committed model on hand-written sentences (none of them from the training data). */
describe('models/default sanity', () => {
  const { manifest, onnxPath } = loadBundle(MODEL_DIR);
  const featurizer = createFeaturizer(manifest.featurizer);
  const labels = manifest.labels.map((l) => l.name);
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  });
  afterAll(() => session.release());

  async function score(texts: string[]) {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(featurizer.featurize(texts))) tensors[name] = new ort.Tensor(f.type, f.data, f.dims);
    const out = await session.run(tensors);
    const s = out[manifest.outputs.scores.name].data as Float32Array;
    const o = out[(manifest.outputs.overall as { name: string }).name].data as Float32Array;
    return texts.map((_, i) => ({
      overall: o[i],
      ...Object.fromEntries(labels.map((l, k) => [l, s[i * labels.length + k]])),
    })) as ({ overall: number } & Record<string, number>)[];
  }
  const threshold = (name: string) => (name === 'overall' ? manifest.overall.threshold : manifest.labels.find((l) => l.name === name)!.threshold);

  const toxic = [
    'you are a fucking idiot and everyone hates you',
    'shut up you stupid piece of shit',
    'go kill yourself you worthless moron',
    'f*ck you a$$hole',
  ];
  const benign = [
    'Thank you so much for the help with the article, it looks great now.',
    'The meeting is moved to Thursday at 10am, see you there.',
    'I think the second paragraph needs a citation for the population figure.',
    'Happy birthday! Hope you have a wonderful day with your family.',
  ];
  const spam = [
    'WINNER!! You have been selected to receive a £900 prize reward! To claim call 09061701461. Claim code KL341. Valid 12 hours only.',
    'FREE entry into our £250 weekly competition just text the word WIN to 80086 NOW. 18 T&C www.txttowin.co.uk',
    'URGENT! Your mobile number has won a 2000 bonus caller prize. Call 09058094599 from a landline now',
  ];

  it('scores clearly toxic sentences high on toxic and overall, above the thresholds', async () => {
    for (const s of await score(toxic)) {
      expect(s.toxic).toBeGreaterThan(Math.max(0.5, threshold('toxic')));
      expect(s.overall).toBeGreaterThan(threshold('overall'));
    }
  });

  it('scores benign sentences low on every label and below the overall threshold', async () => {
    for (const s of await score(benign)) {
      expect(s.overall).toBeLessThan(threshold('overall'));
      expect(s.toxic).toBeLessThan(threshold('toxic'));
      for (const l of labels) expect(s[l]).toBeLessThan(0.5);
    }
  });

  it('scores spam SMS high on spam and not on toxic', async () => {
    for (const s of await score(spam)) {
      expect(s.spam).toBeGreaterThan(Math.max(0.5, threshold('spam')));
      expect(s.toxic).toBeLessThan(threshold('toxic'));
    }
  });

  it('sees through obfuscation: the disguised insult scores like the plain one', async () => {
    const [plain, disguised] = await score(['you are a stupid bitch', 'you are a stup1d b!tch']);
    expect(Math.abs(plain.toxic - disguised.toxic)).toBeLessThan(0.05);
  });
});
