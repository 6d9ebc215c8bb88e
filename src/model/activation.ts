/** Turns a model's raw [rows, cols] output into probabilities (a fresh array the caller owns). */
export function toProbabilities(
  raw: Float32Array,
  rows: number,
  cols: number,
  activation: 'none' | 'sigmoid' | 'softmax',
): Float32Array {
  const out = new Float32Array(rows * cols);
  if (raw.length !== rows * cols) {
    throw new Error(`model output has ${raw.length} values, expected ${rows} x ${cols}`);
  }
  if (activation === 'none') {
    out.set(raw);
  } else if (activation === 'sigmoid') {
    for (let i = 0; i < raw.length; i++) out[i] = 1 / (1 + Math.exp(-raw[i]));
  } else {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let max = -Infinity;
      for (let c = 0; c < cols; c++) max = Math.max(max, raw[base + c]);
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += out[base + c] = Math.exp(raw[base + c] - max);
      for (let c = 0; c < cols; c++) out[base + c] /= sum;
    }
  }
  return out;
}
