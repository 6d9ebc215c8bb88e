import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';

/**
 * The API keys the service accepts, read from a YAML file or an environment variable. Only SHA-256
 * hashes are stored: the keys themselves exist with their holders. Messages never quote a value
 * from the source, in case an operator pasted a key where its hash belongs.
 */
export interface ApiKey {
  /** Names the key in logs, metrics (`key_id`) and problems; never secret. */
  readonly id: string;
  /** SHA-256 of each accepted key (several while a key is being rotated). */
  readonly hashes: readonly Buffer[];
  /** The key's share of the inference queue relative to other keys (fair queueing). */
  readonly weight: number;
}

export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

/** Key ids are metric label values: short, plain, and not the id used for requests without a key. */
export const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ANONYMOUS = 'anonymous';
/** A bound on the `key_id` label's values (and on the work of one constant-time lookup). */
export const MAX_KEYS = 1000;
const MAX_HASHES_PER_KEY = 4;

const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a SHA-256 digest: 64 hex characters (store the hash of a key, never the key)');
const keyId = z
  .string()
  .regex(KEY_ID, 'must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit')
  .refine((id) => id !== ANONYMOUS, `'${ANONYMOUS}' is reserved for requests without a key`);

const keyEntry = z.strictObject({
  id: keyId,
  sha256: z.union([sha256Hex, z.array(sha256Hex).min(1).max(MAX_HASHES_PER_KEY)]),
  weight: z.number().int().min(1).max(100).default(1),
});
const keyFile = z.strictObject({ keys: z.array(keyEntry, { error: 'must be a list of {id, sha256, weight?} entries' }).max(MAX_KEYS) });

function describe(issue: z.core.$ZodIssue): string {
  const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  if (issue.code === 'unrecognized_keys') return `unknown key ${issue.keys.map((k) => `'${where ? `${where}.` : ''}${k}'`).join(', ')}`;
  // zod's union message would not say which branch was meant; both branches are hashes.
  const message = issue.code === 'invalid_union' ? 'must be a SHA-256 digest (64 hex characters) or a list of 1-4 of them' : issue.message;
  return `'${where || '(root)'}': ${message}`;
}

function toKeys(entries: Array<{ id: string; sha256: string | string[]; weight: number }>, source: string): ApiKey[] {
  const ids = new Set<string>();
  const hashes = new Set<string>();
  return entries.map(({ id, sha256, weight }) => {
    if (ids.has(id)) throw new KeyFileError(`${source}: key id '${id}' appears twice`);
    ids.add(id);
    const list = (Array.isArray(sha256) ? sha256 : [sha256]).map((h) => h.toLowerCase());
    for (const h of list) {
      // One hash for two ids would make the id a key maps to depend on the order of the file.
      if (hashes.has(h)) throw new KeyFileError(`${source}: key '${id}' repeats a hash already listed`);
      hashes.add(h);
    }
    return { id, weight, hashes: list.map((h) => Buffer.from(h, 'hex')) };
  });
}

/** Parses a key file (`keys: [{id, sha256, weight?}]`). Throws KeyFileError naming the entry and field. */
export function parseKeyFile(text: string, source: string): ApiKey[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    // The parser's own message quotes the offending line; say only where it is.
    const at = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
    throw new KeyFileError(`${source}: invalid YAML${at}`);
  }
  const parsed = keyFile.safeParse(raw ?? {});
  if (!parsed.success) throw new KeyFileError(`${source}: ${describe(parsed.error.issues[0]!)}`);
  return toKeys(parsed.data.keys, source);
}

/** Parses `id:sha256[,id:sha256...]` (whitespace allowed around entries) from an environment variable. */
export function parseKeyEnv(value: string, name: string): ApiKey[] {
  const source = `env ${name}`;
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length > MAX_KEYS) throw new KeyFileError(`${source}: more than ${MAX_KEYS} keys`);
  return toKeys(
    entries.map((entry, i) => {
      const colon = entry.indexOf(':');
      const parsed = keyEntry.safeParse({ id: entry.slice(0, Math.max(colon, 0)), sha256: colon < 0 ? '' : entry.slice(colon + 1) });
      if (!parsed.success) throw new KeyFileError(`${source}: entry ${i + 1} must be id:sha256 (${describe(parsed.error.issues[0]!)})`);
      return parsed.data;
    }),
    source,
  );
}
