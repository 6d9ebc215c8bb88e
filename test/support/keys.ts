import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/** A fresh API key and its SHA-256, as an operator would make them. */
export function newKey(): { key: string; sha256: string } {
  const key = `cm_${randomBytes(32).toString('base64url')}`;
  return { key, sha256: sha256(key) };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface KeyEntry {
  id: string;
  sha256: string | string[];
  weight?: number;
}

/** Writes a key file (in a fresh temporary folder unless `file` is given) and returns its path. */
export function writeKeyFile(keys: KeyEntry[] | string, file?: string): string {
  const target = file ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'moderator-keys-')), 'keys.yml');
  writeFileSync(target, typeof keys === 'string' ? keys : stringify({ keys }));
  return target;
}
