import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, stat, statSync, type Stats } from 'node:fs';
import { KeyFileError, MAX_KEYS, parseKeyEnv, parseKeyFile, type ApiKey } from './key-file';

/** Where the keys come from: a file (re-read on reload) and an environment variable (read at each load too). */
export interface KeySources {
  file?: string;
  envName: string;
  env: NodeJS.ProcessEnv;
}

export type ReloadResult =
  | { ok: true; keys: number; added: string[]; removed: string[]; changed: string[] }
  | { ok: false; keys: number; error: string };

/** A key file is a few KB; refusing a huge one keeps a mistaken path from filling memory. */
const MAX_FILE_BYTES = 1 << 20;

/** What identifies a version of the key file, to tell a change. */
type FileVersion = Pick<Stats, 'mtimeMs' | 'ino' | 'size'>;

const sameVersion = (a: FileVersion | undefined, b: FileVersion): boolean => a !== undefined && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.size === b.size;

function readSources(sources: KeySources, seen: (version: FileVersion) => void): ApiKey[] {
  const keys: ApiKey[] = [];
  if (sources.file !== undefined) {
    let text: string;
    try {
      const stat = statSync(sources.file);
      seen(stat);
      if (stat.size > MAX_FILE_BYTES) throw new KeyFileError(`${sources.file}: larger than ${MAX_FILE_BYTES} bytes`);
      text = readFileSync(sources.file, 'utf8');
    } catch (err) {
      if (err instanceof KeyFileError) throw err;
      throw new KeyFileError(`${sources.file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    keys.push(...parseKeyFile(text, sources.file));
  }
  const fromEnv = sources.env[sources.envName];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    for (const key of parseKeyEnv(fromEnv, sources.envName)) {
      const clash = keys.find((k) => k.id === key.id || k.hashes.some((h) => key.hashes.some((e) => e.equals(h))));
      if (clash) throw new KeyFileError(`env ${sources.envName}: key '${key.id}' clashes with key '${clash.id}' of ${sources.file}`);
      keys.push(key);
    }
  }
  if (keys.length > MAX_KEYS) throw new KeyFileError(`more than ${MAX_KEYS} keys in ${sources.file} and env ${sources.envName} together`);
  return keys;
}

function sameKey(a: ApiKey, b: ApiKey): boolean {
  return a.weight === b.weight && a.hashes.length === b.hashes.length && a.hashes.every((h, i) => h.equals(b.hashes[i]!));
}

/**
 * The accepted keys, swapped whole on reload. `verify` hashes what the client sent and compares the
 * digest with every stored hash, each comparison constant-time and none skipped, so the time taken
 * says nothing about which stored hash, or how much of one, the digest resembles.
 */
export class KeyStore {
  private keys: readonly ApiKey[] = [];
  private hashes: Buffer[] = [];
  private owners: ApiKey[] = [];
  private poller: NodeJS.Timeout | undefined;
  /** The version of the key file last read (or tried): the watch compares with it, not with its own last poll. */
  private version: FileVersion | undefined;

  /** Reads the sources; throws KeyFileError (naming the file or variable and the entry) when they are invalid. */
  constructor(private readonly sources: KeySources) {
    this.install(this.read());
  }

  get size(): number {
    return this.keys.length;
  }

  get ids(): string[] {
    return this.keys.map((k) => k.id);
  }

  /** The key whose hash matches the presented one, or undefined. */
  verify(presented: string): ApiKey | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: ApiKey | undefined;
    for (let i = 0; i < this.hashes.length; i++) {
      const match = timingSafeEqual(digest, this.hashes[i]!);
      found = match ? this.owners[i] : found;
    }
    return found;
  }

  /** Re-reads the sources. On any problem the keys in use stay as they were and the result says why. */
  reload(): ReloadResult {
    let next: ApiKey[];
    try {
      next = this.read();
    } catch (err) {
      if (!(err instanceof KeyFileError)) throw err;
      return { ok: false, keys: this.keys.length, error: err.message };
    }
    const before = new Map(this.keys.map((k) => [k.id, k]));
    const after = new Map(next.map((k) => [k.id, k]));
    const added = next.filter((k) => !before.has(k.id)).map((k) => k.id);
    const removed = this.keys.filter((k) => !after.has(k.id)).map((k) => k.id);
    const changed = next.filter((k) => before.has(k.id) && !sameKey(before.get(k.id)!, k)).map((k) => k.id);
    this.install(next);
    return { ok: true, keys: next.length, added, removed, changed };
  }

  /**
   * Calls `onChange` (which reloads) whenever the key file changes, checked every `seconds` by stat
   * against the version last read, so a change is seen however it was made: rewritten in place,
   * replaced by rename, or a Kubernetes Secret's symlink swap (where an inotify watch would not see it).
   */
  watch(seconds: number, onChange: () => void): void {
    const file = this.sources.file;
    if (file === undefined || seconds <= 0 || this.poller) return;
    this.poller = setInterval(() => {
      stat(file, (err, cur) => {
        // A file gone is a change too (the reload then fails and says so, once).
        const version: FileVersion = err ? { mtimeMs: 0, ino: 0, size: 0 } : cur;
        if (!this.poller || sameVersion(this.version, version)) return;
        this.version = { mtimeMs: version.mtimeMs, ino: version.ino, size: version.size };
        onChange();
      });
    }, Math.max(1, Math.round(seconds * 1000)));
    this.poller.unref();
  }

  close(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }

  private read(): ApiKey[] {
    return readSources(this.sources, (stat) => (this.version = { mtimeMs: stat.mtimeMs, ino: stat.ino, size: stat.size }));
  }

  private install(keys: ApiKey[]): void {
    this.keys = keys;
    this.hashes = keys.flatMap((k) => k.hashes);
    this.owners = keys.flatMap((k) => k.hashes.map(() => k));
  }
}
