/**
 * Process entry: config -> telemetry -> model -> app -> listen -> graceful shutdown.
 * Telemetry starts before express/http are first required so their instrumentation can patch them.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';

import type { Server } from 'node:http';
import { ConfigError, loadConfig, type LoadedConfig } from './config/load';
import { createLogger, metricsLogWriter, type Logger } from './logging';
import { metricsOnAppPort, startTelemetry, type Telemetry } from './telemetry/setup';
import { serviceVersion } from './version';
import type { Moderator } from './moderator';

async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Readiness off, stop accepting, let in-flight requests finish, drain the model queue, flush metrics. */
function installShutdown(server: Server, moderator: Moderator, telemetry: Telemetry, logger: Logger, timeoutSeconds: number): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'shutting down');
    moderator.ctx.lifecycle.beginShutdown();
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
    await moderator.close();
    await telemetry.shutdown().catch((err: unknown) => logger.warn({ err }, 'metrics flush failed'));
    logger.info({ ms: Date.now() - started }, 'stopped');
    // Exit once the log lines are written (a flush without a callback may still be in flight at exit).
    logger.flush(() => process.exit(0));
  };
  const onSignal = (signal: string) => {
    if (!stopping) return void stop(signal);
    // A second signal means "now": say so, and still write what is buffered.
    logger.warn({ signal }, 'second signal: exiting without waiting for the drain');
    logger.flush(() => process.exit(1));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

async function main(): Promise<void> {
  const startedAt = process.hrtime.bigint();
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`content-moderator: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { config } = loaded;
  const logger = createLogger(config.logging.level);
  const version = serviceVersion();
  const telemetry = startTelemetry(config, { version, instrument: true, writeConsoleMetrics: metricsLogWriter(logger) });

  // Loaded only now, after instrumentation is in place.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createModerator } = require('./moderator') as typeof import('./moderator');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createApp } = require('./app') as typeof import('./app');
  let moderator: Moderator;
  try {
    moderator = await createModerator(loaded, telemetry, logger);
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `could not load the model: ${(err as Error).message}`;
    process.stderr.write(`content-moderator: ${message}\n`);
    await telemetry.shutdown().catch(() => undefined);
    process.exit(2);
  }
  const app = createApp(moderator.ctx, {
    logger,
    version,
    prometheus: metricsOnAppPort(config) ? telemetry.prometheus : undefined,
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHttpServer } = require('./http-server') as typeof import('./http-server');
  const httpServer = createHttpServer(app);
  // Keep-alive longer than typical load balancer idle timeouts, so they close first.
  httpServer.keepAliveTimeout = 65_000;
  try {
    await listen(httpServer, config.server.port, config.server.host);
  } catch (err) {
    // A port in use or not allowed is a configuration problem: one line naming the key, as for the others.
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    process.stderr.write(`content-moderator: 'server.port': cannot listen on ${config.server.host}:${config.server.port} (${code})\n`);
    await telemetry.shutdown().catch(() => undefined);
    process.exit(2);
  }
  // After listen, errors the server emits (accept failing with EMFILE when out of file descriptors) are
  // logged: without a listener they would be an uncaught exception and end the process.
  httpServer.on('error', (err: NodeJS.ErrnoException) => logger.error({ code: err.code, syscall: err.syscall }, 'HTTP server error'));
  installShutdown(httpServer, moderator, telemetry, logger, config.server.shutdown_timeout_seconds);
  const address = httpServer.address();
  logger.info(
    {
      port: typeof address === 'object' && address ? address.port : config.server.port,
      config: loaded.file,
      reporters: config.metrics.reporters,
      startup_ms: Math.round(Number(process.hrtime.bigint() - startedAt) / 1e6),
    },
    'listening',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`content-moderator: fatal: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
