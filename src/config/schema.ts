import { z } from 'zod';
import { OPENAI_CATEGORIES } from '../moderation/categories';

/** The one schema for app_conf.yml. Every object is strict: an unknown key is a start-up error. */
const positiveInt = z.number().int().positive();
/** A timeout in seconds: positive, at most an hour (node's timers overflow past ~24 days; an hour is already generous). */
const seconds = z.number().positive().max(3600);

export const REPORTERS = ['console', 'prometheus'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** Who may fetch an auxiliary endpoint: anyone, holders of an API key, or nobody (not served). */
export const ENDPOINT_ACCESS = ['open', 'key', 'off'] as const;
export type EndpointAccess = (typeof ENDPOINT_ACCESS)[number];
const endpointAccess = z.enum(ENDPOINT_ACCESS);

/** One token bucket: refills at `per_second`, holds at most `burst`; null switches that limit off. */
const tokenBucket = z.strictObject({ per_second: z.number().positive().max(1e9), burst: positiveInt.max(1e12) });
export type TokenBucketConfig = z.infer<typeof tokenBucket>;

const thresholdsSchema = z.record(z.string(), z.number().min(0).max(1));
const batchingSchema = {
  max_batch_size: positiveInt.max(4096),
  max_wait_us: z.number().int().min(0).max(1_000_000),
  max_queue: positiveInt,
};

/** API names of models: what `model` in a request and `model_name` on metrics say. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** Keys every kind of model takes; the ones left out default to `classifier`'s. */
const modelKeys = {
  /** Default: the bundle's name (fasttext) or the folder's name (hf-transformer). */
  name: z.string().regex(MODEL_NAME, 'letters, digits, . _ : - (at most 64, starting with a letter or digit)').optional(),
  path: z.string().min(1),
  thresholds: thresholdsSchema.default({}),
  /** OpenAI category -> labels feeding it (POST /v1/moderations); default: by label name (src/moderation/categories.ts). */
  categories: z.partialRecord(z.enum(OPENAI_CATEGORIES), z.array(z.string().min(1))).optional(),
  workers: z.number().int().min(0).max(64).optional(),
  inference_timeout_ms: positiveInt.max(600_000).optional(),
};

const ONE_THREAD = 'must be 1: with more threads onnxruntime sums the embedding bags in a race and some scores come out wrong (docs/decisions/0003)';

const fasttextModelSchema = z.strictObject({
  kind: z.literal('fasttext'),
  ...modelKeys,
  /** A key only so that asking for more fails saying why (see classifier.threads_per_worker). */
  threads: z.number().int().min(1).max(1, ONE_THREAD).optional(),
  batching: z.strictObject(batchingSchema).partial().optional(),
});

/** A Hugging Face sequence classifier as Optimum exports it: config.json, tokenizer.json, model.onnx. */
const transformerModelSchema = z.strictObject({
  kind: z.literal('hf-transformer'),
  ...modelKeys,
  /** Reported as model_version; default: the first 12 hex digits of the ONNX file's SHA-256. */
  version: z.string().min(1).max(64).optional(),
  /** The ONNX file, relative to `path`; default: model.onnx, else onnx/model.onnx. */
  onnx_file: z.string().min(1).optional(),
  /** Default from config.json's problem_type: multi_label_classification -> sigmoid, else softmax. */
  activation: z.enum(['sigmoid', 'softmax']).optional(),
  /** Tokens per model input, special tokens included; default from tokenizer_config.json / config.json. */
  max_length: z.number().int().min(4).max(65_536).optional(),
  /** Longer texts: scored whole as overlapping windows (max per label), or cut at max_length. */
  long_texts: z.enum(['window', 'truncate']).default('window'),
  /** Tokens shared by neighbouring windows; default a quarter of a window. */
  window_overlap: z.number().int().min(0).optional(),
  /** Labels that mean "nothing wrong" (e.g. `neutral` of a softmax model): never flagged, not in `overall`. */
  benign_labels: z.array(z.string().min(1)).default([]),
  /** onnxruntime intra-op threads per worker; default cores - 1 (1 to 4). */
  threads: z.number().int().min(1).max(64).optional(),
  batching: z
    .strictObject({
      ...batchingSchema,
      /** Padded tokens per model run (rows x longest row), as TEI's max_batch_tokens. */
      max_batch_tokens: z.number().int().min(4).max(4_194_304),
    })
    .partial()
    .optional(),
});

export const modelSchema = z.discriminatedUnion('kind', [fasttextModelSchema, transformerModelSchema]);
export type ModelEntry = z.infer<typeof modelSchema>;
export type TransformerModelEntry = z.infer<typeof transformerModelSchema>;

/** A served model as the rest of the service sees it: its entry, and where in the file it came from. */
export type ModelConfig = ModelEntry & {
  /** The config key of the entry (`models.1`, or `classifier` for a config without `models`), for error messages. */
  key: string;
  /** The config key of its folder (`models.1.path` or `classifier.model_path`). */
  pathKey: string;
};

const configObject = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8000),
      shutdown_timeout_seconds: z.number().positive().max(3600).default(10),
      /**
       * On SIGTERM, /readyz answers 503 at once and the service keeps serving this long before it stops
       * accepting connections, so load balancers take it out of rotation first (Kubernetes sizes the
       * pod's grace period from this key).
       */
      shutdown_delay_seconds: z.number().min(0).max(3600).default(5),
      /** The request line and headers must arrive within this (408). */
      headers_timeout_seconds: seconds.default(10),
      /** The whole request, headers and body, must arrive within this (408). */
      request_timeout_seconds: seconds.default(30),
      /** A request body that stops arriving for this long is abandoned (408). */
      body_idle_timeout_seconds: seconds.default(10),
      /** An idle keep-alive connection is closed after this; longer than common load balancer idle timeouts, so they close first. */
      keep_alive_timeout_seconds: seconds.default(65),
      /** Connections open at once; a request on a connection beyond it gets 503 and the connection is closed. */
      max_connections: positiveInt.max(1_000_000).default(1024),
      /** The kernel's queue of connections not yet accepted (Linux caps it at net.core.somaxconn). */
      listen_backlog: positiveInt.max(65_535).default(1024),
      /** Header fields per request (431 beyond). */
      max_headers: positiveInt.max(10_000).default(100),
      /** Bytes of the request line and headers together (431 beyond). */
      max_header_bytes: positiveInt.min(1024).max(1_048_576).default(16_384),
      /** Load shedding: API requests beyond these get 503 + Retry-After at once instead of waiting (0 switches a check off). */
      admission: z
        .strictObject({
          /** API requests being handled at once (probes and /metrics are not counted and never refused). */
          max_in_flight_requests: z.number().int().min(0).default(512),
          /** How long (ms) the event loop may have been busy in its current turn before the next API request in it is refused. */
          // Off by default: on a busy shared host a saturating benchmark tripped it (bench/run.ts measures capacity).
          max_event_loop_delay_ms: z.number().min(0).max(60_000).default(0),
        })
        .prefault({}),
    })
    .check((ctx) => {
      const s = ctx.value;
      // node:http refuses a headers timeout longer than the request timeout.
      if (s.headers_timeout_seconds > s.request_timeout_seconds) {
        ctx.issues.push({
          code: 'custom',
          input: s.headers_timeout_seconds,
          path: ['headers_timeout_seconds'],
          message: `must be at most server.request_timeout_seconds (${s.request_timeout_seconds}): the headers are part of the request`,
        });
      }
    })
    .prefault({}),
  classifier: z.strictObject({
    /** The one model of a config without `models` (kept so configs from before the list still work). */
    model_path: z.string().min(1).optional(),
    thresholds: thresholdsSchema.optional(),
    limits: z
      .strictObject({
        max_text_chars: positiveInt.default(10_000),
        max_texts: positiveInt.default(256),
        max_body_bytes: positiveInt.default(1_048_576),
        /**
         * Characters a text may have after Unicode compatibility normalisation (NFKC), which models'
         * featurizers apply: one character can become up to 18, and the work per text follows. Default:
         * twice max_text_chars (ordinary text keeps its length).
         */
        max_normalized_chars: positiveInt.nullable().default(null),
      })
      .transform((l) => ({ ...l, max_normalized_chars: l.max_normalized_chars ?? 2 * l.max_text_chars }))
      .prefault({}),
    batching: z
      .strictObject({
        max_batch_size: positiveInt.max(4096).default(64),
        max_wait_us: z.number().int().min(0).max(1_000_000).default(1000),
        max_queue: positiveInt.default(4096),
      })
      .prefault({}),
    workers: z.number().int().min(0).max(64).default(0),
    /**
     * onnxruntime intra-op threads per worker. Only 1: with more, onnxruntime's ScatterND (reduction
     * add, the graph's embedding-bag sums) races across its threads and some runs return wrong
     * scores (bench/README.md). Kept as a key so that a config asking for more fails saying why.
     */
    threads_per_worker: z
      .number()
      .int()
      .min(1)
      .max(1, ONE_THREAD)
      .default(1),
    /** Milliseconds a model run may take before its texts fail with 503. */
    // At most 10 minutes: a timer over 2^31 ms would fire at once and fail every run.
    inference_timeout_ms: positiveInt.max(600_000).default(10_000),
    cache: z
      .strictObject({
        // Off by default: for the embedded model a hit costs the HTTP thread more than a model run
        // (normalising the key happens there); worth it for heavier models (bench/RESULTS.md).
        enabled: z.boolean().default(false),
        max_entries: positiveInt.default(10_000),
      })
      .prefault({}),
  })
    // A request of max_texts texts must fit in the queue, or it would get 503 "retry later" forever.
    .check((ctx) => {
      const { batching, limits } = ctx.value;
      if (batching.max_queue < limits.max_texts) {
        ctx.issues.push({
          code: 'custom',
          input: batching.max_queue,
          path: ['batching', 'max_queue'],
          message: `must be at least classifier.limits.max_texts (${limits.max_texts}): a request that large could never be queued`,
        });
      }
    })
    .prefault({}),
  /** The models served; the first is the default. Absent: the one model of `classifier.model_path`. */
  models: z.array(modelSchema).min(1).max(16).optional(),
  metrics: z
    .strictObject({
      reporters: z.array(z.enum(REPORTERS)).default(['console', 'prometheus']),
      interval_seconds: z.number().positive().default(4),
      /** What the console reporter prints: the method_names counters, or every metric. */
      console_metrics: z.enum(['method_names', 'all']).default('method_names'),
      prometheus: z
        .strictObject({
          path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'must be an absolute URL path').default('/metrics'),
          port: z.number().int().min(0).max(65535).nullable().default(null),
        })
        .prefault({}),
      runtime: z.boolean().default(true),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  /** API keys (SECURITY.md). Keys live as SHA-256 hashes in `keys_file` or the `keys_env` variable, never here. */
  auth: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** YAML file of `keys: [{id, sha256, weight?}]`, relative to this config file. */
      keys_file: z.string().min(1).nullable().default(null),
      /** Environment variable holding `id:sha256` pairs, comma-separated. */
      keys_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').default('MODERATOR_API_KEYS'),
      /** Seconds between checks of `keys_file` for changes (0 = only on SIGHUP). */
      watch_seconds: z.number().min(0).max(3600).default(2),
      endpoints: z
        .strictObject({
          metrics: endpointAccess.default('open'),
          docs: endpointAccess.default('open'),
          openapi: endpointAccess.default('open'),
        })
        .prefault({}),
    })
    .prefault({}),
  /** How a client is told apart when API keys are off (rate limits, fair queueing): by its address. */
  clients: z
    .strictObject({
      /** Behind this many reverse proxies, the client address is read that many hops back in X-Forwarded-For. */
      trust_proxy_hops: z.number().int().min(0).max(10).default(0),
    })
    .prefault({}),
  /** Token-bucket limits per client (API key, or address when keys are off) on the API routes. */
  rate_limits: z
    .strictObject({
      enabled: z.boolean().default(false),
      requests: tokenBucket.nullable().default({ per_second: 100, burst: 200 }),
      texts: tokenBucket.nullable().default({ per_second: 1000, burst: 2048 }),
      chars: tokenBucket.nullable().default({ per_second: 1_000_000, burst: 2_097_152 }),
      /** Clients whose buckets are kept; the least recently seen beyond this start afresh. */
      max_clients: positiveInt.max(10_000_000).default(100_000),
    })
    .prefault({}),
  /** gzip/br answers for clients that accept them (Accept-Encoding). */
  compression: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Bodies smaller than this are sent as they are (compressing them costs more than it saves). */
      min_bytes: z.number().int().min(0).max(1 << 30).default(1024),
      gzip_level: z.number().int().min(1).max(9).default(6),
      brotli_quality: z.number().int().min(0).max(11).default(4),
    })
    .prefault({}),
});

function migrationHint(modelPath: string | undefined, thresholds: unknown): string {
  const entry = [`kind: fasttext`, `path: ${modelPath ?? '<folder>'}`];
  if (thresholds !== undefined) entry.push(`thresholds: ${JSON.stringify(thresholds)}`);
  return `move it into 'models' as its first entry ({${entry.join(', ')}}) and delete classifier.model_path and classifier.thresholds`;
}

export const configSchema = configObject
  .check((ctx) => {
    const { auth, rate_limits: limits, classifier, metrics, server } = ctx.value;
    const issue = (path: Array<string | number>, input: unknown, message: string) => ctx.issues.push({ code: 'custom', input, path, message });
    for (const [name, access] of Object.entries(auth.endpoints)) {
      if (access === 'key' && !auth.enabled) issue(['auth', 'endpoints', name], access, "'key' needs auth.enabled: true");
    }
    const ownPort = metrics.prometheus.port;
    if (ownPort !== null && ownPort !== server.port && auth.endpoints.metrics !== 'open') {
      // The exporter's own port is served outside the app, where no key is checked.
      issue(['auth', 'endpoints', 'metrics'], auth.endpoints.metrics, 'only applies to /metrics on the app port; metrics.prometheus.port serves it elsewhere');
    }
    if (!limits.enabled) return;
    // A request within the classifier limits must fit in a full bucket, or it would be refused forever.
    const { max_texts: maxTexts, max_text_chars: maxChars, max_body_bytes: maxBody } = classifier.limits;
    if (limits.texts && limits.texts.burst < maxTexts) {
      issue(['rate_limits', 'texts', 'burst'], limits.texts.burst, `must be at least classifier.limits.max_texts (${maxTexts}): a request that large could never pass`);
    }
    const largest = Math.min(maxTexts * maxChars, maxBody);
    if (limits.chars && limits.chars.burst < largest) {
      issue(
        ['rate_limits', 'chars', 'burst'],
        limits.chars.burst,
        `must be at least ${largest} (the characters one request may carry within classifier.limits): a request that large could never pass`,
      );
    }
  })
  // Either the list of models or the single model of older configs, never both (which would be the default?).
  .check((ctx) => {
    const { models, classifier } = ctx.value;
    const issue = (path: PropertyKey[], message: string) => ctx.issues.push({ code: 'custom', input: ctx.value, path, message });
    if (models === undefined) {
      if (classifier.model_path === undefined) issue(['models'], 'no model: list the models to serve (or give classifier.model_path)');
      return;
    }
    if (classifier.model_path !== undefined) {
      issue(['classifier', 'model_path'], `with 'models' the models are listed there: ${migrationHint(classifier.model_path, classifier.thresholds)}`);
    } else if (classifier.thresholds !== undefined) {
      issue(['classifier', 'thresholds'], "with 'models', thresholds are per model: move them to models.<n>.thresholds");
    }
    models.forEach((model, n) => {
      const maxQueue = model.batching?.max_queue;
      if (maxQueue !== undefined && maxQueue < classifier.limits.max_texts) {
        issue(['models', n, 'batching', 'max_queue'], `must be at least classifier.limits.max_texts (${classifier.limits.max_texts}): a request that large could never be queued`);
      }
    });
  })
  .transform(({ models, ...config }) => ({
    ...config,
    models: models
      ? models.map((entry, n): ModelConfig => ({ ...entry, key: `models.${n}`, pathKey: `models.${n}.path` }))
      : [
          {
            kind: 'fasttext' as const,
            path: config.classifier.model_path!,
            thresholds: config.classifier.thresholds ?? {},
            key: 'classifier',
            pathKey: 'classifier.model_path',
          } satisfies ModelConfig,
        ],
  }));

/** Parsed config (defaults filled in, `models` always listing at least one), as the rest of the service sees it. */
export type AppConfig = z.infer<typeof configSchema>;
/** What a config file may contain (everything optional that has a default). */
export type AppConfigInput = z.input<typeof configSchema>;
