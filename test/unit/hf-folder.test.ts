import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readTransformerFolder } from '../../src/model/hf-folder';
import { DISTILBERT, entry, tmpDir } from '../transformer/support';

/** A copy of the DistilBERT fixture with config.json / tokenizer_config.json edited. */
function variant(edit: { config?: (c: Record<string, unknown>) => void; tokenizerConfig?: ((c: Record<string, unknown>) => void) | null } = {}): string {
  const dir = tmpDir('hf-folder-');
  cpSync(DISTILBERT, dir, { recursive: true });
  const rewrite = (file: string, f: (c: Record<string, unknown>) => void) => {
    const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    f(json);
    writeFileSync(path.join(dir, file), JSON.stringify(json));
  };
  if (edit.config) rewrite('config.json', edit.config);
  if (edit.tokenizerConfig === null) rmSync(path.join(dir, 'tokenizer_config.json'));
  else if (edit.tokenizerConfig) rewrite('tokenizer_config.json', edit.tokenizerConfig);
  return dir;
}

const read = (dir: string, extra = {}) => readTransformerFolder(dir, entry(dir, extra), 'models.1');

describe('reading an Optimum-exported classifier folder', () => {
  it('takes labels from id2label, softmax for two labels without problem_type, the max length from tokenizer_config.json', () => {
    const folder = read(DISTILBERT);
    expect(folder).toMatchObject({ labels: ['NEGATIVE', 'POSITIVE'], activation: 'softmax', maxLength: 512, padTokenId: 0 });
    expect(folder.onnxPath).toBe(path.join(DISTILBERT, 'model.onnx'));
  });

  it.each([
    ['multi_label_classification', 'sigmoid'],
    ['single_label_classification', 'softmax'],
  ])('problem_type %s -> %s', (problem, activation) => {
    expect(read(variant({ config: (c) => (c.problem_type = problem) })).activation).toBe(activation);
  });

  it('refuses a regression model unless an activation is configured', () => {
    const dir = variant({ config: (c) => (c.problem_type = 'regression') });
    expect(() => read(dir)).toThrow("'problem_type': regression models give scores");
    expect(read(dir, { activation: 'sigmoid' }).activation).toBe('sigmoid');
  });

  it('finds onnx/model.onnx, or the file named in onnx_file, and lists what it found when neither is there', () => {
    const dir = variant();
    mkdirSync(path.join(dir, 'onnx'));
    renameSync(path.join(dir, 'model.onnx'), path.join(dir, 'onnx', 'model.onnx'));
    expect(read(dir).onnxPath).toBe(path.join(dir, 'onnx', 'model.onnx'));
    renameSync(path.join(dir, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model_quantized.onnx'));
    expect(() => read(dir)).toThrow(`${dir}: no model.onnx or onnx/model.onnx (found onnx/model_quantized.onnx: name one in 'models.1.onnx_file')`);
    expect(read(dir, { onnx_file: 'onnx/model_quantized.onnx' }).onnxPath).toBe(path.join(dir, 'onnx', 'model_quantized.onnx'));
    expect(() => read(dir, { onnx_file: 'nope.onnx' })).toThrow("'models.1.onnx_file': file not found");
  });

  it('max length: position embeddings when the tokenizer sets no limit (RoBERTa-style two fewer), an override within them', () => {
    expect(read(variant({ tokenizerConfig: (c) => (c.model_max_length = 1e30) })).maxLength).toBe(512);
    expect(read(variant({ tokenizerConfig: null })).maxLength).toBe(512);
    const roberta = variant({ tokenizerConfig: null, config: (c) => Object.assign(c, { model_type: 'xlm-roberta', max_position_embeddings: 514, pad_token_id: 1 }) });
    expect(read(roberta).maxLength).toBe(512);
    expect(read(DISTILBERT, { max_length: 128 }).maxLength).toBe(128);
    expect(() => read(DISTILBERT, { max_length: 1024 })).toThrow("'models.1.max_length': 1024 is more than the model's 512 positions");
    const unknown = variant({ tokenizerConfig: null, config: (c) => delete c.max_position_embeddings });
    expect(() => read(unknown)).toThrow("cannot tell the model's maximum length");
    expect(read(unknown, { max_length: 64 }).maxLength).toBe(64);
  });

  it.each([
    ['no id2label', (c: Record<string, unknown>) => delete c.id2label, "'id2label': missing"],
    ['ids with a gap', (c: Record<string, unknown>) => (c.id2label = { 0: 'a', 2: 'b' }), "'id2label': ids must be 0..1"],
    ['a label twice', (c: Record<string, unknown>) => (c.id2label = { 0: 'a', 1: 'a' }), "'id2label': label 'a' appears twice"],
  ])('names config.json and the field for %s', (_what, edit, message) => {
    const dir = variant({ config: edit });
    expect(() => read(dir)).toThrow(`${path.join(dir, 'config.json')}: ${message}`);
  });

  it('names a config.json that is not JSON', () => {
    const dir = variant();
    writeFileSync(path.join(dir, 'config.json'), '{ nope');
    expect(() => read(dir)).toThrow(`${path.join(dir, 'config.json')}: `);
  });
});
