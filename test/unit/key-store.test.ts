import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KeyFileError, parseKeyEnv, parseKeyFile } from '../../src/security/key-file';
import { KeyStore } from '../../src/security/key-store';
import { poll } from '../support/server-process';
import { newKey, sha256, writeKeyFile } from '../support/keys';

const alice = newKey();
const bob = newKey();

describe('key file', () => {
  it('reads ids, one or several hashes per key, and weights (1 by default)', () => {
    const keys = parseKeyFile(
      `keys:\n  - id: alice\n    sha256: ${alice.sha256.toUpperCase()}\n  - id: bob.ci-2\n    sha256: [${bob.sha256}, ${sha256('next')}]\n    weight: 3\n`,
      'keys.yml',
    );
    expect(keys.map((k) => [k.id, k.hashes.length, k.weight])).toEqual([
      ['alice', 1, 1],
      ['bob.ci-2', 2, 3],
    ]);
    expect(keys[0]!.hashes[0]!.toString('hex')).toBe(alice.sha256);
  });

  it.each([
    ['a plain key where its hash belongs', `keys:\n  - id: a\n    sha256: ${alice.key}\n`, "'keys[0].sha256': must be a SHA-256 digest"],
    ['a bad id', `keys:\n  - id: "a b"\n    sha256: ${alice.sha256}\n`, "'keys[0].id': must be 1-64 letters"],
    ['the reserved id', `keys:\n  - id: anonymous\n    sha256: ${alice.sha256}\n`, "'keys[0].id': 'anonymous' is reserved"],
    ['an unknown field', `keys:\n  - id: a\n    sha256: ${alice.sha256}\n    secret: ${alice.key}\n`, "unknown key 'keys[0].secret'"],
    ['a duplicate id', `keys:\n  - id: a\n    sha256: ${alice.sha256}\n  - id: a\n    sha256: ${bob.sha256}\n`, "key id 'a' appears twice"],
    ['one hash under two ids', `keys:\n  - id: a\n    sha256: ${alice.sha256}\n  - id: b\n    sha256: ${alice.sha256}\n`, "key 'b' repeats a hash"],
    ['no keys list', 'keyz: []\n', "'keys': must be a list of {id, sha256, weight?} entries"],
    ['broken YAML', `keys:\n  - id: a\n   sha256: "${alice.key}\n`, 'invalid YAML at line'],
  ])('refuses %s, naming the entry and never quoting a value', (_what, text, message) => {
    let error: unknown;
    try {
      parseKeyFile(text, 'keys.yml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KeyFileError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message.startsWith('keys.yml: ')).toBe(true);
    expect((error as Error).message).not.toContain(alice.key);
    expect((error as Error).message).not.toContain(alice.key.slice(3, 20));
  });

  it('reads id:sha256 pairs from an environment variable', () => {
    expect(parseKeyEnv(` alice:${alice.sha256} , bob:${bob.sha256},`, 'KEYS').map((k) => k.id)).toEqual(['alice', 'bob']);
    expect(() => parseKeyEnv(`alice:${alice.key}`, 'KEYS')).toThrow("env KEYS: entry 1 must be id:sha256 ('sha256': must be a SHA-256 digest");
    expect(() => parseKeyEnv(`alice:${alice.key}`, 'KEYS')).not.toThrow(alice.key);
    expect(() => parseKeyEnv(alice.sha256, 'KEYS')).toThrow('entry 1 must be id:sha256');
  });
});

describe('KeyStore', () => {
  it('finds the key a client presents, and nothing for any other string', () => {
    const store = new KeyStore({ file: writeKeyFile([{ id: 'alice', sha256: alice.sha256 }, { id: 'bob', sha256: [bob.sha256, sha256('bob-next')] }]), envName: 'NONE', env: {} });
    expect(store.verify(alice.key)?.id).toBe('alice');
    expect(store.verify(bob.key)?.id).toBe('bob');
    expect(store.verify('bob-next')?.id).toBe('bob');
    expect(store.verify(alice.sha256)).toBeUndefined();
    expect(store.verify(alice.key.slice(0, -1))).toBeUndefined();
    expect(store.verify('')).toBeUndefined();
  });

  it('merges keys from the file and the environment, refusing a clash', () => {
    const file = writeKeyFile([{ id: 'alice', sha256: alice.sha256 }]);
    const store = new KeyStore({ file, envName: 'KEYS', env: { KEYS: `bob:${bob.sha256}` } });
    expect(store.ids).toEqual(['alice', 'bob']);
    expect(() => new KeyStore({ file, envName: 'KEYS', env: { KEYS: `alice:${bob.sha256}` } })).toThrow("key 'alice' clashes with key 'alice'");
    expect(() => new KeyStore({ file, envName: 'KEYS', env: { KEYS: `carol:${alice.sha256}` } })).toThrow("key 'carol' clashes with key 'alice'");
  });

  it('names a missing file', () => {
    expect(() => new KeyStore({ file: '/nonexistent/keys.yml', envName: 'NONE', env: {} })).toThrow('/nonexistent/keys.yml: cannot read (ENOENT)');
  });

  it('reloads: a revoked key stops working, an added one starts, and the result lists the changes', () => {
    const file = writeKeyFile([{ id: 'alice', sha256: alice.sha256 }, { id: 'bob', sha256: bob.sha256 }]);
    const store = new KeyStore({ file, envName: 'NONE', env: {} });
    const carol = newKey();
    writeKeyFile([{ id: 'bob', sha256: bob.sha256, weight: 2 }, { id: 'carol', sha256: carol.sha256 }], file);
    expect(store.reload()).toEqual({ ok: true, keys: 2, added: ['carol'], removed: ['alice'], changed: ['bob'] });
    expect(store.verify(alice.key)).toBeUndefined();
    expect(store.verify(carol.key)?.id).toBe('carol');
    expect(store.verify(bob.key)?.weight).toBe(2);
  });

  it('keeps the keys in use when the new file is broken or gone, and says why', () => {
    const file = writeKeyFile([{ id: 'alice', sha256: alice.sha256 }]);
    const store = new KeyStore({ file, envName: 'NONE', env: {} });
    writeKeyFile(`keys:\n  - id: alice\n    sha256: ${alice.key}\n`, file);
    const bad = store.reload();
    expect(bad).toMatchObject({ ok: false, keys: 1 });
    expect(bad.ok === false && bad.error).toContain("'keys[0].sha256'");
    expect(store.verify(alice.key)?.id).toBe('alice');
    rmSync(file);
    expect(store.reload()).toMatchObject({ ok: false, keys: 1, error: expect.stringContaining('ENOENT') });
    expect(store.verify(alice.key)?.id).toBe('alice');
  });

  it('notices a changed file, also one replaced by rename (as editors and Kubernetes Secrets do)', async () => {
    const file = writeKeyFile([{ id: 'alice', sha256: alice.sha256 }]);
    const store = new KeyStore({ file, envName: 'NONE', env: {} });
    let changes = 0;
    store.watch(0.05, () => {
      changes++;
      store.reload();
    });
    try {
      writeKeyFile([{ id: 'alice', sha256: alice.sha256 }, { id: 'bob', sha256: bob.sha256 }], file);
      await poll('the change to be seen', () => (store.verify(bob.key) ? true : undefined), 5000);
      const next = path.join(path.dirname(file), 'next.yml');
      writeFileSync(next, `keys:\n  - id: bob\n    sha256: ${bob.sha256}\n`);
      renameSync(next, file);
      await poll('the replacement to be seen', () => (store.verify(alice.key) === undefined ? true : undefined), 5000);
      expect(changes).toBeGreaterThanOrEqual(2);
    } finally {
      store.close();
    }
  });
});
