import { z } from 'zod';

/** The one schema for app_conf.yml. Every object is strict: an unknown key is a start-up error. */
const positiveInt = z.number().int().positive();

export const REPORTERS = ['console', 'prometheus'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** Who may fetch an auxiliary endpoint: anyone, holders of an API key, or nobody (not served). */
export const ENDPOINT_ACCESS = ['open', 'key', 'off'] as const;
export type EndpointAccess = (typeof ENDPOINT_ACCESS)[number];
const endpointAccess = z.enum(ENDPOINT_ACCESS);

/** One token bucket: refills at `per_second`, holds at most `burst`; null switches that limit off. */
const tokenBucket = z.strictObject({ per_second: z.number().positive().max(1e9), burst: positiveInt.max(1e12) });
export type TokenBucketConfig = z.infer<typeof tokenBucket>;

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8000),
      shutdown_timeout_seconds: z.number().positive().max(3600).default(10),
    })
    .prefault({}),
  classifier: z.strictObject({
    model_path: z.string().min(1),
    thresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
    limits: z
      .strictObject({
        max_text_chars: positiveInt.default(10_000),
        max_texts: positiveInt.default(256),
        max_body_bytes: positiveInt.default(1_048_576),
      })
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
      .max(1, 'must be 1: with more threads onnxruntime sums the embedding bags in a race and some scores come out wrong (bench/README.md)')
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
    }),
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
})
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
  });

/** Parsed config (defaults filled in), as the rest of the service sees it. */
export type AppConfig = z.infer<typeof configSchema>;
/** What a config file may contain (everything optional that has a default). */
export type AppConfigInput = z.input<typeof configSchema>;
