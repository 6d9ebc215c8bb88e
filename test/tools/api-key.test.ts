import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseKeyFile } from '../../src/security/key-file';
import { sha256 } from '../support/keys';
import { ROOT } from '../support/harness';

const tool = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools/api-key.ts'), ...args], { cwd: ROOT, input, encoding: 'utf8' });

describe('npm run api-key', () => {
  it('makes a random key and the key file entry holding its hash, which the service accepts', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools/api-key.ts'), '--id', 'team-a', '--weight', '3'], { cwd: ROOT, encoding: 'utf8' });
    const lines = out.split('\n');
    const key = lines[1]!;
    expect(key).toMatch(/^cm_[A-Za-z0-9_-]{43}$/);
    const entry = lines.slice(3).join('\n');
    const [parsed] = parseKeyFile(`keys:\n${entry}`, 'entry');
    expect(parsed).toMatchObject({ id: 'team-a', weight: 3 });
    expect(parsed!.hashes[0]!.toString('hex')).toBe(sha256(key));
    expect(entry).not.toContain(key);
  });

  it('hashes a key from stdin, and refuses a bad id', () => {
    expect(tool(['--hash'], 'my key\n').stdout).toBe(`${sha256('my key')}\n`);
    const bad = tool(['--id', 'no spaces']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--id must be');
  });
});
