import type { Meter } from '@opentelemetry/api';
import { METHOD_NAMES, OUTCOMES, method_names, type MethodName, type Outcome } from './method-names';

/**
 * Counts API method calls in plain integers on the request path (cheap, never blocks) and lets
 * OpenTelemetry observable counters read them at each collection, one counter per method_names entry.
 */
export class MethodCollector {
  private readonly counts = new Map<MethodName, Record<Outcome, number>>();

  constructor(meter: Meter) {
    for (const method of METHOD_NAMES) {
      const counts: Record<Outcome, number> = { success: 0, client_error: 0, server_error: 0 };
      this.counts.set(method, counts);
      const { metric, description } = method_names[method];
      const counter = meter.createObservableCounter(metric, { description, unit: '{call}' });
      counter.addCallback((result) => {
        for (const outcome of OUTCOMES) result.observe(counts[outcome], { method, outcome });
      });
    }
  }

  record(method: MethodName, outcome: Outcome): void {
    const counts = this.counts.get(method);
    if (counts) counts[outcome] += 1;
  }

  /** A copy of the current counts (for tests and diagnostics). */
  snapshot(): Record<MethodName, Record<Outcome, number>> {
    const out = {} as Record<MethodName, Record<Outcome, number>>;
    for (const [method, counts] of this.counts) out[method] = { ...counts };
    return out;
  }
}
