import { createHash, randomBytes, randomInt } from 'node:crypto';
import { KeyStore } from '../../src/security/key-store';
import { newKey, writeKeyFile } from '../support/keys';

/**
 * Wrong-key checks must take the same time whatever the wrong key shares with a real one, or a client
 * could find a key a byte at a time. Timing is only sampled here, never asserted against a clock:
 * samples of each kind of wrong key are taken interleaved in random order (so load on the machine
 * falls on all kinds alike) and compared with a rank test. A deliberately leaky comparison, measured
 * the same way, shows the test can tell a difference when there is one.
 */

/** Mann-Whitney U as a z-score (normal approximation, ties ranked by their mean). */
function rankZ(a: number[], b: number[]): number {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let rankSumA = 0;
  for (let i = 0; i < all.length; i++) if (all[i]!.g === 0) rankSumA += ranks[i]!;
  const n1 = a.length;
  const n2 = b.length;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  return (u - (n1 * n2) / 2) / Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
}

/** Nanoseconds per call, `reps` calls a sample, `samples` samples per kind, kinds interleaved at random. */
function sample<T>(kinds: Record<string, T[]>, check: (candidate: T) => unknown, samples = 300, reps = 40): Record<string, number[]> {
  const names = Object.keys(kinds);
  const order = names.flatMap((name) => Array.from({ length: samples }, () => name));
  for (let i = order.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) for (let i = 0; i < 200; i++) check(kinds[name]![i % kinds[name]!.length]!); // warm-up
  let sink = 0;
  for (const name of order) {
    const pool = kinds[name]!;
    const start = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) sink += check(pool[r % pool.length]!) ? 1 : 0;
    out[name]!.push(Number(process.hrtime.bigint() - start) / reps);
  }
  expect(sink).toBe(0); // every candidate is wrong
  return out;
}

/** Flat copies, so no kind of candidate differs from another in how V8 stores it. */
const flat = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

describe('API key comparison time', () => {
  const real = newKey();
  const others = Array.from({ length: 7 }, () => newKey());
  const store = new KeyStore({
    file: writeKeyFile([{ id: 'real', sha256: real.sha256 }, ...others.map((k, i) => ({ id: `other-${i}`, sha256: k.sha256 }))]),
    envName: 'NONE',
    env: {},
  });
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const mutateAt = (key: string, at: number, i: number) => {
    const replacement = alphabet.replace(key[at]!, '')[i % 63]!;
    return flat(key.slice(0, at) + replacement + key.slice(at + 1));
  };
  const realDigest = createHash('sha256').update(real.key).digest();
  /** Wrong keys whose SHA-256 starts with the real key's first two bytes: what a stored-hash comparison could leak on. */
  const digestPrefix: string[] = [];
  for (let i = 0; digestPrefix.length < 4; i++) {
    const candidate = `cm_${i.toString(36).padStart(43, 'x')}`;
    const d = createHash('sha256').update(candidate).digest();
    if (d[0] === realDigest[0] && d[1] === realDigest[1]) digestPrefix.push(flat(candidate));
  }

  it('does not depend on how much of a real key, or of its hash, a wrong key matches', () => {
    const times = sample(
      {
        random: Array.from({ length: 32 }, () => flat(`cm_${randomBytes(32).toString('base64url')}`)),
        lastCharWrong: Array.from({ length: 32 }, (_, i) => mutateAt(real.key, real.key.length - 1, i)),
        firstCharWrong: Array.from({ length: 32 }, (_, i) => mutateAt(real.key, 3, i)),
        digestPrefix,
      },
      (candidate) => store.verify(candidate),
    );
    for (const kind of ['lastCharWrong', 'firstCharWrong', 'digestPrefix']) {
      const z = rankZ(times[kind]!, times.random!);
      // |z| > 5 would happen by chance about once in 3 million runs.
      expect({ kind, z: Math.abs(z) < 5 ? 'no difference' : z }).toEqual({ kind, z: 'no difference' });
    }
  });

  it('tells a leaky comparison apart with the same sampling (the check can fail)', () => {
    const secret = randomBytes(4096);
    const leaky = (candidate: Buffer) => {
      for (let i = 0; i < secret.length; i++) if (candidate[i] !== secret[i]) return false;
      return true;
    };
    const wrongAt = (at: number) => {
      const b = Buffer.from(secret);
      b[at] = b[at]! ^ 0xff;
      return b;
    };
    const times = sample({ early: [wrongAt(0), wrongAt(1)], late: [wrongAt(4095), wrongAt(4094)] }, leaky, 100);
    expect(rankZ(times.late!, times.early!)).toBeGreaterThan(5);
  });
});
