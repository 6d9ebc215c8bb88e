import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ROOT } from './harness';

/** The real server (src/server.ts through tsx) as a child process, with its output captured. */
export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  port: number;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  stop(): Promise<number | string>;
}

export function writeConfig(config: object): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'moderator-conf-'));
  const file = path.join(dir, 'app_conf.yml');
  writeFileSync(file, stringify(config));
  return file;
}

export function spawnServer(configFile: string, env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server.ts')], {
    cwd: ROOT,
    env: { ...process.env, APP_CONF: configFile, PORT: '0', ...env },
  });
}

/** Runs the server on a config until it exits (a start-up that fails): its exit code and stderr. */
export async function runUntilExit(config: object): Promise<{ code: number | null; stderr: string }> {
  const child = spawnServer(writeConfig(config));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, stderr };
}

export async function poll<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the server and waits for its "listening" log line (which carries the port it got). */
export async function startServer(config: object, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const child = spawnServer(writeConfig(config), env);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  let gone = false;
  void exited.then(() => (gone = true));
  const port = await poll('the server to listen', () => {
    if (gone) throw new Error(`server exited early: ${err || out}`);
    for (const line of out.split('\n')) {
      if (!line.startsWith('{"')) continue;
      const rec = JSON.parse(line) as { msg?: string; port?: number };
      if (rec.msg === 'listening') return rec.port;
    }
    return undefined;
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** JSON log records the server wrote to stdout. */
export function logRecords(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
