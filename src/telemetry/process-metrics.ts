import type { Meter } from '@opentelemetry/api';

/**
 * CPU and resident memory of the process, under the names Prometheus client libraries use, so
 * standard dashboards and queries work (the runtime instrumentation covers the event loop, heap, GC).
 */
export function registerProcessMetrics(meter: Meter): void {
  meter
    .createObservableCounter('process.cpu.seconds', { description: 'User and system CPU time of the process', unit: 's' })
    .addCallback((r) => {
      const { user, system } = process.cpuUsage();
      r.observe((user + system) / 1e6);
    });
  meter
    .createObservableGauge('process.resident_memory.bytes', { description: 'Resident set size of the process', unit: 'By' })
    .addCallback((r) => r.observe(process.memoryUsage.rss()));
}
