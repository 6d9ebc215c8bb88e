import type { Meter } from '@opentelemetry/api';

/**
 * Why a request was refused at the edge, before any API handler ran. Framing errors, header limits and
 * timeouts (`bad_request`, `header_fields_too_large`, `request_timeout`) never reach the app, so they are
 * counted only here; admission refusals (`connections`, `in_flight_requests`, `event_loop_delay`) are
 * answered by the app and also appear in the request duration histogram as 503.
 */
export const EDGE_REJECTION_REASONS = [
  'bad_request',
  'header_fields_too_large',
  'request_timeout',
  'connections',
  'in_flight_requests',
  'event_loop_delay',
] as const;
export type EdgeRejectionReason = (typeof EDGE_REJECTION_REASONS)[number];

/** Connections open and requests refused at the edge; counts read at collection time. */
export class EdgeMetrics {
  private readonly rejections = new Map<EdgeRejectionReason, number>(EDGE_REJECTION_REASONS.map((r) => [r, 0]));

  constructor(meter: Meter, connections: () => number) {
    meter
      .createObservableUpDownCounter('moderator.http.connections', { description: 'HTTP connections open', unit: '{connection}' })
      .addCallback((r) => r.observe(connections()));
    meter
      .createObservableCounter('moderator.http.rejections', {
        description: 'Requests refused before an API handler ran, by reason',
        unit: '{request}',
      })
      .addCallback((r) => {
        for (const [reason, count] of this.rejections) r.observe(count, { reason });
      });
  }

  rejected(reason: EdgeRejectionReason): void {
    this.rejections.set(reason, (this.rejections.get(reason) ?? 0) + 1);
  }
}
