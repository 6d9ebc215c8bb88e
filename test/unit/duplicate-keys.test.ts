import fc from 'fast-check';
import { countMembers, duplicateKey } from '../../src/api/duplicate-keys';

function dup(text: string): string | undefined {
  return duplicateKey(text, JSON.parse(text), countMembers(text));
}

describe('duplicate JSON member names', () => {
  it.each([
    ['{"text":"a","text":"b"}', 'body.text'],
    ['{"texts":[{"a":1,"a":2}]}', 'body.texts[0].a'],
    ['{"a":{"b":1},"c":{"b":2,"d":[0,{"e":1},{"e":1,"e":2}]}}', 'body.c.d[2].e'],
    ['{"\\u0061":1,"a":2}', 'body.a'],
    ['{"a":"\\\\","a":1}', 'body.a'],
    ['{"odd key":1,"odd key":2}', 'body["odd key"]'],
    [`{"${'k'.repeat(100)}":1,"${'k'.repeat(100)}":2}`, `body.${'k'.repeat(64)}…`],
  ])('finds the repeated member of %s', (text, path) => {
    expect(dup(text)).toBe(path);
  });

  it.each(['{"a":"x\\":","b":1}', '{"a":{"b":1},"c":{"b":2}}', '[{"x":1},{"x":2}]', '{"a":"\\"a\\":1"}', '{}', '[]', '[1,[2,[3]]]'])('finds none in %s', (text) => {
    expect(dup(text)).toBeUndefined();
  });

  it('agrees with JSON.parse on generated values: none in what JSON.stringify writes, the injected one otherwise', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        const text = JSON.stringify(value);
        expect(dup(text)).toBeUndefined();
        // Repeat the first member of the top-level object, if there is one.
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          const [first] = Object.keys(value);
          if (first === undefined) return;
          const repeated = `{${JSON.stringify(first)}:null,${text.slice(1)}`;
          expect(dup(repeated)).toMatch(/^body/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('counts members outside strings only, and a deeply nested body does not overflow the stack', () => {
    expect(countMembers('{"a:b":":","c":[":"]}')).toBe(2);
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    expect(() => dup(deep)).not.toThrow();
  });
});
