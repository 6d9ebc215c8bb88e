/** How a text longer than one model input is read. */
export type LongTexts = 'window' | 'truncate';

export interface TextWindows {
  /** Where each window starts in the text's tokens; each spans `size` tokens (fewer only for a short text). */
  starts: number[];
  /** Tokens per window (the model's maximum length less its special tokens). */
  size: number;
  /** The text's tokens. */
  tokens: number;
  /** Tokens the windows cover. */
  read: number;
}

/**
 * The windows a text of `tokens` tokens is read in. `window`: overlapping windows `size - overlap`
 * apart, the last one ending at the text's end (so it is full, not a short tail), covering every
 * token; each label's score is then its maximum over the windows, so abuse anywhere in a long text
 * counts as if it were alone. `truncate`: the first `size` tokens only.
 */
export function windowsOf(tokens: number, size: number, overlap: number, mode: LongTexts): TextWindows {
  if (!(size > 0) || !(overlap >= 0 && overlap < size)) throw new Error(`windows of ${size} tokens cannot overlap by ${overlap}`);
  if (tokens <= size) return { starts: [0], size, tokens, read: tokens };
  if (mode === 'truncate') return { starts: [0], size, tokens, read: size };
  const step = size - overlap;
  const starts: number[] = [];
  for (let start = 0; ; start += step) {
    if (start + size >= tokens) {
      starts.push(tokens - size);
      break;
    }
    starts.push(start);
  }
  return { starts, size, tokens, read: tokens };
}
