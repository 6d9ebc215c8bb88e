import { RateLimiter } from '../../src/security/rate-limiter';
import { policyField, stateField, textCost } from '../../src/security/rate-limits';

function clock() {
  let ms = 0;
  return { now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) };
}

describe('RateLimiter (token buckets)', () => {
  const policies = [
    { name: 'requests' as const, perSecond: 2, burst: 4 },
    { name: 'texts' as const, perSecond: 10, burst: 20 },
  ];

  it('starts full, refills at the rate up to the burst, and refuses what does not fit', () => {
    const t = clock();
    const limiter = new RateLimiter(policies, 100, t.now);
    for (let i = 0; i < 4; i++) expect(limiter.charge('a', { requests: 1 }).ok).toBe(true);
    const refused = limiter.charge('a', { requests: 1 });
    expect(refused).toMatchObject({ ok: false, refused: { name: 'requests' }, cost: 1, retryAfterSeconds: 0.5 });
    t.advance(0.5);
    expect(limiter.charge('a', { requests: 1 }).ok).toBe(true);
    t.advance(100);
    expect(limiter.peek('a').map((s) => s.remaining)).toEqual([4, 20]);
  });

  it('charges all limits or none: a request refused for its texts costs no request token', () => {
    const t = clock();
    const limiter = new RateLimiter(policies, 100, t.now);
    expect(limiter.charge('a', { requests: 1, texts: 15 }).ok).toBe(true);
    const refused = limiter.charge('a', { requests: 1, texts: 10 });
    expect(refused).toMatchObject({ ok: false, refused: { name: 'texts' }, cost: 10, retryAfterSeconds: 0.5 });
    expect(limiter.peek('a').map((s) => s.remaining)).toEqual([3, 5]);
  });

  it('names the limit that takes longest to allow the cost, and its wait', () => {
    const limiter = new RateLimiter(policies, 100, clock().now);
    limiter.charge('a', { requests: 4, texts: 20 });
    expect(limiter.charge('a', { requests: 1, texts: 20 })).toMatchObject({ ok: false, refused: { name: 'texts' }, retryAfterSeconds: 2 });
  });

  it('keeps clients apart, and forgets the least recently seen beyond max_clients (they start full)', () => {
    const limiter = new RateLimiter(policies, 2, clock().now);
    limiter.charge('a', { requests: 4 });
    limiter.charge('b', { requests: 4 });
    expect(limiter.charge('a', { requests: 1 }).ok).toBe(false);
    limiter.charge('c', { requests: 1 }); // 'b' is the least recently seen
    expect(limiter.peek('b')[0]!.remaining).toBe(4);
    expect(limiter.peek('a')[0]!.remaining).toBe(0);
  });

  it('writes the IETF fields: the policy (quota = bucket, window = seconds to refill) and the state', () => {
    const limiter = new RateLimiter(policies, 10, clock().now);
    expect(policyField(limiter.policies)).toBe('"requests";q=4;w=2, "texts";q=20;w=2');
    expect(stateField(limiter.charge('a', { requests: 1, texts: 5 }).states)).toBe('"requests";r=3;t=1, "texts";r=15;t=1');
  });
});

describe('textCost', () => {
  it('counts the texts and characters of a well-formed body, and nothing for any other', () => {
    expect(textCost({ text: 'héllo' }, 10)).toEqual({ texts: 1, chars: 5 });
    expect(textCost({ texts: ['ab', 'cde', ''] }, 10)).toEqual({ texts: 3, chars: 5 });
    expect(textCost({ texts: ['a', 2] }, 10)).toBeUndefined();
    expect(textCost({ texts: 'abc' }, 10)).toBeUndefined();
    expect(textCost({ texts: Array(11).fill('a') }, 10)).toBeUndefined(); // over max_texts: a 413 follows
    expect(textCost([1, 2], 10)).toBeUndefined();
    // /v1/moderations: a string, strings, or text parts (read as one text, so charged as one).
    expect(textCost({ input: 'héllo' }, 10)).toEqual({ texts: 1, chars: 5 });
    expect(textCost({ input: ['ab', 'cde'] }, 10)).toEqual({ texts: 2, chars: 5 });
    expect(textCost({ input: [{ type: 'text', text: 'ab' }, { type: 'text', text: 'cde' }] }, 10)).toEqual({ texts: 1, chars: 5 });
    expect(textCost({ input: [{ type: 'image_url', image_url: { url: 'x' } }] }, 10)).toBeUndefined();
  });
});
