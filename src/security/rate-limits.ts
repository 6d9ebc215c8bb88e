import type { RequestHandler, Response } from 'express';
import { HttpProblem } from '../api/http-problem';
import type { AppConfig } from '../config/schema';
import type { ClientMetrics } from '../telemetry/client-metrics';
import { LIMIT_NAMES, RateLimiter, type BucketPolicy, type BucketState, type Cost, type LimitDecision } from './rate-limiter';

/** The limiter the config asks for, or undefined when rate limits are off (or every limit is null). */
export function rateLimiterFrom(config: AppConfig['rate_limits']): RateLimiter | undefined {
  if (!config.enabled) return undefined;
  const policies: BucketPolicy[] = [];
  for (const name of LIMIT_NAMES) {
    const bucket = config[name];
    if (bucket) policies.push({ name, perSecond: bucket.per_second, burst: bucket.burst });
  }
  return policies.length === 0 ? undefined : new RateLimiter(policies, config.max_clients);
}

/**
 * The IETF RateLimit-Policy field (draft-ietf-httpapi-ratelimit-headers): one policy per limit, its
 * quota `q` the bucket's size and `w` the seconds an empty bucket takes to refill.
 */
export function policyField(policies: readonly BucketPolicy[]): string {
  return policies.map((p) => `"${p.name}";q=${p.burst};w=${Math.max(1, Math.round(p.burst / p.perSecond))}`).join(', ');
}

/** The RateLimit field: per limit, `r` whole tokens left and `t` seconds until the bucket is full. */
export function stateField(states: readonly BucketState[]): string {
  return states.map((s) => `"${s.policy.name}";r=${s.remaining};t=${Math.ceil(s.fullInSeconds)}`).join(', ');
}

const UNITS: Record<string, string> = { requests: 'requests', texts: 'texts', chars: 'characters' };

function tooMany(decision: Extract<LimitDecision, { ok: false }>): HttpProblem {
  const { refused, cost } = decision;
  const retry = Math.max(1, Math.ceil(decision.retryAfterSeconds));
  const left = decision.states.find((s) => s.policy === refused)?.remaining ?? 0;
  const unit = UNITS[refused.name] ?? refused.name;
  return new HttpProblem(
    429,
    'rate-limited',
    'Too many requests',
    `This request needs ${cost} ${unit} from the client's rate limit (rate_limits.${refused.name}: ${refused.perSecond}/s, burst ${refused.burst}), ` +
      `which has ${left} left; retry in ${retry} s.`,
    { limit: { name: `rate_limits.${refused.name}`, value: refused.burst, actual: cost } },
    { 'Retry-After': String(retry) },
  );
}

/** What a /classify body asks the model to read; undefined when it is not a well-formed request (validation answers it). */
export function textCost(body: unknown, maxTexts: number): { texts: number; chars: number } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  // /classify's `text` or `texts`, or /v1/moderations' `input`: a string, strings, or text parts read as one text.
  const { text, texts, input } = body as { text?: unknown; texts?: unknown; input?: unknown };
  const list = text !== undefined ? [text] : texts !== undefined ? texts : typeof input === 'string' ? [input] : input;
  if (!Array.isArray(list) || list.length > maxTexts) return undefined;
  let chars = 0;
  let parts = 0;
  for (const t of list) {
    if (typeof t === 'string') chars += t.length;
    else if (input !== undefined && isTextPart(t)) {
      chars += t.text.length;
      parts++;
    } else return undefined;
  }
  return { texts: parts > 0 ? 1 : list.length, chars };
}

function isTextPart(value: unknown): value is { type: 'text'; text: string } {
  const part = value as { type?: unknown; text?: unknown } | null;
  return typeof part === 'object' && part !== null && part.type === 'text' && typeof part.text === 'string';
}

export interface RateLimitOptions {
  /** Undefined when rate limits are off: texts are still counted per client. */
  limiter?: RateLimiter;
  metrics: ClientMetrics;
}

function decide(res: Response, limiter: RateLimiter, policy: string, client: string, cost: Cost): LimitDecision {
  const decision = limiter.charge(client, cost);
  res.setHeader('RateLimit-Policy', policy);
  res.setHeader('RateLimit', stateField(decision.states));
  return decision;
}

/**
 * Rate limits in two steps: every API request is charged one request before its body is read (so
 * a client over its limit costs no body parsing), and once the body is parsed, its texts and
 * characters (`chargeTexts`, on the routes that classify). Each answer carries the limits' state.
 */
export function rateLimits({ limiter, metrics }: RateLimitOptions): { chargeRequest: RequestHandler; chargeTexts: (maxTexts: number) => RequestHandler } {
  const policy = limiter ? policyField(limiter.policies) : '';
  return {
    chargeRequest: (req, res, next) => {
      const client = req.caller;
      if (!limiter || !client) return next();
      const decision = decide(res, limiter, policy, client.id, { requests: 1 });
      if (decision.ok) return next();
      metrics.limited(client.keyId, decision.refused.name);
      next(tooMany(decision));
    },
    chargeTexts: (maxTexts) => (req, res, next) => {
      const client = req.caller;
      const cost = textCost(req.body, maxTexts);
      if (!client || !cost) return next();
      if (limiter) {
        const decision = decide(res, limiter, policy, client.id, cost);
        if (!decision.ok) {
          metrics.limited(client.keyId, decision.refused.name);
          return next(tooMany(decision));
        }
      }
      metrics.texts(client.keyId, cost.texts);
      next();
    },
  };
}
