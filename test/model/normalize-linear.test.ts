import { BARE_DOMAIN_RE, EMAIL_RE, replaceBareDomains, replaceEmails } from '../../src/featurizer/normalize';
import { Rng } from '../../training/util/rng';

/** Random text made of pieces the two patterns care about (and a few they do not). */
function randomText(rng: Rng, pieces: readonly string[], maxPieces: number): string {
  const n = Math.floor(rng.next() * (maxPieces + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += pieces[Math.floor(rng.next() * pieces.length)];
  return s;
}

// What the linear versions must equal: the plain global replace.
const emails = (t: string) => t.replace(EMAIL_RE, ' <email> ');
const domains = (t: string) => t.replace(BARE_DOMAIN_RE, ' <url> ');

const CRAFTED = [
  'a@b ' + 'x.'.repeat(1000),
  'x.'.repeat(1000) + '#a@b.c',
  'x+'.repeat(1000) + '@y.com',
  'x.'.repeat(1000) + '_.com',
  'x.'.repeat(1000) + '/a.com',
  'a.com ' + 'x.'.repeat(1000) + 'comx',
  'a@b.com+x@y.com mail me at first.last@example.co.uk or -x@y.z. and ..a@b.c.d@e.com',
  'see win.example.com/x and a..b.com, www_.foo.com, x-a.com, a.co.uk, A.COM, b.comx, c.com_, d.-e.com',
];

describe('linear e-mail and bare-domain replacement', () => {
  it('gives what the global regexes give on crafted text', () => {
    for (const t of CRAFTED) {
      expect(replaceEmails(t, ' <email> ')).toBe(emails(t));
      expect(replaceBareDomains(t, ' <url> ')).toBe(domains(t));
    }
  });

  it.each([
    ['e-mail', [...'ab1_.+-@ xc.'], replaceEmails, emails, ' <email> '],
    ['bare domain', [...'ab1_.-/ @x', '.', '.', 'com', 'net', 'co', 'uk', 'tv', 'io', 'info', 'ly', 'COM', '.com', '.co.uk'], replaceBareDomains, domains, ' <url> '],
  ] as const)('gives what the global regex gives on 100 000 random texts (%s)', (_name, alphabet, linear, reference, replacement) => {
    const rng = new Rng(11);
    let changed = 0;
    for (let k = 0; k < 100_000; k++) {
      const t = randomText(rng, alphabet, 24);
      const want = reference(t);
      if (want !== t) changed++;
      if (linear(t, replacement) !== want) throw new Error(`differs on ${JSON.stringify(t)}: ${JSON.stringify(linear(t, replacement))} vs ${JSON.stringify(want)}`);
    }
    // The random texts do exercise the patterns.
    expect(changed).toBeGreaterThan(1000);
  });
});
