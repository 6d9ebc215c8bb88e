/**
 * Synthetic, tweet-length texts for the benchmark: generated from a fixed word list with a seeded
 * PRNG, so every run sends the same texts. No dataset is read (and no text is ever printed).
 *
 * The mix is meant to exercise the featurizer the way real posts do: 4..40 tokens, mentions,
 * hashtags, URLs, numbers, emoji, a few all-caps posts, repeated letters, obfuscated words and a
 * share of rude vocabulary, up to 280 characters.
 */

/** mulberry32: tiny, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = (
  'the be to of and a in that have i it for not on with he as you do at this but his by from they we say her she or an will my ' +
  'one all would there their what so up out if about who get which go me when make can like time no just him know take people ' +
  'into year your good some could them see other than then now look only come its over think also back after use two how our ' +
  'work first well way even new want because any these give day most us is are was were been has had did got really very much ' +
  'today tomorrow tonight weekend morning game team season match win lost play phone app update price shop store order delivery ' +
  'free offer call text reply stop love friend family school class teacher homework movie show song music album concert ticket ' +
  'coffee pizza lunch dinner food weather rain sun snow traffic bus train flight airport city street house party birthday ' +
  'news story video photo post comment thread account follow account email link week month money job boss meeting office ' +
  'happy sad tired excited bored angry funny crazy cute nice great awesome amazing terrible awful best worst lol lmao omg smh ' +
  'tbh idk imo btw yeah yes nope please thanks sorry wow damn hell gonna wanna gotta ain\'t can\'t won\'t don\'t it\'s i\'m'
).split(' ');

const RUDE = (
  'idiot stupid dumb moron loser trash garbage pathetic ugly fat clown shut disgusting worthless useless liar fraud jerk ' +
  'hate sucks pig rat scum creep coward freak crap bs wtf stfu kill die beat punch destroy'
).split(' ');

const OBFUSCATED = ['st*pid', 'id10t', 'l0ser', 'tr@sh', 'sh!t', 'f*ck', 'a$$', 'b!tch', 'd.u.m.b', 'h8'];
const HASHTAGS = ['#mondaymotivation', '#gameday', '#news', '#tbt', '#fail', '#love', '#giveaway', '#breaking', '#nba', '#election'];
const EMOJI = ['😂', '🔥', '😭', '❤️', '👍', '🙄', '😡', '💯', '🤔', '🎉'];
const URLS = ['https://t.co/AbC123xyz', 'http://example.com/deal?id=42', 'www.example.org/news/today', 'https://bit.ly/3xYz9'];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

/** One tweet-like text. */
export function makeText(r: () => number): string {
  const words = 4 + Math.floor(r() * r() * 37); // skewed towards short posts, 4..40 tokens
  const rudeShare = r() < 0.3 ? 0.15 + r() * 0.3 : 0.01;
  const parts: string[] = [];
  if (r() < 0.25) parts.push(`@user${Math.floor(r() * 10000)}`);
  for (let i = 0; i < words; i++) {
    const x = r();
    let w: string;
    if (x < rudeShare) w = r() < 0.15 ? pick(r, OBFUSCATED) : pick(r, RUDE);
    else if (x < rudeShare + 0.02) w = pick(r, HASHTAGS);
    else if (x < rudeShare + 0.035) w = pick(r, EMOJI);
    else if (x < rudeShare + 0.045) w = String(Math.floor(r() * 100000));
    else w = pick(r, COMMON);
    if (r() < 0.02) w = w.replace(/([aeiou])/, '$1$1$1$1'); // soooo
    parts.push(w);
  }
  if (r() < 0.1) parts.push(pick(r, URLS));
  let text = parts.join(' ');
  if (r() < 0.7) text = text[0]!.toUpperCase() + text.slice(1);
  if (r() < 0.06) text = text.toUpperCase();
  text += pick(r, ['', '', '', '.', '!', '!!', '?', ' ...']);
  return text.length > 280 ? text.slice(0, 280) : text;
}

/** `count` texts from `seed` (deterministic). */
export function makeTexts(count: number, seed = 20240605): string[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => makeText(r));
}

/** Pre-serialised request bodies: `{"text": ...}` (perRequest 1) or `{"texts": [...]}`. */
export function makeBodies(count: number, perRequest: number, seed: number): string[] {
  const texts = makeTexts(count * perRequest, seed);
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const chunk = texts.slice(i * perRequest, (i + 1) * perRequest);
    bodies.push(perRequest === 1 ? JSON.stringify({ text: chunk[0] }) : JSON.stringify({ texts: chunk }));
  }
  return bodies;
}

/** Length statistics of a text set (what RESULTS.md says about the load; never the texts). */
export function describeTexts(texts: readonly string[]): { count: number; meanChars: number; p50Chars: number; maxChars: number } {
  const lens = texts.map((t) => t.length).sort((a, b) => a - b);
  const sum = lens.reduce((a, b) => a + b, 0);
  return { count: lens.length, meanChars: Math.round(sum / lens.length), p50Chars: lens[Math.floor(lens.length / 2)]!, maxChars: lens.at(-1)! };
}
