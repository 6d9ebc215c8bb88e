/**
 * Text normalisation shared by training and serving (pure TypeScript, no dependencies).
 *
 * The output is what the model sees and what serving uses as its result-cache key, so every
 * feature must be a function of `normalizeText(text)` alone. Changing anything here changes
 * the model's input: bump `FEATURIZER_VERSION` in ../featurizer.ts and retrain.
 */

export interface NormalizationOptions {
  /** Unicode NFKC (full-width, ligatures, math alphabets, circled letters), drop format chars (zero-width, bidi). */
  readonly nfkc: boolean;
  /** Strip combining marks on Latin letters (accents, "Zalgo" stacks) and map Cyrillic/Greek look-alikes inside Latin words. */
  readonly fold_lookalikes: boolean;
  readonly lowercase: boolean;
  /** URLs, bare web addresses and `[URL]` become `<url>`; e-mail addresses become `<email>`. */
  readonly urls: boolean;
  /** `@name` and `[USER]` become `@user`; a retweet marker `RT @user` loses its `RT`. */
  readonly mentions: boolean;
  /** Runs of this many or more digits become `<num>` (0 = keep numbers). */
  readonly long_number: number;
  /** A character repeated more than this many times is cut to this many (0 = off). Digits are never cut. */
  readonly max_repeat: number;
  /** Undo common obfuscations: "f*ck", "sh1t", "a$$hole", "f.u.c.k", "b!tch". */
  readonly deobfuscate: boolean;
  /** Append ` <shout>` when most letters of the original text are capitals (the case signal survives lowercasing). */
  readonly shout: boolean;
}

// ---------------------------------------------------------------------------------------------
// HTML entities (Davidson's tweets carry `&amp;`, `&#128514;` ...)

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const ENTITY_RE = /&(#\d{1,7}|#x[0-9a-f]{1,6}|amp|lt|gt|quot|apos|nbsp);?/gi;

function decodeEntity(match: string, body: string): string {
  if (body[0] === '#') {
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) return String.fromCodePoint(code);
    return match;
  }
  return NAMED_ENTITIES[body.toLowerCase()] ?? match;
}

// ---------------------------------------------------------------------------------------------
// Unicode folding

// Cyrillic and Greek letters that look like Latin ones; only applied inside words that also hold Latin letters.
const LOOKALIKES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', ս: 'u', ո: 'n',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', І: 'I', Ј: 'J', Ѕ: 'S',
  α: 'a', ο: 'o', ρ: 'p', ν: 'v', τ: 't', κ: 'k', ι: 'i', υ: 'u', χ: 'x', ε: 'e',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
  // Small capitals and other letter-like symbols that NFKC leaves alone.
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm', ɴ: 'n', ᴏ: 'o',
  ᴘ: 'p', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z',
};
const LOOKALIKE_CLASS = `[${Object.keys(LOOKALIKES).join('')}]`;
const LOOKALIKE_RE = new RegExp(LOOKALIKE_CLASS, 'u');
const LOOKALIKE_GLOBAL_RE = new RegExp(LOOKALIKE_CLASS, 'gu');
const MIXED_WORD_RE = /[\p{L}\p{M}]+/gu;
const LATIN_RE = /[A-Za-z]/;
const SMALL_CAPS_ONLY_RE = /^[ᴀʙᴄᴅᴇɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ]+$/u;
const FORMAT_CHARS_RE = /\p{Cf}+/gu;
const LATIN_MARKS_RE = /([A-Za-z])\p{Mn}+/gu;
/** Precomposed Latin letters with diacritics, or combining marks: only then is NFD worth it. */
const MAY_HAVE_MARKS_RE = /[\u00c0-\u024f\u0300-\u036f\u1dc0-\u1eff\u20d0-\u20ff\ufe20-\ufe2f]/;
const NON_ASCII_RE = /[^\x00-\x7f]/;

function foldWord(word: string): string {
  if (!LOOKALIKE_RE.test(word)) return word;
  if (!LATIN_RE.test(word) && !SMALL_CAPS_ONLY_RE.test(word)) return word;
  return word.replace(LOOKALIKE_GLOBAL_RE, (ch) => LOOKALIKES[ch] ?? ch);
}

// ---------------------------------------------------------------------------------------------
// Obfuscation

/** Words people disguise; order = preference when a masked form fits several ("s**t" -> shit). */
const LEXICON = [
  'fucking', 'fucker', 'fucked', 'fuck', 'motherfucker', 'shit', 'bitch', 'bitches', 'cunt', 'dick', 'cock', 'pussy',
  'asshole', 'ass', 'bastard', 'slut', 'whore', 'nigger', 'nigga', 'niggas', 'faggot', 'fag', 'retard', 'retarded',
  'damn', 'crap', 'piss', 'twat', 'wanker', 'bollocks', 'douche', 'hoe', 'hoes', 'idiot', 'stupid', 'moron', 'dumb',
  'suck', 'sucks', 'porn', 'sex', 'sexy', 'penis', 'vagina', 'tits', 'boobs', 'cum', 'jizz', 'kill', 'rape', 'die',
  'hell', 'loser', 'ugly', 'fat', 'gay', 'homo', 'dyke', 'tranny', 'kike', 'spic', 'chink', 'raghead', 'terrorist',
  'free', 'cash', 'prize', 'winner', 'viagra', 'casino',
];
/** Lexicon words (3+ letters) by first letter, in preference order. */
const LEXICON_BY_FIRST = new Map<string, string[]>();
for (const word of LEXICON) {
  if (word.length < 3) continue;
  const list = LEXICON_BY_FIRST.get(word[0]) ?? [];
  list.push(word);
  LEXICON_BY_FIRST.set(word[0], list);
}
/** Characters that stand for a letter. */
const LEET: Record<string, string> = {
  '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g',
  '@': 'a', $: 's', '!': 'i', '|': 'l', '+': 't', '¡': 'i', '€': 'e', '£': 'e',
};
/** Leet characters the generic rule (outside the lexicon) restores: digits, `@` and `$` only. */
const GENERIC_LEET = new Set(['0', '1', '3', '4', '5', '7', '8', '9', '@', '$']);
/** Characters that hide a letter without hinting which. */
const MASKS = new Set(['*', '#', '%', '_', '-', '.', '?', '&', '^', '~']);
/** A token core that may hide a word: a letter next to a disguise character. */
const SUSPECT_RE = /[a-z][0-9@$!*#%|+_^~?&¡€£.-]|[0-9@$!*#%|+_^~?&¡€£.-][a-z]/;
/**
 * Where in a text a disguised word may sit: disguise characters between letters ("sh1t", "f*ck"),
 * two or more at the end of a word ("a$$", "f**") or leet at the start of a word ("5hit", "@$$hole").
 */
const SUSPECT_TEXT_RE = /[a-z][0-9@$!*#%|+_^~?&¡€£.-]+[a-z0-9@$*#%|+]|[a-z][*#$@]{2,}(?:\s|$)|(?:^|\s)(?!@user)[0-9@$!|+]+[a-z]/;
const SUSPECT_GLOBAL_RE = new RegExp(SUSPECT_TEXT_RE.source, 'g');
const LEADING_PUNCT_RE = /^["'(\[{<]+/;
const TRAILING_PUNCT_RE = /[.,!?;:"')\]}>]+$/;

function isLetter(ch: string): boolean {
  return ch >= 'a' && ch <= 'z';
}

/**
 * Does `core` spell `word` (followed by a purely alphabetic suffix) with leet characters and
 * masks? Masks match one or more letters; the first character must be the real first letter.
 * Returns the restored token or undefined.
 */
function matchLexicon(core: string, word: string): string | undefined {
  if (core[0] !== word[0] && LEET[core[0]] !== word[0]) return undefined;
  // Backtracking match: i over core, j over word.
  const n = core.length;
  const m = word.length;
  const go = (i: number, j: number, usedDisguise: boolean): string | undefined => {
    if (j === m) {
      const rest = core.slice(i);
      if (!usedDisguise) return undefined;
      return /^[a-z]*$/.test(rest) ? word + rest : undefined;
    }
    if (i === n) return undefined;
    const ch = core[i];
    if (ch === word[j]) return go(i + 1, j + 1, usedDisguise);
    if (LEET[ch] === word[j]) return go(i + 1, j + 1, true);
    if (MASKS.has(ch) || (LEET[ch] !== undefined && !isLetter(ch))) {
      // A run of r masks hides r letters; a run of 2+ may also hide r-1 .. r+2 ("f**" = fuck).
      let r = i;
      while (r < n && MASKS.has(core[r])) r++;
      if (r === i) r = i + 1; // a lone leet character that does not fit: treat it as one hidden letter
      const run = r - i;
      const options = run >= 2 ? [run, run + 1, run + 2, run - 1] : [run];
      for (const k of options) {
        if (j + k > m) continue;
        const found = go(r, j + k, true);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return go(0, 0, false);
}

function deobfuscateToken(token: string): string {
  if (token === '@user' || token[0] === '<') return token;
  const lead = LEADING_PUNCT_RE.exec(token)?.[0] ?? '';
  const trail = TRAILING_PUNCT_RE.exec(token.slice(lead.length))?.[0] ?? '';
  const core = token.slice(lead.length, token.length - trail.length);
  if (core.length < 3 || core === '@user' || !SUSPECT_RE.test(core)) return token;
  // Separated letters: f.u.c.k, s-h-i-t, b_i_t_c_h.
  if (/^[a-z](?:[.\-_*][a-z]){2,}$/.test(core)) return lead + core.replace(/[.\-_*]/g, '') + trail;
  let letters = 0;
  for (let i = 0; i < core.length; i++) if (isLetter(core[i])) letters++;
  if (letters < 1) return token;
  const first = core[0];
  const candidates = LEXICON_BY_FIRST.get(isLetter(first) ? first : (LEET[first] ?? '')) ?? [];
  for (const word of candidates) {
    if (core.length > word.length + 8) continue;
    const restored = matchLexicon(core, word);
    if (restored !== undefined) return lead + restored + trail;
  }
  // Generic leet: only when a leet run sits between letters ("h3ll0" -> "hell0" -> leet at the end stays).
  if (letters < 2) return token;
  let out = '';
  let changed = false;
  for (let i = 0; i < core.length; i++) {
    const ch = core[i];
    const sub = LEET[ch];
    if (sub !== undefined && GENERIC_LEET.has(ch)) {
      let l = i - 1;
      while (l >= 0 && GENERIC_LEET.has(core[l])) l--;
      let r = i + 1;
      while (r < core.length && GENERIC_LEET.has(core[r])) r++;
      if (l >= 0 && r < core.length && isLetter(core[l]) && isLetter(core[r])) {
        out += sub;
        changed = true;
        continue;
      }
    }
    out += ch;
  }
  return changed ? lead + out + trail : token;
}

// ---------------------------------------------------------------------------------------------

const URL_RE = /(?:\bhttps?:\/\/|\bwww\.)\S+|\[url\]/gi;
/** Bare web addresses ("win.example.com/x"); only tried when a known top-level domain appears. */
export const BARE_DOMAIN_RE = /\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|ly|io|co\.uk|uk|me|tv)\b(?:\/\S*)?/gi;
const TLD_HINT_RE = /\.(?:com|net|org|info|biz|ly|io|uk|me|tv)\b/i;
export const EMAIL_RE = /\b[\w.+-]+@[\w-]+\.[\w.-]+\b/g;
const EMAIL_HINT_RE = /[\w.+-]@[\w-]/;

// The two regexes above, run with `replace`, try a match at every word boundary, and on a long run of
// their characters each try scans to the run's end: quadratic, ~100 ms for one crafted 10 000-character
// text. Each match starts at a word boundary on a character of its run, and when the first such start
// of a run fails, every later start up to the run's end fails too (it would reach the same end: the
// same '@' and domain, or the same dots). So one sticky attempt per run gives the same result in
// linear time (test/model/normalize-linear.test.ts compares them on random and crafted text).
const EMAIL_STICKY = new RegExp(EMAIL_RE.source, 'y');
const BARE_DOMAIN_STICKY = new RegExp(BARE_DOMAIN_RE.source, 'iy');

const isAlnumCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isWordCode = (c: number) => isAlnumCode(c) || c === 95;
/** `\b` before position i (without the u flag: \w is [A-Za-z0-9_]). */
function boundaryAt(text: string, i: number): boolean {
  return (i > 0 && isWordCode(text.charCodeAt(i - 1))) !== (i < text.length && isWordCode(text.charCodeAt(i)));
}
/** [\w.+-]: an e-mail address's local part. */
const isLocalCode = (c: number) => isWordCode(c) || c === 46 || c === 43 || c === 45;
/** [a-z0-9-] (any case): a domain label. */
const isLabelCode = (c: number) => isAlnumCode(c) || c === 45;

/** Where the local-part run containing i ends: all its starts reach the same '@' (or none). */
function localRunEnd(text: string, i: number): number {
  while (i < text.length && isLocalCode(text.charCodeAt(i))) i++;
  return i;
}

/** Where the dotted label sequence containing i ends (a '.' continues it only before a label): all its starts see the same dots. */
function labelRunEnd(text: string, i: number): number {
  for (;;) {
    while (i < text.length && isLabelCode(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === 46 && i + 1 < text.length && isLabelCode(text.charCodeAt(i + 1))) i++;
    else return i;
  }
}

/**
 * `text.replace(global, replacement)` for EMAIL_RE / BARE_DOMAIN_RE in linear time: candidate starts
 * (`isStart`) are tried with the sticky copy, and a failed start skips the rest of its run (`runEnd`).
 */
function replaceByRuns(text: string, sticky: RegExp, isStart: (c: number) => boolean, runEnd: (text: string, i: number) => number, replacement: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    if (!isStart(text.charCodeAt(i)) || !boundaryAt(text, i)) {
      i++;
      continue;
    }
    sticky.lastIndex = i;
    const m = sticky.exec(text);
    if (m) {
      out += text.slice(copied, i) + replacement;
      copied = i = i + m[0].length;
    } else {
      i = Math.max(i + 1, runEnd(text, i));
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

export function replaceEmails(text: string, replacement: string): string {
  return replaceByRuns(text, EMAIL_STICKY, isLocalCode, localRunEnd, replacement);
}

export function replaceBareDomains(text: string, replacement: string): string {
  return replaceByRuns(text, BARE_DOMAIN_STICKY, isAlnumCode, labelRunEnd, replacement);
}
const MENTION_RE = /(?<![\w@])@\w+|\[user\]/gi;
const RETWEET_RE = /(^|\s)rt:?\s+(?=@user)/g;
const SEPARATED_RE = /(?<![a-z0-9])[a-z](?:[.\-_*][a-z]){2,}(?![a-z0-9])/g;
const WHITESPACE_RE = /\s+/g;
/** Whitespace other than single spaces between words. */
const ODD_SPACE_RE = /[^\S ]| {2}|^ | $/;

function repeatRe(max: number): RegExp {
  // Any non-digit code point repeated more than `max` times: a BMP code unit, or a surrogate pair (emoji).
  // (Without the u flag, which makes the regex much slower.)
  return new RegExp(`([^0-9\\ud800-\\udfff])\\1{${max},}|([\\ud800-\\udbff][\\udc00-\\udfff])\\2{${max},}`, 'gs');
}
const REPEAT_CACHE = new Map<number, RegExp>();
const NUMBER_CACHE = new Map<number, RegExp>();

/** Letter case by UTF-16 code unit: 0 unknown yet, 1 upper, 2 lower, 3 neither. */
const CASE = new Uint8Array(65536);
function caseOf(c: number): number {
  let k = CASE[c];
  if (k !== 0) return k;
  if (c >= 65 && c <= 90) k = 1;
  else if (c >= 97 && c <= 122) k = 2;
  else if (c < 128 || (c >= 0xd800 && c <= 0xdfff)) k = 3;
  else {
    const ch = String.fromCharCode(c);
    k = ch !== ch.toLowerCase() ? 1 : ch !== ch.toUpperCase() ? 2 : 3;
  }
  CASE[c] = k;
  return k;
}

function isShouting(text: string): boolean {
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (c >= 65 && c <= 90) upper++;
      else if (c >= 97 && c <= 122) lower++;
      continue;
    }
    const k = caseOf(c);
    if (k === 1) upper++;
    else if (k === 2) lower++;
  }
  return upper + lower >= 8 && upper >= 0.7 * (upper + lower);
}

/** Does any non-digit code point repeat more than `max` times in a row? (cheap pre-check of the regex) */
function hasLongRun(text: string, max: number): boolean {
  let prev = -1;
  let run = 0;
  for (let i = 0; i < text.length; ) {
    let c = text.charCodeAt(i);
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      c = text.codePointAt(i)!;
      width = 2;
    }
    if (c === prev && (c < 48 || c > 57)) {
      if (++run > max) return true;
    } else {
      prev = c;
      run = 1;
    }
    i += width;
  }
  return false;
}

/** JavaScript's \\s, by code unit. */
function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** Runs `deobfuscateToken` only on the whitespace-delimited tokens that hold a suspect pattern. */
function deobfuscateText(text: string): string {
  SUSPECT_GLOBAL_RE.lastIndex = 0;
  let out = '';
  let copied = 0;
  let m: RegExpExecArray | null;
  while ((m = SUSPECT_GLOBAL_RE.exec(text)) !== null) {
    let at = m.index;
    while (at < text.length && isSpace(text.charCodeAt(at))) at++; // a match may start at the space before a word
    let start = at;
    while (start > 0 && !isSpace(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
    if (start >= copied) {
      const token = text.slice(start, end);
      const fixed = deobfuscateToken(token);
      if (fixed !== token) {
        out += text.slice(copied, start) + fixed;
        copied = end;
      }
    }
    SUSPECT_GLOBAL_RE.lastIndex = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

export function normalizeText(input: string, o: NormalizationOptions): string {
  let text = input;
  if (text.length === 0) return '';
  if (text.includes('&')) text = text.replace(ENTITY_RE, decodeEntity);
  if (NON_ASCII_RE.test(text)) {
    if (o.nfkc) text = text.normalize('NFKC').replace(FORMAT_CHARS_RE, '');
    if (o.fold_lookalikes) {
      if (MAY_HAVE_MARKS_RE.test(text)) text = text.normalize('NFD').replace(LATIN_MARKS_RE, '$1').normalize('NFC');
      if (LOOKALIKE_RE.test(text)) text = text.replace(MIXED_WORD_RE, foldWord);
    }
  }
  const shouting = o.shout && isShouting(text);
  if (o.lowercase) text = text.toLowerCase();
  if (o.urls) {
    if (EMAIL_HINT_RE.test(text)) text = replaceEmails(text, ' <email> ');
    text = text.replace(URL_RE, ' <url> ');
    if (TLD_HINT_RE.test(text)) text = replaceBareDomains(text, ' <url> ');
  }
  if (o.mentions) {
    text = text.replace(MENTION_RE, ' @user ');
    if (text.includes('rt')) text = text.replace(RETWEET_RE, '$1');
  }
  if (o.max_repeat > 0) {
    let re = REPEAT_CACHE.get(o.max_repeat);
    if (!re) REPEAT_CACHE.set(o.max_repeat, (re = repeatRe(o.max_repeat)));
    if (hasLongRun(text, o.max_repeat)) {
      text = text.replace(re, (run: string, bmp: string | undefined, pair: string | undefined) => (bmp ?? pair ?? '').repeat(o.max_repeat));
    }
  }
  if (o.deobfuscate) {
    if (SUSPECT_TEXT_RE.test(text)) {
      text = text.replace(SEPARATED_RE, (m) => m.replace(/[.\-_*]/g, ''));
      text = deobfuscateText(text);
    }
  }
  if (o.long_number > 0) {
    let re = NUMBER_CACHE.get(o.long_number);
    if (!re) NUMBER_CACHE.set(o.long_number, (re = new RegExp(`\\d{${o.long_number},}`, 'g')));
    text = text.replace(re, ' <num> ');
  }
  if (ODD_SPACE_RE.test(text)) text = text.replace(WHITESPACE_RE, ' ').trim();
  if (shouting) text = text.length ? `${text} <shout>` : '<shout>';
  return text;
}
