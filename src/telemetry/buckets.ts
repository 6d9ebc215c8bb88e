/** Bucket boundaries, in seconds unless said otherwise. JS SDK defaults assume milliseconds. */

/** HTTP server durations: semconv boundaries plus 1 ms and 2.5 ms, since classify answers in ms. */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Queue wait and model-run durations: a model run takes tens of microseconds to milliseconds. */
export const INFERENCE_DURATION_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/** Texts per model run. */
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** Overall score, 0..1 in steps of 0.05. */
export const SCORE_BUCKETS = Array.from({ length: 20 }, (_, i) => Number(((i + 1) * 0.05).toFixed(2)));

/** GC pauses. */
export const GC_DURATION_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
