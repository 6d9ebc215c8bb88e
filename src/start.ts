/**
 * The one assembly of the service: config -> telemetry -> model -> app -> HTTP server -> listening,
 * and the one way to stop it. The process entry (server.ts), the tests and the benchmark's servers
 * all start the service through here.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import { ConfigError, type LoadedConfig } from './config/load';
import type { AppConfig } from './config/schema';
import { Lifecycle } from './context';
import { createLogger, metricsLogWriter, type Logger } from './logging';
import type { ModelRegistry } from './moderation/registry';
import type { Moderation } from './moderation/runtime';
import type { ReloadResult } from './security/key-store';
import type { Security } from './security/security';
import { metricsOnAppPort, startTelemetry, type Telemetry } from './telemetry/setup';

export interface StartOptions {
  /** Service version, reported in the spec and target_info. */
  version: string;
  /**
   * Patch the runtime through OpenTelemetry's NodeSDK (the process does; in-process tests don't).
   * express and node:http are loaded only after telemetry starts, so that instrumentation can patch them.
   */
  instrument: boolean;
  /** A logger to use instead of one built from `logging.level`. */
  logger?: Logger;
}

export interface RunningService {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  /** The default model's classification path (the first configured). */
  readonly moderation: Moderation;
  /** Every model served, by name. */
  readonly models: ModelRegistry;
  readonly lifecycle: Lifecycle;
  readonly app: Express;
  /** The HTTP server, listening. */
  readonly server: Server;
  /** The port it listens on (the configured one, or the one the system chose for port 0). */
  readonly port: number;
  /** API keys, rate limits and their metrics. */
  readonly security: Security;
  /**
   * Re-reads the API keys (the process does on SIGHUP). A bad key file keeps the keys in use; the
   * result says why and the log line too. Undefined when API keys are off.
   */
  reloadKeys(trigger: string): ReloadResult | undefined;
  /**
   * Readiness off while still serving for `server.shutdown_delay_seconds` (or `options.delaySeconds`),
   * then stop accepting, let in-flight requests finish (at most `shutdown_timeout_seconds`), drain the
   * model queue, stop the workers, flush metrics. Safe to call more than once (the first call decides).
   */
  stop(reason?: string, options?: StopOptions): Promise<void>;
}

export interface StopOptions {
  /** Seconds to keep serving with readiness off before the listener closes; default `server.shutdown_delay_seconds`. */
  delaySeconds?: number;
}

async function listen(server: Server, port: number, host: string, backlog: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting and closes every connection once its current response is sent (or at the deadline). */
async function closeGracefully(server: Server, timeoutSeconds: number, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // server.close() closes the connections idle right now; a keep-alive connection busy at this moment would
  // be served request after request until the deadline. So every answer from now on says Connection: close
  // (Lifecycle), and connections are closed as soon as they fall idle.
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => {
    logger.warn({ timeout_seconds: timeoutSeconds }, 'in-flight requests did not finish in time; closing connections');
    server.closeAllConnections();
  }, timeoutSeconds * 1000);
  deadline.unref();
  await closed;
  clearTimeout(deadline);
  clearInterval(sweep);
}

/**
 * Starts the whole service from a loaded config. Throws ConfigError (one line naming the key or
 * file) when the model cannot load or the port cannot be bound; nothing is left running then.
 */
export async function startService(loaded: LoadedConfig, options: StartOptions): Promise<RunningService> {
  const { config } = loaded;
  const logger = options.logger ?? createLogger(config.logging.level);
  const telemetry = startTelemetry(config, { version: options.version, instrument: options.instrument, writeConsoleMetrics: metricsLogWriter(logger) });

  // Loaded only now, after instrumentation is in place.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startModeration } = require('./moderation/runtime') as typeof import('./moderation/runtime');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createApp } = require('./app') as typeof import('./app');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHttpServer } = require('./http-server') as typeof import('./http-server');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RequestMetrics } = require('./telemetry/request-metrics') as typeof import('./telemetry/request-metrics');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSecurity } = require('./security/security') as typeof import('./security/security');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EdgeMetrics } = require('./telemetry/edge-metrics') as typeof import('./telemetry/edge-metrics');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Admission } = require('./edge/admission') as typeof import('./edge/admission');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { answerClientErrors } = require('./edge/client-errors') as typeof import('./edge/client-errors');

  let security: Security;
  try {
    // Before the model: a key file that cannot be used is a config error worth finding in milliseconds.
    security = startSecurity(config, { configDir: path.dirname(loaded.file), meter: telemetry.meter, logger });
  } catch (err) {
    await telemetry.shutdown().catch(() => undefined);
    throw err;
  }
  // Readiness asks the models, which exist once startModeration returns (nothing asks before the server listens).
  const lifecycle = new Lifecycle(() => models.unavailable());
  let models: ModelRegistry;
  try {
    models = await startModeration(loaded, { telemetry, logger, stopping: () => lifecycle.stopping });
  } catch (err) {
    security.close();
    await telemetry.shutdown().catch(() => undefined);
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`could not load the model: ${(err as Error).message}`);
  }
  const moderation = models.default;
  const service = moderation.service;
  const requests = new RequestMetrics(telemetry.meter, telemetry.textHistograms);
  const edgeMetrics = new EdgeMetrics(telemetry.meter, (): number => admission.connections);
  const admission = new Admission(config.server, edgeMetrics);
  const app = createApp(
    { config, service, models, lifecycle, requests, admission },
    { logger, version: options.version, prometheus: metricsOnAppPort(config) ? telemetry.prometheus : undefined, security },
  );
  const limits = config.server;
  const server = createHttpServer(app, {
    headersTimeoutMs: limits.headers_timeout_seconds * 1000,
    requestTimeoutMs: limits.request_timeout_seconds * 1000,
    keepAliveTimeoutMs: limits.keep_alive_timeout_seconds * 1000,
    maxHeaderBytes: limits.max_header_bytes,
    maxHeaders: limits.max_headers,
  });
  admission.watch(server);
  answerClientErrors(server, { logger, metrics: edgeMetrics, limits });
  try {
    await listen(server, config.server.port, config.server.host, config.server.listen_backlog);
  } catch (err) {
    // A port in use or not allowed is a configuration problem: one line naming the key, as for the others.
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    security.close();
    admission.stop();
    await models.close();
    await telemetry.shutdown().catch(() => undefined);
    throw new ConfigError(`'server.port': cannot listen on ${config.server.host}:${config.server.port} (${code})`);
  }
  // After listen, errors the server emits (accept failing with EMFILE when out of file descriptors) are
  // logged: without a listener they would be an uncaught exception and end the process.
  server.on('error', (err: NodeJS.ErrnoException) => logger.error({ code: err.code, syscall: err.syscall }, 'HTTP server error'));

  let stopped: Promise<void> | undefined;
  const stop = async (reason: string, { delaySeconds = config.server.shutdown_delay_seconds }: StopOptions): Promise<void> => {
    const started = Date.now();
    logger.info({ signal: reason, delay_seconds: delaySeconds }, 'shutting down');
    // Readiness off first; the listener stays open while load balancers notice and stop sending.
    lifecycle.beginShutdown();
    if (delaySeconds > 0) await new Promise((resolve) => setTimeout(resolve, delaySeconds * 1000));
    logger.info({}, 'closing the listener');
    await closeGracefully(server, config.server.shutdown_timeout_seconds, logger);
    security.close();
    admission.stop();
    await models.close();
    await telemetry.shutdown().catch((err: unknown) => logger.warn({ err }, 'metrics flush failed'));
    logger.info({ ms: Date.now() - started }, 'stopped');
  };
  return {
    config,
    logger,
    telemetry,
    moderation,
    models,
    lifecycle,
    app,
    server,
    port: (server.address() as AddressInfo).port,
    security,
    reloadKeys: (trigger) => security.reloadKeys(trigger),
    stop: (reason = 'stop', stopOptions = {}) => (stopped ??= stop(reason, stopOptions)),
  };
}
