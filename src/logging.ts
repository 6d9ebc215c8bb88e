import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stdout. Texts users send are never logged: ids, lengths, labels, timings only.
 * Lines are buffered and written asynchronously, from 2 KiB or every 250 ms, whichever comes first: a
 * synchronous write per request line cost about 15% of the main thread per single-text request.
 * A write holds at most 4 KiB (PIPE_BUF), so it stays atomic on a pipe shared with the console
 * metrics reporter. Pending lines are flushed when the process exits, also on a crash; a SIGKILL can
 * lose the last 250 ms.
 */
export function createLogger(level: string): Logger {
  return pino(
    { level, base: { service: 'content-moderator' } },
    pino.destination({ dest: 1, sync: false, minLength: 2048, maxWrite: 4096, periodicFlush: 250 }),
  );
}

/** The console metrics reporter's output: one `metrics` line per export, whatever logging.level says (the reporter was asked for). */
export function metricsLogWriter(logger: Logger): (metrics: object[]) => void {
  const log = logger.child({}, { level: 'info' });
  return (metrics) => log.info({ metrics }, 'metrics');
}
