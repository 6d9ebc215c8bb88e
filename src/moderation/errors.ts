/**
 * The one error type of the moderation layer. Its kinds are what a caller can do about a failure;
 * the API maps each kind to one problem+json answer (src/api/moderation-problems.ts). The layer
 * itself knows nothing of HTTP.
 */
export type ModerationErrorKind =
  /** No inference worker is alive (the model cannot run now). */
  | 'not_ready'
  /** The service is stopping and takes no new work. */
  | 'shutting_down'
  /** The inference queue cannot take the texts now. */
  | 'overloaded'
  /** The caller went away before its texts ran. */
  | 'cancelled'
  /** A model run failed (worker error, exit or timeout); `reason` says which. */
  | 'model_failed';

export class ModerationError extends Error {
  override readonly name = 'ModerationError';
  constructor(
    readonly kind: ModerationErrorKind,
    message: string,
    /** A finer, bounded reason for logs and metrics (e.g. `queue_full`, `timeout`). */
    readonly reason: string = kind,
  ) {
    super(message);
  }
}

export function isModerationError(err: unknown, kind?: ModerationErrorKind): err is ModerationError {
  return err instanceof ModerationError && (kind === undefined || err.kind === kind);
}
