import { LRUCache } from 'lru-cache';

/** What a request costs, per limit. */
export const LIMIT_NAMES = ['requests', 'texts', 'chars'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];
export type Cost = Partial<Record<LimitName, number>>;

/** A token bucket: `burst` tokens when full, refilled at `perSecond`. */
export interface BucketPolicy {
  name: LimitName;
  perSecond: number;
  burst: number;
}

/** One bucket's state after a decision, for the RateLimit header. */
export interface BucketState {
  policy: BucketPolicy;
  /** Whole tokens left. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  fullInSeconds: number;
}

export type LimitDecision =
  | { ok: true; states: BucketState[] }
  | {
      ok: false;
      states: BucketState[];
      /** The limit that refused (the one that would take longest to allow the cost). */
      refused: BucketPolicy;
      cost: number;
      /** Seconds until every limit could take the whole cost. */
      retryAfterSeconds: number;
    };

interface Buckets {
  tokens: Float64Array;
  /** When `tokens` was last brought up to date (ms, monotonic). */
  at: number;
}

/**
 * Token buckets per client, one per configured limit, charged all or nothing: a request refused by
 * one limit costs nothing from the others. Buckets start full. The least recently seen clients are
 * forgotten beyond `maxClients` (a forgotten client starts full again, which an idle one would be).
 *
 * Hand-written (the arithmetic is a few lines): rate-limiter-flexible and express-rate-limit count
 * fixed windows, and neither charges a cost across several limits at once (docs/decisions/).
 */
export class RateLimiter {
  private readonly clients: LRUCache<string, Buckets>;

  constructor(
    readonly policies: readonly BucketPolicy[],
    maxClients: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.clients = new LRUCache({ max: maxClients });
  }

  /** Charges `cost` to `client` if every limit it names has the tokens; else charges nothing. */
  charge(client: string, cost: Cost): LimitDecision {
    const buckets = this.refilled(client);
    let refused: BucketPolicy | undefined;
    let refusedCost = 0;
    let waitSeconds = 0;
    for (let i = 0; i < this.policies.length; i++) {
      const policy = this.policies[i]!;
      const c = cost[policy.name] ?? 0;
      if (c <= buckets.tokens[i]!) continue;
      const wait = (c - buckets.tokens[i]!) / policy.perSecond;
      if (wait >= waitSeconds) {
        waitSeconds = wait;
        refused = policy;
        refusedCost = c;
      }
    }
    if (!refused) for (let i = 0; i < this.policies.length; i++) buckets.tokens[i]! -= cost[this.policies[i]!.name] ?? 0;
    const states = this.states(buckets);
    return refused ? { ok: false, states, refused, cost: refusedCost, retryAfterSeconds: waitSeconds } : { ok: true, states };
  }

  /** The client's buckets as they are now, without charging (an unknown client's are full, and stay unknown). */
  peek(client: string): BucketState[] {
    if (!this.clients.has(client)) return this.states({ tokens: Float64Array.from(this.policies, (p) => p.burst), at: this.now() });
    return this.states(this.refilled(client));
  }

  private refilled(client: string): Buckets {
    const now = this.now();
    let buckets = this.clients.get(client);
    if (!buckets) {
      buckets = { tokens: Float64Array.from(this.policies, (p) => p.burst), at: now };
      this.clients.set(client, buckets);
      return buckets;
    }
    const elapsed = Math.max(0, now - buckets.at) / 1000;
    buckets.at = now;
    for (let i = 0; i < this.policies.length; i++) {
      const policy = this.policies[i]!;
      buckets.tokens[i] = Math.min(policy.burst, buckets.tokens[i]! + elapsed * policy.perSecond);
    }
    return buckets;
  }

  private states(buckets: Buckets): BucketState[] {
    return this.policies.map((policy, i) => {
      const tokens = buckets.tokens[i]!;
      return { policy, remaining: Math.floor(tokens), fullInSeconds: (policy.burst - tokens) / policy.perSecond };
    });
  }
}
