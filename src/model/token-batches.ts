/**
 * What one model run costs besides its padded tokens (session.run, kernel launches, the graph's
 * fixed work), in token-equivalents. With it, inputs of similar length run together and a few
 * tokens of padding are accepted to save a run; a run is never padded by much more than this.
 * bench/models.ts measures the effect (docs/notes/2026-12-02-transformers.md).
 */
export const RUN_COST_TOKENS = 32;

/**
 * Token-budget batching, as Hugging Face's text-embeddings-inference does it: the inputs of one
 * hand-over (windows of texts) are cut into model runs of at most `maxRows` inputs and `maxTokens`
 * padded tokens (inputs x the longest input of the run). Inputs are sorted by length and grouped so
 * that padded tokens plus RUN_COST_TOKENS per run are fewest (an exact split by dynamic programming
 * over the sorted lengths): short inputs do not pay for a long one's padding.
 *
 * Returns the runs as lists of input indexes, each run in ascending length, runs in ascending
 * length. An input longer than `maxTokens` gets a run of its own (callers keep inputs within it).
 */
export function planRuns(lengths: readonly number[], maxTokens: number, maxRows: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const n = order.length;
  // best[i]: the cheapest cost of the first i sorted inputs; start[i]: where its last run starts.
  const best = new Float64Array(n + 1).fill(Infinity);
  const start = new Int32Array(n + 1);
  best[0] = 0;
  for (let i = 1; i <= n; i++) {
    const width = lengths[order[i - 1]!]!;
    for (let j = i - 1; j >= 0 && i - j <= maxRows; j--) {
      const rows = i - j;
      if (rows > 1 && rows * width > maxTokens) break;
      const cost = best[j]! + RUN_COST_TOKENS + rows * width;
      if (cost < best[i]!) {
        best[i] = cost;
        start[i] = j;
      }
    }
  }
  const runs: number[][] = [];
  for (let i = n; i > 0; i = start[i]!) runs.unshift(order.slice(start[i]!, i));
  return runs;
}
