import path from 'node:path';
import type { Meter } from '@opentelemetry/api';
import { ConfigError } from '../config/load';
import type { AppConfig } from '../config/schema';
import type { Logger } from '../logging';
import { ClientMetrics } from '../telemetry/client-metrics';
import { ANONYMOUS, KeyFileError } from './key-file';
import { KeyStore, type ReloadResult } from './key-store';
import { LIMIT_NAMES, type RateLimiter } from './rate-limiter';
import { rateLimiterFrom } from './rate-limits';

/** API keys, rate limits and their metrics, as one running part of the service. */
export interface Security {
  /** The accepted keys; undefined when `auth.enabled` is false. */
  readonly keys?: KeyStore;
  readonly limiter?: RateLimiter;
  readonly metrics: ClientMetrics;
  /** Re-reads the keys (SIGHUP, or the file changed) and logs the outcome; undefined when keys are off. */
  reloadKeys(trigger: string): ReloadResult | undefined;
  close(): void;
}

export interface SecurityOptions {
  /** The config file's folder: `auth.keys_file` is relative to it. */
  configDir: string;
  meter: Meter;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

function loadKeys(config: AppConfig['auth'], configDir: string, env: NodeJS.ProcessEnv): KeyStore {
  const file = config.keys_file === null ? undefined : path.resolve(configDir, config.keys_file);
  let keys: KeyStore;
  try {
    keys = new KeyStore({ file, envName: config.keys_env, env });
  } catch (err) {
    if (err instanceof KeyFileError) throw new ConfigError(`'auth.keys_file': ${err.message}`);
    throw err;
  }
  if (keys.size === 0) {
    const where = [file, `env ${config.keys_env}`].filter(Boolean).join(' or ');
    throw new ConfigError(`'auth.keys_file': no API keys in ${where}; with auth.enabled every API request would be refused`);
  }
  return keys;
}

/** Loads the keys (ConfigError naming the key or file when they are unusable) and builds the rate limiter. */
export function startSecurity(config: AppConfig, options: SecurityOptions): Security {
  const { logger } = options;
  const keys = config.auth.enabled ? loadKeys(config.auth, options.configDir, options.env ?? process.env) : undefined;
  const limiter = rateLimiterFrom(config.rate_limits);
  // Every limit's series exists from the start, at 0, also with rate limits off: dashboards and alerts see them.
  const metrics = new ClientMetrics(options.meter, keys ? keys.ids : [ANONYMOUS], LIMIT_NAMES);
  metrics.setKeys(keys?.size ?? 0);

  const reloadKeys = (trigger: string): ReloadResult | undefined => {
    if (!keys) return undefined;
    const result = keys.reload();
    metrics.keysLoaded(result.keys, result.ok);
    if (result.ok) {
      const { added, removed, changed } = result;
      logger.info({ trigger, keys: result.keys, added, removed, changed }, 'API keys reloaded');
    } else {
      logger.error({ trigger, keys: result.keys, error: result.error }, 'API keys not reloaded; the previous keys stay in use');
    }
    return result;
  };
  keys?.watch(config.auth.watch_seconds, () => reloadKeys('file changed'));
  return {
    keys,
    limiter,
    metrics,
    reloadKeys,
    close: () => keys?.close(),
  };
}
