import type { Server } from 'node:http';
import path from 'node:path';
import type { LoadedConfig } from '../../src/config/load';
import { parseConfig, resolveModels } from '../../src/config/load';
import type { AppConfigInput } from '../../src/config/schema';
import type { Logger } from '../../src/logging';
import type { Moderation } from '../../src/moderation/runtime';
import { startService, type RunningService } from '../../src/start';
import type { Telemetry } from '../../src/telemetry/setup';

export const ROOT = path.resolve(__dirname, '../..');
/** The embedded model; TEST_MODEL_DIR runs the suites against another bundle. */
export const DEFAULT_MODEL = process.env.TEST_MODEL_DIR ?? path.join(ROOT, 'models/default');

export interface Harness {
  /** The app (src/app.ts) behind the service's own HTTP server (src/http-server.ts), listening on 127.0.0.1. */
  server: Server;
  moderation: Moderation;
  telemetry: Telemetry;
  config: LoadedConfig['config'];
  service: RunningService;
  close(): Promise<void>;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/**
 * The real service (src/start.ts) on the real embedded model (real worker threads, real onnxruntime),
 * listening on a free port of 127.0.0.1, with Prometheus metrics served from the app and no console output.
 */
export async function startHarness(overrides: DeepPartial<AppConfigInput> = {}, options: { logger?: Logger } = {}): Promise<Harness> {
  const raw: AppConfigInput = {
    ...overrides,
    // No event-loop load shedding unless a test asks for it: client and server share this process's event
    // loop, and a test's burst of concurrent requests would be shed on a slow machine.
    server: {
      host: '127.0.0.1',
      port: 0,
      shutdown_timeout_seconds: 1,
      shutdown_delay_seconds: 0,
      ...overrides.server,
      admission: { max_event_loop_delay_ms: 0, ...overrides.server?.admission },
    },
    // With `models` the models are listed there; without, the embedded one is the model.
    classifier: { ...(overrides.models ? {} : { model_path: DEFAULT_MODEL }), workers: 1, ...overrides.classifier } as AppConfigInput['classifier'],
    metrics: { reporters: ['prometheus'], runtime: false, ...overrides.metrics } as AppConfigInput['metrics'],
    logging: { level: 'silent', ...overrides.logging },
  } as AppConfigInput;
  const config = parseConfig(raw, 'test config');
  const loaded: LoadedConfig = resolveModels(config, path.join(ROOT, 'test-config.yml'));
  const service = await startService(loaded, { version: 'test', instrument: false, logger: options.logger });
  return {
    server: service.server,
    moderation: service.moderation,
    telemetry: service.telemetry,
    config,
    service,
    close: () => service.stop(),
  };
}

/** One sample of a Prometheus text exposition: name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the Prometheus text format strictly enough to catch a malformed exposition: every
 * non-comment line must be `name{labels} value`, every HELP/TYPE well formed.
 */
export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      // Only HELP and TYPE carry meaning in the text format; any other comment (e.g. UNIT) is free text.
      if (!/^# (HELP|TYPE) /.test(raw)) continue;
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(raw);
      if (!m) throw new Error(`malformed comment line: ${raw}`);
      if (m[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]!)) throw new Error(`bad TYPE: ${raw}`);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = line.exec(raw);
    if (!m) throw new Error(`malformed sample line: ${raw}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(label)) labels[l[1]!] = l[2]!;
    const value = Number(m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value: ${raw}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, types };
}

/** The value of the one sample matching name and labels (throws when absent or ambiguous). */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}`);
  return found[0]!.value;
}
