import fc from 'fast-check';
import { ASTRAL_CHANGING, normalizedLength } from '../../src/api/text-expansion';

describe('the NFKC length estimate', () => {
  it('lists every code point beyond the BMP that NFKC changes, for the ICU of this Node', () => {
    const inList = (cp: number) => ASTRAL_CHANGING.some(([from, to]) => cp >= from && cp <= to);
    const missing: string[] = [];
    for (let cp = 0x10000; cp < 0x110000; cp++) {
      const s = String.fromCodePoint(cp);
      if (s.normalize('NFKC') !== s && !inList(cp)) missing.push(cp.toString(16));
    }
    // A newer ICU may add some: extend ASTRAL_CHANGING (src/api/text-expansion.ts) with them.
    expect(missing).toEqual([]);
  });

  it.each([
    ['ASCII', 'hello world', 11],
    ['U+FDFA (one becomes 18)', '\ufdfa\ufdfa', 36],
    ['a ligature', 'ﬁ', 2],
    ['Korean (precomposed, unchanged)', '안녕하세요', 5],
    ['full-width (one for one)', 'ｈｅｌｌｏ', 5],
    ['emoji (two code units each, unchanged)', '😀🎉', 4],
    ['mathematical bold (two code units become one)', '𝐀𝐁', 2],
    ['a lone surrogate', '\ud800x', 2],
  ])('%s', (_name, text, expected) => {
    expect(normalizedLength(text)).toBe(expected);
  });

  it('is at least the real NFKC length of generated text (never lets a text through on a low estimate)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 })), (text) => {
        expect(normalizedLength(text)).toBeGreaterThanOrEqual(text.normalize('NFKC').length);
      }),
      { numRuns: 5000 },
    );
  });
});
