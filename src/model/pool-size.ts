import os from 'node:os';

/** Worker threads for `workers: 0`: leave a core for the HTTP thread, use at most four. */
export function autoWorkers(cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(4, cores - 1));
}
