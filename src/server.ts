/**
 * Process entry: load the config, start the service (src/start.ts), stop it on SIGTERM/SIGINT.
 * Exit codes: 0 after a clean stop, 1 on a second signal or a fatal error, 2 for a configuration
 * problem (one line on stderr naming the key or file).
 */
process.env.ORT_DISABLE_TELEMETRY = '1';

import { ConfigError, loadConfig } from './config/load';
import { startService, type RunningService } from './start';
import { serviceVersion } from './version';

function exitWithConfigError(err: unknown): never {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`content-moderator: ${err.message}\n`);
  process.exit(2);
}

/**
 * The first signal stops the service gracefully; a second one means "now". SIGTERM (what orchestrators
 * and `docker stop` send) keeps serving for `server.shutdown_delay_seconds` with readiness off, so load
 * balancers stop sending first; SIGINT (Ctrl-C at a terminal) skips that delay.
 */
function stopOnSignals(service: RunningService): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    const { logger } = service;
    if (!stopping) {
      stopping = true;
      const options = signal === 'SIGINT' ? { delaySeconds: 0 } : {};
      // Exit once the log lines are written (a flush without a callback may still be in flight at exit).
      void service.stop(signal, options).then(() => logger.flush(() => process.exit(0)));
      return;
    }
    logger.warn({ signal }, 'second signal: exiting without waiting for the drain');
    logger.flush(() => process.exit(1));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  // Re-read the API keys without a restart (a bad file keeps the keys in use; the log says why).
  // Without keys configured SIGHUP is ignored rather than ending the process, its default.
  process.on('SIGHUP', () => {
    if (!stopping) service.reloadKeys('SIGHUP');
  });
}

async function main(): Promise<void> {
  const startedAt = process.hrtime.bigint();
  let service: RunningService;
  try {
    const loaded = loadConfig();
    service = await startService(loaded, { version: serviceVersion(), instrument: true });
    stopOnSignals(service);
    service.logger.info(
      {
        port: service.port,
        config: loaded.file,
        reporters: service.config.metrics.reporters,
        startup_ms: Math.round(Number(process.hrtime.bigint() - startedAt) / 1e6),
      },
      'listening',
    );
  } catch (err) {
    exitWithConfigError(err);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`content-moderator: fatal: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
