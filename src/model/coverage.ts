/**
 * What of a text a transformer model read. The inference worker appends it to the text's row of
 * scores (`[label probabilities..., tokens, tokens read, windows]`), so it travels with the scores
 * through the batcher and the result cache unchanged; float32 holds these counts exactly.
 */
export interface TextCoverage {
  /** Tokens in the text (special tokens not counted). */
  tokens: number;
  /** Tokens the model read: all of them when the text is windowed, the first ones when truncated. */
  tokens_read: number;
  /** Model inputs the text took (overlapping windows for a long text). */
  windows: number;
  /** True when tokens were left unread (`long_texts: truncate`). */
  truncated: boolean;
}

/** Columns a coverage takes after the label scores of a row. */
export const COVERAGE_COLUMNS = 3;

export function writeCoverage(row: Float32Array, labels: number, tokens: number, read: number, windows: number): void {
  row[labels] = tokens;
  row[labels + 1] = read;
  row[labels + 2] = windows;
}

/** The coverage in a row of scores, or undefined for rows without one (the embedded model's). */
export function readCoverage(row: Float32Array, labels: number): TextCoverage | undefined {
  if (row.length < labels + COVERAGE_COLUMNS) return undefined;
  const tokens = row[labels]!;
  const read = row[labels + 1]!;
  return { tokens, tokens_read: read, windows: row[labels + 2]!, truncated: read < tokens };
}
