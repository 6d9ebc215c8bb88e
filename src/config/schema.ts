import { z } from 'zod';

/** The one schema for app_conf.yml. Every object is strict: an unknown key is a start-up error. */
const positiveInt = z.number().int().positive();
/** A timeout in seconds: positive, at most an hour (node's timers overflow past ~24 days; an hour is already generous). */
const seconds = z.number().positive().max(3600);

export const REPORTERS = ['console', 'prometheus'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export const configSchema = z.strictObject({
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
    model_path: z.string().min(1),
    thresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
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
});

/** Parsed config (defaults filled in), as the rest of the service sees it. */
export type AppConfig = z.infer<typeof configSchema>;
/** What a config file may contain (everything optional that has a default). */
export type AppConfigInput = z.input<typeof configSchema>;
