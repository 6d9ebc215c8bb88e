/**
 * How long a text can get under Unicode compatibility normalisation (NFKC), which models' featurizers
 * apply before anything else: a bound on the work a text costs that its length alone does not give.
 * One character can become 18 (U+FDFA), and ICU's normalisation costs time per character it writes:
 * 10,000 of them took ~28 ms to normalise where ordinary text of that length takes well under 1 ms.
 *
 * Estimated per code point, from each one's own NFKC form, without normalising the text itself: its
 * cost is what this guards against. Composition across code points only shortens the result, so
 * the estimate is at least the real length (up to reordering of combining marks, which does not change
 * the length by more than a few units).
 */

/** NFKC length + 1 per BMP code unit, 0 while unknown; filled on first sight (all of it: ~60 ms, once). */
const BMP = new Uint8Array(65536);

/**
 * The blocks outside the BMP that hold characters NFKC changes (mathematical alphanumerics, enclosed
 * alphanumerics, CJK compatibility ideographs, ...), from ICU 78 (Unicode 17, Node 20.20); a test checks this list
 * against the running ICU. Anything else beyond the BMP is its own NFKC form (emoji included).
 */
export const ASTRAL_CHANGING: ReadonlyArray<readonly [number, number]> = [
  [0x105c9, 0x105e4], [0x10781, 0x107ba], [0x1109a, 0x1112f], [0x1134b, 0x115bb], [0x11938, 0x11938],
  [0x16121, 0x16128], [0x16d68, 0x16d6a], [0x1ccd6, 0x1ccf9], [0x1d15e, 0x1d1c0], [0x1d400, 0x1d7ff],
  [0x1e030, 0x1e06d], [0x1ee00, 0x1eebb], [0x1f100, 0x1f251], [0x1fbf0, 0x1fbf9], [0x2f800, 0x2fa1d],
];
/** NFKC lengths of the code points in ASTRAL_CHANGING seen so far (at most ~3,200 entries). */
const astral = new Map<number, number>();

function astralLength(cp: number): number {
  for (const [from, to] of ASTRAL_CHANGING) {
    if (cp < from) return 2;
    if (cp <= to) {
      let n = astral.get(cp);
      if (n === undefined) {
        n = String.fromCodePoint(cp).normalize('NFKC').length;
        astral.set(cp, n);
      }
      return n;
    }
  }
  return 2;
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The estimated length (UTF-16 code units) of `text` after NFKC: one table lookup per character (a
 * 10,000-character text costs tens of microseconds). ASCII text is its own NFKC form and costs one regex test.
 */
export function normalizedLength(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  let total = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      total++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        total += astralLength(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        i++;
        continue;
      }
    }
    let n = BMP[c]!;
    if (n === 0) {
      n = String.fromCharCode(c).normalize('NFKC').length + 1;
      BMP[c] = n;
    }
    total += n - 1;
  }
  return total;
}
