import { z } from 'zod';

/**
 * The model bundle manifest (`model.json` beside `model.onnx`). Training writes it, serving
 * validates it at start-up: this schema is the contract between the two.
 *
 * ONNX I/O contract:
 * - inputs: whatever the featurizer named in `featurizer.type` produces (see featurizer.ts);
 * - `outputs.scores`: float32 [batch, labels.length], one column per entry of `labels`, in order;
 *   `activation` says how to turn it into probabilities (`none` = already probabilities);
 * - `outputs.overall`: either the name of a float32 [batch] or [batch, 1] output holding the
 *   probability that the text breaks any policy, or `{ "max_of_labels": true }` for models
 *   without such a head (overall = max label probability).
 */
export const labelSpecSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'label names are snake_case'),
  description: z.string().min(1),
  threshold: z.number().min(0).max(1),
});

export const datasetRefSchema = z.strictObject({
  name: z.string(),
  licence: z.string(),
  source: z.string().optional(),
  rows: z.number().int().nonnegative().optional(),
  labels: z.array(z.string()).optional(),
});

export const manifestSchema = z.strictObject({
  format: z.literal(1),
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string().optional(),
  onnx: z.string().default('model.onnx'),
  featurizer: z.looseObject({ type: z.string().min(1), version: z.number().int().positive() }),
  outputs: z.strictObject({
    scores: z.strictObject({
      name: z.string().min(1),
      activation: z.enum(['none', 'sigmoid', 'softmax']),
    }),
    overall: z.union([z.strictObject({ name: z.string().min(1) }), z.strictObject({ max_of_labels: z.literal(true) })]),
  }),
  labels: z.array(labelSpecSchema).min(1),
  overall: z.strictObject({ threshold: z.number().min(0).max(1), description: z.string().min(1) }),
  training: z
    .looseObject({
      datasets: z.array(datasetRefSchema),
    })
    .optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
});

export type LabelSpec = z.infer<typeof labelSpecSchema>;
export type ModelManifest = z.infer<typeof manifestSchema>;
