/**
 * Server processes for the benchmark: the service (compiled dist/src/server.js, as deployed) and the
 * hello-world reference, each a child process on 127.0.0.1 with its output in a temp file (a pipe
 * the bench had to drain would cost the bench CPU; a file is what a container log driver does).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';

export const ROOT = path.resolve(__dirname, '../..');

export interface Running {
  name: string;
  child: ChildProcess;
  pid: number;
  url: string;
  /** spawn -> first 200 from the readiness URL, ms. */
  coldStartMs: number;
  logFile: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export function httpPost(url: string, body: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', timeout: timeoutMs, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Compiles src/ to dist/ (tsc -p tsconfig.build.json) when dist/src/server.js is missing or older than src/. */
export function ensureBuilt(log: (s: string) => void): void {
  const entry = path.join(ROOT, 'dist/src/server.js');
  const fresh = existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(path.join(ROOT, 'src'));
  if (fresh) return;
  log('building dist/ (tsc -p tsconfig.build.json) ...');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
}

async function waitReady(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited early (${child.exitCode ?? child.signalCode}): ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    try {
      const r = await httpGet(url, 500);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${url}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

function launch(name: string, args: string[], env: NodeJS.ProcessEnv, workDir: string): { child: ChildProcess; logFile: string; started: bigint } {
  const logFile = path.join(workDir, `${name}-${Date.now()}.log`);
  const fd = openSync(logFile, 'w');
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', SCARF_ANALYTICS: 'false', ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  return { child, logFile, started };
}

export interface ServiceOptions {
  name: string;
  /** app_conf.yml content (an object); host and port are set here. */
  config: Record<string, unknown>;
  workDir: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** The server entry (default dist/src/server.js): point it at a scratch build to measure a candidate change. */
  entry?: string;
}

/** Starts dist/src/server.js with a config file written to workDir; resolves once /readyz answers 200. */
export async function spawnService(o: ServiceOptions): Promise<Running> {
  mkdirSync(o.workDir, { recursive: true });
  const port = await freePort();
  const confFile = path.join(o.workDir, `${o.name}.yml`);
  writeFileSync(confFile, stringify(o.config));
  const args = [...(o.nodeArgs ?? []), o.entry ?? path.join(ROOT, 'dist/src/server.js')];
  return startReady(o.name, args, { APP_CONF: confFile, PORT: String(port) }, o.workDir, port);
}

/**
 * Starts bench/measure/hello-server.ts (through tsx) and waits for it to answer. `appPrototypes`: served by
 * the service's createHttpServer instead of a plain http.createServer.
 */
export async function spawnHello(workDir: string, appPrototypes = false): Promise<Running> {
  mkdirSync(workDir, { recursive: true });
  const port = await freePort();
  const env = { PORT: String(port), HELLO_SERVER: appPrototypes ? 'app-prototypes' : 'plain' };
  return startReady('hello', ['--import', 'tsx', path.join(ROOT, 'bench/measure/hello-server.ts')], env, workDir, port);
}

/** Launches a server and waits for its /readyz; the time from spawn to ready is its cold start. */
async function startReady(name: string, args: string[], env: NodeJS.ProcessEnv, workDir: string, port: number): Promise<Running> {
  const { child, logFile, started } = launch(name, args, env, workDir);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${url}/readyz`, child, logFile, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const coldStartMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { name, child, pid: child.pid!, url, coldStartMs, logFile, stop: stopper(child) };
}

/** VmRSS and VmHWM of a process in MB (Linux /proc). */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** Sample values from one scrape of a Prometheus exposition (the first series of each name); names not exposed are left out. */
export async function metricValues(url: string, names: readonly string[]): Promise<Record<string, number>> {
  const r = await httpGet(url);
  const values: Record<string, number> = {};
  if (r.status !== 200) return values;
  const lines = r.body.split('\n');
  for (const name of names) {
    const line = lines.find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    if (line) values[name] = Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return values;
}

/** One sample value from the Prometheus exposition (first series of that name). */
export async function metricValue(url: string, name: string): Promise<number | undefined> {
  return (await metricValues(url, [name]))[name];
}

/** The `startup_ms` the service logged on its "listening" line. */
export function loggedStartupMs(logFile: string): number | undefined {
  for (const line of readFileSync(logFile, 'utf8').split('\n', 50)) {
    if (!line.startsWith('{')) continue;
    try {
      const rec = JSON.parse(line) as { msg?: string; startup_ms?: number };
      if (rec.msg === 'listening') return rec.startup_ms;
    } catch {
      // not JSON
    }
  }
  return undefined;
}

const CLK_TCK = 100; // USER_HZ on Linux

function ticks(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  // Fields after the ")" of the command name: state is field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU time used so far (user + system), ms: the whole process and its main thread. */
export function cpuTimes(pid: number): { processMs: number; mainMs: number } {
  return {
    processMs: (ticks(`/proc/${pid}/stat`) * 1000) / CLK_TCK,
    mainMs: (ticks(`/proc/${pid}/task/${pid}/stat`) * 1000) / CLK_TCK,
  };
}

/**
 * Time the process's threads have spent runnable but waiting for a core, so far, ms: its main thread
 * and the sum of all its other threads (inference workers, onnxruntime and V8 helpers), from
 * /proc/<pid>/task/<tid>/schedstat (the second field, run-queue wait in ns). Threads that ended are
 * not counted; the service's threads live as long as it does.
 */
export function runQueueWait(pid: number): { mainMs: number; othersMs: number } {
  let mainMs = 0;
  let othersMs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let waitNs: number;
    try {
      waitNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    } catch {
      continue; // the thread ended between the listing and the read
    }
    if (Number(tid) === pid) mainMs += waitNs / 1e6;
    else othersMs += waitNs / 1e6;
  }
  return { mainMs, othersMs };
}

/** Machine-wide CPU time so far, ms: busy (all but idle and iowait) and total, over all cores (/proc/stat). */
export function machineCpu(): { busyMs: number; totalMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3]! + v[4]!;
  return { busyMs: ((total - idle) * 1000) / CLK_TCK, totalMs: (total * 1000) / CLK_TCK };
}
