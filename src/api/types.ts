/**
 * Request and response shapes of the HTTP API. tsoa reads these (and their JSDoc) to validate
 * requests and to write the OpenAPI spec, so the comments here are the API documentation.
 */

/**
 * Either one text (`text`) or a batch (`texts`), not both. Limits on text length, batch size and
 * body size come from `app_conf.yml`; the served spec states the configured values.
 * @example { "text": "Have a lovely day!" }
 */
export interface ClassifyRequest {
  /** One text to classify. */
  text?: string;
  /** Several texts to classify in one call; results come back in the same order. */
  texts?: string[];
}

export interface ModelRef {
  /** @example "moderator-fasttext" */
  name: string;
  /** @example "1.2.0" */
  version: string;
}

export interface ClassificationResult {
  /** Position of the text in the request (0 for `text`). */
  index: number;
  /** True when the overall score or any label reached its threshold. */
  flagged: boolean;
  /**
   * Probability (0..1) that the text breaks any policy.
   * @minimum 0
   * @maximum 1
   */
  overall: number;
  /** Labels whose score reached their threshold, in model label order. */
  labels: string[];
  /** Probability (0..1) per label, for every label of the model. */
  scores: Record<string, number>;
}

export interface ClassifyResponse {
  model: ModelRef;
  /** One result per input text, in input order. */
  results: ClassificationResult[];
}

export interface HealthResponse {
  /** @example "ok" */
  status: 'ok';
}

export interface ReadinessResponse {
  status: 'ready' | 'not_ready';
  model?: ModelRef;
  /** Why the service is not ready (loading, shutting down, no inference worker alive). */
  reason?: string;
}

/** RFC 9457 problem details: every error the API returns has this shape. */
export interface Problem {
  /** A URI naming the kind of problem; `about:blank` for plain HTTP statuses. */
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request path. */
  instance?: string;
  /** For 408, 413, 431 and 503: the configured limit that was exceeded (the config key and its value). */
  limit?: { name: string; value: number; actual?: number };
  /** For 422: the invalid fields, keyed by path (e.g. `body.texts`); the first 20 of them. */
  errors?: Array<{ field: string; message: string }>;
  /** For 422: how many more invalid fields there were than `errors` lists. */
  errors_omitted?: number;
  /** The request id (also in the X-Request-Id header and the logs). */
  request_id?: string;
}
