/**
 * Token-budget batching, as Hugging Face's text-embeddings-inference does it: the inputs of one
 * hand-over (windows of texts) are sorted by length and cut into model runs of at most `maxRows`
 * inputs and `maxTokens` padded tokens (inputs x the longest input of the run). Inputs of similar
 * length run together, so short ones do not pay for a long one's padding.
 *
 * Returns the runs as lists of input indexes, each run in ascending length. An input longer than
 * `maxTokens` gets a run of its own (the caller keeps inputs within the budget).
 */
export function planRuns(lengths: readonly number[], maxTokens: number, maxRows: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const runs: number[][] = [];
  let run: number[] = [];
  for (const index of order) {
    // Sorted ascending: this input is the run's longest, so it sets the padded width.
    if (run.length > 0 && (run.length + 1 > maxRows || (run.length + 1) * lengths[index]! > maxTokens)) {
      runs.push(run);
      run = [];
    }
    run.push(index);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
