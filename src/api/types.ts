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
  /**
   * The model to classify with (`GET /v1/models` lists them); the first configured one when absent.
   * An unknown name is a 422 naming the available ones.
   * @example "moderator-fasttext"
   */
  model?: string;
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
  /** What of the text the model read (Hugging Face transformer models, which read tokens). */
  read?: TextRead;
}

/**
 * What of a text a transformer model read. A text longer than the model's maximum length is read
 * whole as overlapping windows (each label's score is its maximum over them), or only its start
 * when the model is configured with `long_texts: truncate`.
 */
export interface TextRead {
  /** Tokens in the text (special tokens not counted). */
  tokens: number;
  /** Tokens the model read. */
  tokens_read: number;
  /** Model inputs (windows) the text took. */
  windows: number;
  /** True when the end of the text was not read (`long_texts: truncate`). */
  truncated: boolean;
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
  /** The default model. */
  model?: ModelRef;
  /** Why the service is not ready (shutting down, a model with no inference worker alive). */
  reason?: string;
  /** Each model's readiness: the service is ready when every model is. */
  models?: ModelReadiness[];
}

export interface ModelReadiness {
  name: string;
  version: string;
  ready: boolean;
  /** Why the model is not ready. */
  reason?: string;
}

/** A label of a model and the threshold in force for it. */
export interface ModelLabel {
  name: string;
  /**
   * A score at or above it flags the label; 1 switches the label off.
   * @minimum 0
   * @maximum 1
   */
  threshold: number;
  /** A label meaning "nothing wrong" (e.g. `neutral`): never flagged, not part of `overall`. */
  benign: boolean;
}

/** A served model, in the shape of OpenAI's model object with this service's details added. */
export interface ModelDetails {
  /** The model's name: what `model` in a request takes. */
  id: string;
  object: 'model';
  /** When the model file was written (Unix seconds). */
  created: number;
  /** @example "content-moderator" */
  owned_by: string;
  /** @example "moderator-fasttext" */
  name: string;
  /** Reported as `model_version` on metrics (for a transformer, by default the start of its ONNX file's SHA-256). */
  version: string;
  kind: 'fasttext' | 'hf-transformer';
  /** True for the model used when a request names none. */
  default: boolean;
  /** True when an inference worker has the model loaded. */
  ready: boolean;
  labels: ModelLabel[];
  /**
   * The threshold of `overall` (the probability that a text breaks any policy).
   * @minimum 0
   * @maximum 1
   */
  overall_threshold: number;
  /** Tokens per model input, special tokens included (transformers). */
  max_length?: number;
  /** How a text longer than `max_length` is read: whole, as overlapping windows, or truncated (transformers). */
  long_texts?: 'window' | 'truncate';
  /**
   * For `POST /v1/moderations`: the labels that feed each OpenAI category. A category with no
   * label is one the model cannot judge: it is reported not flagged with score 0.
   */
  categories: Record<string, string[]>;
}

export interface ModelList {
  object: 'list';
  /** The default model first. */
  data: ModelDetails[];
}

/** OpenAI's error object. */
export interface OpenAIError {
  message: string;
  type: 'invalid_request_error' | 'server_error';
  /** The request field at fault (e.g. `model`, `input`), or null. */
  param: string | null;
  /** The problem type's last segment (e.g. `unknown-model`). */
  code: string;
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
  /** For 408, 413, 429, 431 and 503: the configured limit that was exceeded (the config key and its value; for 429, `value` is the bucket size and `actual` what the request needed). */
  limit?: { name: string; value: number; actual?: number };
  /** For 422: the invalid fields, keyed by path (e.g. `body.texts`); the first 20 of them. */
  errors?: Array<{ field: string; message: string }>;
  /** For 422: how many more invalid fields there were than `errors` lists. */
  errors_omitted?: number;
  /** For an unknown model: the models this server has. */
  models?: string[];
  /**
   * On the OpenAI-compatible endpoints (`/v1/...`): the same problem as OpenAI's error object, which
   * OpenAI's clients read their error message from.
   */
  error?: OpenAIError;
  /** The request id (also in the X-Request-Id header and the logs). */
  request_id?: string;
}

/** A text part of OpenAI's multi-modal moderation input. */
export interface ModerationTextPart {
  type: 'text';
  text: string;
}

/** An image part of OpenAI's multi-modal moderation input: refused here (422), this service reads text only. */
export interface ModerationImagePart {
  type: 'image_url';
  image_url: { url: string };
}

/**
 * OpenAI's moderation request. `input` is one text, several texts (one result each, in order), or
 * OpenAI's multi-modal form, whose text parts are read as one text (one result); image parts are
 * refused with 422. The limits on texts per request and characters per text are those of `/classify`.
 * @example { "input": "I will find you and hurt you" }
 */
export interface ModerationRequest {
  input: string | string[] | Array<ModerationTextPart | ModerationImagePart>;
  /**
   * The model (`GET /v1/models`); the first configured one when absent. OpenAI's own model names
   * are not known here: an unknown name is a 422 naming the available ones.
   * @example "moderator-fasttext"
   */
  model?: string;
}

/**
 * OpenAI's categories: true when a label feeding the category reached its threshold. A category the
 * model cannot judge (no label feeds it) is false. With the embedded model and the default mapping,
 * harassment (toxic, severe_toxic, insult), harassment/threatening (threat), hate (identity_hate,
 * sexism) and violence (threat) are judged; the others are not (`GET /v1/models` shows each model's
 * mapping, and this server's spec at /openapi.json says it per model).
 */
export interface ModerationCategories {
  harassment: boolean;
  'harassment/threatening': boolean;
  hate: boolean;
  'hate/threatening': boolean;
  illicit: boolean;
  'illicit/violent': boolean;
  'self-harm': boolean;
  'self-harm/intent': boolean;
  'self-harm/instructions': boolean;
  sexual: boolean;
  'sexual/minors': boolean;
  violence: boolean;
  'violence/graphic': boolean;
}

/** Per category: the highest score of the labels feeding it (0..1); 0 for a category the model cannot judge. */
export interface ModerationCategoryScores {
  harassment: number;
  'harassment/threatening': number;
  hate: number;
  'hate/threatening': number;
  illicit: number;
  'illicit/violent': number;
  'self-harm': number;
  'self-harm/intent': number;
  'self-harm/instructions': number;
  sexual: number;
  'sexual/minors': number;
  violence: number;
  'violence/graphic': number;
}

/** Per category: `["text"]` when the model judged it, `[]` when it cannot. */
export interface ModerationCategoryInputTypes {
  harassment: Array<'text'>;
  'harassment/threatening': Array<'text'>;
  hate: Array<'text'>;
  'hate/threatening': Array<'text'>;
  illicit: Array<'text'>;
  'illicit/violent': Array<'text'>;
  'self-harm': Array<'text'>;
  'self-harm/intent': Array<'text'>;
  'self-harm/instructions': Array<'text'>;
  sexual: Array<'text'>;
  'sexual/minors': Array<'text'>;
  violence: Array<'text'>;
  'violence/graphic': Array<'text'>;
}

export interface ModerationResult {
  /** True when any category is true. */
  flagged: boolean;
  categories: ModerationCategories;
  category_scores: ModerationCategoryScores;
  category_applied_input_types: ModerationCategoryInputTypes;
}

export interface ModerationResponse {
  /** @example "modr-5b9f0a1c2d3e4f5a6b7c8d9e0f1a2b3c" */
  id: string;
  /** The model that classified the input. */
  model: string;
  /** One result per input text, in order. */
  results: ModerationResult[];
}
