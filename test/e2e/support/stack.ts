/**
 * The real monitoring stack for the e2e test: Prometheus, Alertmanager and the alert-logger webhook receiver,
 * on free 127.0.0.1 ports, configured from the very files docker-compose.yml mounts (monitoring/prometheus.yml,
 * alerts/rules/*.yml, alerts/alertmanager.yml, monitoring/alert-logger.mjs). Only addresses and timings are
 * rewritten, in a temporary copy.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT } from '../../support/observability';

/** Finds an executable on PATH, or undefined. */
export function which(names: string[]): string | undefined {
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Thrown by a probe to stop polling at once (e.g. the process being waited for has exited). */
export class Fatal extends Error {}

/** Polls `probe` until it returns a value (not undefined); never a fixed sleep. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof Fatal) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<void>;
  stop(): Promise<void>;
}

export function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString('utf8');
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let running = true;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running = false;
      resolve();
    }),
  );
  child.once('error', (err) => {
    out += `\n[spawn error] ${err.message}`;
    running = false;
  });
  return {
    name,
    child,
    output: () => out,
    exited,
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

async function ok(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** Runs `wait`; if it fails, stops the process (so nothing is left running) and rethrows. */
export async function orStop<T>(proc: Proc, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

export async function waitReady(proc: Proc, url: string, timeoutMs = 30_000): Promise<void> {
  await orStop(proc, () =>
    eventually(`${proc.name} at ${url}`, async () => {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
        throw new Fatal(`${proc.name} exited:\n${proc.output().slice(-4000)}`);
      }
      return (await ok(url)) ? true : undefined;
    }, timeoutMs),
  );
}

// ------------------------------------------------------------------ alert-logger (the webhook receiver)

export interface Notification {
  time: string;
  msg: 'notification';
  path: string;
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

export interface AlertLogger extends Proc {
  port: number;
  notifications(): Notification[];
}

export async function startAlertLogger(): Promise<AlertLogger> {
  const proc = startProcess('alert-logger', process.execPath, [path.join(ROOT, 'monitoring', 'alert-logger.mjs')], {
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const lines = () =>
    proc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; port?: number });
  const port = await orStop(proc, () =>
    eventually('alert-logger to listen', () => {
      if (proc.child.exitCode !== null) throw new Fatal(`alert-logger exited: ${proc.output()}`);
      return lines().find((l) => l.msg === 'listening')?.port;
    }, 10_000, 50),
  );
  return {
    ...proc,
    port,
    notifications: () => lines().filter((l): l is Notification => l.msg === 'notification'),
  };
}

// ------------------------------------------------------------------ Alertmanager

/** alerts/alertmanager.yml with webhooks sent to the local alert-logger and second-scale timings. */
export function alertmanagerConfig(loggerPort: number): string {
  const config = parse(fs.readFileSync(path.join(ROOT, 'alerts', 'alertmanager.yml'), 'utf8'));
  for (const receiver of config.receivers) {
    for (const hook of receiver.webhook_configs ?? []) {
      const url = new URL(hook.url);
      url.host = `127.0.0.1:${loggerPort}`;
      hook.url = url.toString();
    }
  }
  const fast = (route: Record<string, unknown>) => {
    if (route.group_wait !== undefined || route === config.route) route.group_wait = '1s';
    if (route.group_interval !== undefined || route === config.route) route.group_interval = '1s';
    for (const child of (route.routes as Array<Record<string, unknown>> | undefined) ?? []) fast(child);
  };
  fast(config.route);
  return stringify(config);
}

export async function startAlertmanager(dir: string, loggerPort: number): Promise<Proc & { url: string }> {
  const binary = which(['prometheus-alertmanager', 'alertmanager']);
  if (!binary) throw new Error('Alertmanager not found on PATH (apt-get install -y prometheus-alertmanager)');
  const port = await freePort();
  const configFile = path.join(dir, 'alertmanager.yml');
  fs.writeFileSync(configFile, alertmanagerConfig(loggerPort));
  fs.mkdirSync(path.join(dir, 'alertmanager-data'));
  const proc = startProcess('alertmanager', binary, [
    `--config.file=${configFile}`,
    `--storage.path=${path.join(dir, 'alertmanager-data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, `${url}/-/ready`);
  return { ...proc, url };
}

// ------------------------------------------------------------------ Prometheus

/**
 * monitoring/prometheus.yml with 1 s scrape and evaluation intervals, the targets moved to local ports, and
 * the shipped rule files (by absolute path) plus any test-only rule files.
 */
export function prometheusConfig(o: {
  appAddress: string;
  alertmanagerAddress: string;
  prometheusAddress: string;
  extraRuleFiles: string[];
}): string {
  const config = parse(fs.readFileSync(path.join(ROOT, 'monitoring', 'prometheus.yml'), 'utf8'));
  config.global.scrape_interval = '1s';
  config.global.scrape_timeout = '1s';
  config.global.evaluation_interval = '1s';
  config.rule_files = [
    ...(config.rule_files as string[]).map((f) => path.resolve(ROOT, 'monitoring', f)),
    ...o.extraRuleFiles,
  ];
  const addresses: Record<string, string> = {
    'app:8000': o.appAddress,
    'alertmanager:9093': o.alertmanagerAddress,
    'localhost:9090': o.prometheusAddress,
  };
  const move = (targets: string[]) =>
    targets.map((t) => {
      if (!(t in addresses)) throw new Error(`monitoring/prometheus.yml: unexpected target ${t}`);
      return addresses[t];
    });
  for (const am of config.alerting.alertmanagers) for (const sc of am.static_configs) sc.targets = move(sc.targets);
  for (const job of config.scrape_configs) for (const sc of job.static_configs) sc.targets = move(sc.targets);
  return stringify(config);
}

export interface Prometheus extends Proc {
  url: string;
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  labelValues(label: string, match: string): Promise<string[]>;
  alerts(): Promise<Array<{ labels: Record<string, string>; state: string }>>;
}

export async function startPrometheus(
  dir: string,
  o: { appAddress: string; alertmanagerAddress: string; extraRuleFiles: string[] },
): Promise<Prometheus> {
  const binary = which(['prometheus']);
  if (!binary) throw new Error('prometheus not found on PATH (apt-get install -y prometheus)');
  const port = await freePort();
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    configFile,
    prometheusConfig({ ...o, prometheusAddress: `127.0.0.1:${port}` }),
  );
  const proc = startProcess('prometheus', binary, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, `${url}/-/ready`);
  const api = async (p: string, body?: URLSearchParams) => {
    const res = await fetch(`${url}${p}`, body ? { method: 'POST', body } : undefined);
    const json = (await res.json()) as { status: string; data: any; error?: string };
    if (json.status !== 'success') throw new Error(`Prometheus ${p}: ${json.error}`);
    return json.data;
  };
  return {
    ...proc,
    url,
    async query(expr) {
      const data = await api('/api/v1/query', new URLSearchParams({ query: expr }));
      if (data.resultType !== 'vector') throw new Error(`${expr}: expected a vector, got ${data.resultType}`);
      return data.result;
    },
    async labelValues(label, match) {
      return api(`/api/v1/label/${encodeURIComponent(label)}/values?${new URLSearchParams({ 'match[]': match })}`);
    },
    async alerts() {
      return (await api('/api/v1/alerts')).alerts;
    },
  };
}

// ------------------------------------------------------------------ the service

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (`tsc -p tsconfig.build.json`, as the Dockerfile does) when it is missing or older than src/. */
export function ensureBuilt(): void {
  const entry = path.join(ROOT, 'dist', 'src', 'server.js');
  const sources = Math.max(newestMtime(path.join(ROOT, 'src')), fs.statSync(path.join(ROOT, 'tsconfig.build.json')).mtimeMs);
  if (fs.existsSync(entry) && fs.statSync(entry).mtimeMs >= sources && newestMtime(path.join(ROOT, 'dist', 'src')) >= sources) return;
  const tsc = require.resolve('typescript/bin/tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`npm run build failed:\n${res.stdout}${res.stderr}`);
}

export interface Service extends Proc {
  port: number;
  url: string;
}

/** The built service (`node dist/src/server.js`, the image's command) on a free port, with the given config. */
export async function startService(dir: string, config: object): Promise<Service> {
  ensureBuilt();
  const configFile = path.join(dir, 'app_conf.yml');
  fs.writeFileSync(configFile, stringify(config));
  const proc = startProcess('content-moderator', process.execPath, [path.join(ROOT, 'dist', 'src', 'server.js')], {
    APP_CONF: configFile,
    PORT: '0',
    ORT_DISABLE_TELEMETRY: '1',
  });
  // The service logs {"msg":"listening","port":N} at info level once it accepts connections.
  const port = await orStop(proc, () =>
    eventually('the service to listen', () => {
      if (proc.child.exitCode !== null) throw new Fatal(`the service exited:\n${proc.output().slice(-4000)}`);
      for (const line of proc.output().split('\n')) {
        if (!line.startsWith('{')) continue;
        const rec = JSON.parse(line) as { msg?: string; port?: number };
        if (rec.msg === 'listening' && rec.port) return rec.port;
      }
      return undefined;
    }, 30_000, 50),
  );
  return { ...proc, port, url: `http://127.0.0.1:${port}` };
}
