import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MODEL } from '../support/harness';
import { runUntilExit } from '../support/server-process';
import { DISTILBERT, tmpDir } from '../transformer/support';

/** A copy of the DistilBERT fixture, broken by `breakIt`. */
function broken(breakIt: (dir: string) => void): string {
  const dir = tmpDir('broken-model-');
  cpSync(DISTILBERT, dir, { recursive: true });
  breakIt(dir);
  return dir;
}

const withModels = (second: object) => ({
  server: { host: '127.0.0.1' },
  metrics: { reporters: [] },
  models: [{ kind: 'fasttext', path: DEFAULT_MODEL, workers: 1 }, { kind: 'hf-transformer', workers: 1, threads: 1, ...second }],
});

describe('a model that cannot load stops start-up with exit 2 and one line naming its path and the reason', () => {
  it.each([
    ['an ONNX file that is not one', (dir: string) => writeFileSync(path.join(dir, 'model.onnx'), 'not a protobuf'), /^content-moderator: 'models\.1\.path': (\S+): inference worker could not load the model: .*model\.onnx/],
    ['a config.json without labels', (dir: string) => writeFileSync(path.join(dir, 'config.json'), '{"model_type": "distilbert"}'), /^content-moderator: 'models\.1\.path': (\S+)\/config\.json: 'id2label': missing/],
    ['a tokenizer.json the tokenizer cannot read', (dir: string) => writeFileSync(path.join(dir, 'tokenizer.json'), '{"model": {"type": "Nope"}}'), /^content-moderator: 'models\.1\.path': (\S+): inference worker could not load the model: \S+\/tokenizer\.json: /],
  ])('%s', async (_what, breakIt, line) => {
    const dir = broken(breakIt);
    const { code, stderr } = await runUntilExit(withModels({ path: dir }));
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(lines[0]).toContain(dir);
  }, 30_000);

  it('two models of one name', async () => {
    const { code, stderr } = await runUntilExit(withModels({ path: DISTILBERT, name: 'moderator-fasttext' }));
    expect(code).toBe(2);
    expect(stderr).toMatch(/'models\.1\.name': 'moderator-fasttext' is already the name of models\.0; give each model its own name\n$/);
  }, 30_000);
});
