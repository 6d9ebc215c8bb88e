import type { Meter } from '@opentelemetry/api';

export const AUTH_FAILURE_REASONS = ['missing', 'invalid'] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

interface ClientCounts {
  requests: number;
  texts: number;
  /** Refusals by the limit that refused. */
  limited: Map<string, number>;
}

/**
 * Per-client instruments (names in docs/metrics.md), labelled with `key_id`: the id of an API key,
 * or `anonymous` when keys are off. The label's values are bounded by the keys configured
 * (key-file.ts MAX_KEYS); a client's address or key is never a label. Plain numbers on the request
 * path, read by observable instruments at collection (as the method_names counts are).
 */
export class ClientMetrics {
  private readonly clients = new Map<string, ClientCounts>();
  private readonly failures: Record<AuthFailureReason, number> = { missing: 0, invalid: 0 };
  private readonly reloads = { success: 0, failure: 0 };
  private keys = 0;

  /**
   * @param knownClients key ids observed from the start, at 0
   * @param limits the rate limits configured (`requests`, `texts`, `chars`), each observed from the start
   */
  constructor(
    meter: Meter,
    knownClients: readonly string[],
    private readonly limits: readonly string[],
  ) {
    for (const id of knownClients) this.counts(id);
    meter
      .createObservableCounter('moderator.client.requests', { description: 'API requests admitted, per API key', unit: '{request}' })
      .addCallback((r) => {
        for (const [key_id, c] of this.clients) r.observe(c.requests, { key_id });
      });
    meter
      .createObservableCounter('moderator.client.texts', { description: 'Texts submitted for classification, per API key', unit: '{text}' })
      .addCallback((r) => {
        for (const [key_id, c] of this.clients) r.observe(c.texts, { key_id });
      });
    meter
      .createObservableCounter('moderator.client.rate_limited', { description: 'API requests refused with 429, per API key and limit', unit: '{request}' })
      .addCallback((r) => {
        for (const [key_id, c] of this.clients) for (const [limit, n] of c.limited) r.observe(n, { key_id, limit });
      });
    meter
      .createObservableCounter('moderator.auth.failures', { description: 'Requests refused with 401, by reason', unit: '{request}' })
      .addCallback((r) => {
        for (const reason of AUTH_FAILURE_REASONS) r.observe(this.failures[reason], { reason });
      });
    meter
      .createObservableCounter('moderator.auth.key_reloads', { description: 'Reloads of the API keys, by result', unit: '{reload}' })
      .addCallback((r) => {
        r.observe(this.reloads.success, { result: 'success' });
        r.observe(this.reloads.failure, { result: 'failure' });
      });
    meter.createObservableGauge('moderator.auth.keys', { description: 'API keys in use', unit: '{key}' }).addCallback((r) => r.observe(this.keys));
  }

  admitted(keyId: string): void {
    this.counts(keyId).requests++;
  }

  texts(keyId: string, n: number): void {
    this.counts(keyId).texts += n;
  }

  limited(keyId: string, limit: string): void {
    const limited = this.counts(keyId).limited;
    limited.set(limit, (limited.get(limit) ?? 0) + 1);
  }

  authFailed(reason: AuthFailureReason): void {
    this.failures[reason]++;
  }

  keysLoaded(count: number, ok: boolean): void {
    this.keys = count;
    this.reloads[ok ? 'success' : 'failure']++;
  }

  /** Keys in use, without counting a reload (at start-up). */
  setKeys(count: number): void {
    this.keys = count;
  }

  private counts(keyId: string): ClientCounts {
    let c = this.clients.get(keyId);
    if (!c) {
      c = { requests: 0, texts: 0, limited: new Map(this.limits.map((l) => [l, 0])) };
      this.clients.set(keyId, c);
    }
    return c;
  }
}
