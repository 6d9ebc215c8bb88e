import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { HfTokenizer } from '../../src/model/hf-tokenizer';
import { bpeId, bpeTokenizerJson, unigramTokenizerJson } from '../support/tiny-transformer';
import { DISTILBERT, tmpDir } from './support';

function tokenizerFrom(json: object, config?: object): HfTokenizer {
  const dir = tmpDir('tokenizer-');
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
  if (config) writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  return HfTokenizer.load({ tokenizerPath: path.join(dir, 'tokenizer.json'), tokenizerConfigPath: config ? path.join(dir, 'tokenizer_config.json') : undefined });
}

describe('Hugging Face tokenizers (tokenizer.json, pure JS, no network)', () => {
  it('WordPiece: the DistilBERT fixture gives the ids of Hugging Face tokenizers, with [CLS] and [SEP] around the text', () => {
    const t = HfTokenizer.load({ tokenizerPath: path.join(DISTILBERT, 'tokenizer.json'), tokenizerConfigPath: path.join(DISTILBERT, 'tokenizer_config.json') });
    expect(t.encode('This is GREAT!')).toEqual([101, 2023, 2003, 2307, 999, 102]);
    expect(t.ids('This is GREAT!')).toEqual([2023, 2003, 2307, 999]);
    expect({ prefix: t.prefix, suffix: t.suffix, pad: t.padId }).toEqual({ prefix: [101], suffix: [102], pad: 0 });
  });

  it('byte-level BPE (RoBERTa style): merges make whole words, unknown words fall back to bytes, <s> ... </s> around', () => {
    const t = tokenizerFrom(bpeTokenizerJson(), { pad_token: '<pad>' });
    expect(t.encode('hello world, you idiot')).toEqual([bpeId('<s>'), bpeId('hello'), bpeId('Ġworld'), bpeId(','), bpeId('Ġyou'), bpeId('Ġidiot'), bpeId('</s>')]);
    // No merge for "zq": one token per byte, after the space marker.
    expect(t.ids(' zq')).toEqual([bpeId('Ġ'), bpeId('z'), bpeId('q')]);
    // Non-ASCII text is read as its UTF-8 bytes (é = C3 A9 -> Ã ©).
    expect(t.ids('é')).toEqual([bpeId('Ã'), bpeId('©')]);
    expect(t.padId).toBe(bpeId('<pad>'));
  });

  it('Unigram (SentencePiece style, Metaspace): the best segmentation by piece scores, </s> after', () => {
    const t = tokenizerFrom(unigramTokenizerJson());
    // ▁hello and ▁world are pieces; "hey" is not: ▁ + he + y scores better than single letters.
    expect(t.encode('hello world hey')).toEqual([3, 4, 5, 6, 8 + 24, 1]);
    expect({ prefix: t.prefix, suffix: t.suffix }).toEqual({ prefix: [], suffix: [1] });
  });

  it('names the file when tokenizer.json is not one it can read', () => {
    const dir = tmpDir('tokenizer-');
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({ model: { type: 'Nope' } }));
    expect(() => HfTokenizer.load({ tokenizerPath: path.join(dir, 'tokenizer.json') })).toThrow(`${path.join(dir, 'tokenizer.json')}:`);
  });
});
