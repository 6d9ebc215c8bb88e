/**
 * Makes an API key and the entry for auth.keys_file (its SHA-256, never the key), or hashes a key
 * read from stdin. `npm run api-key -- --id team-a [--weight 2]`, `printf %s "$KEY" | npm run api-key -- --hash`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { KEY_ID } from '../src/security/key-file';
import { intArg, parseArgs } from './cli-args';

const sha256 = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const { values, flags } = parseArgs(
    process.argv.slice(2),
    {
      values: { id: 'key id (letters, digits, . _ -): names the key in logs and metrics', weight: 'share of the inference queue (1-100, default 1)' },
      flags: { hash: 'print the SHA-256 of the key given on stdin (a trailing newline is dropped)' },
    },
    'npm run api-key -- --id ID [--weight N] | --hash',
  );
  if (flags.has('hash')) {
    const key = (await readStdin()).replace(/\r?\n$/, '');
    if (key === '') throw new Error('no key on stdin');
    process.stdout.write(`${sha256(key)}\n`);
    return;
  }
  const id = values.id;
  if (id === undefined || !KEY_ID.test(id)) throw new Error('--id must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit');
  const weight = intArg(values, 'weight', 1);
  if (weight !== undefined && weight > 100) throw new Error('--weight must be at most 100');
  // 256 random bits: enough that an unsalted SHA-256 of it cannot be reversed by guessing.
  const key = `cm_${randomBytes(32).toString('base64url')}`;
  const entry = stringify([{ id, sha256: sha256(key), ...(weight === undefined ? {} : { weight }) }]);
  process.stdout.write(
    `# API key '${id}': hand it to its client now; only the hash below is kept.\n${key}\n` +
      `# Add under 'keys:' in auth.keys_file (picked up within auth.watch_seconds, or at once on SIGHUP):\n` +
      `${entry.trimEnd().replace(/^/gm, '  ')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`api-key: ${(err as Error).message}\n`);
  process.exit(1);
});
