import { THRESHOLDS } from '../../observability/config';
import { DashboardSpec, RI, SEL, UNITS, dashboard, finalize, lines, row, timeSeries } from './common';

export const nodejsRuntime: DashboardSpec = {
  file: 'nodejs-runtime',
  build: () =>
    finalize(
      dashboard({
        uid: 'content-moderator-nodejs',
        title: 'Content moderator / Node.js runtime',
        description: 'The Node.js process behind content-moderator: event loop, V8 heap, garbage collection, CPU and memory.',
      })
        .withRow(row('Event loop'))
        .withPanel(
          timeSeries({
            title: 'Event-loop delay',
            description: `How late timers fire on the main thread (p50, p99, max per instance); the values include the 10 ms sampling interval, so an idle loop reads about 10 ms. Dashed lines: the ModeratorEventLoopDelayHigh warning (${THRESHOLDS.eventLoopDelayWarning * 1000} ms) and critical (${THRESHOLDS.eventLoopDelayCritical * 1000} ms) thresholds on p99.`,
            unit: 's',
            min: 0,
            fill: 0,
            thresholdLines: true,
            thresholds: lines([THRESHOLDS.eventLoopDelayWarning, 'orange'], [THRESHOLDS.eventLoopDelayCritical, 'red']),
            queries: [
              { expr: `max by (instance) (nodejs_eventloop_delay_p50{${SEL}})`, legend: 'p50 {{instance}}' },
              { expr: `max by (instance) (nodejs_eventloop_delay_p99{${SEL}})`, legend: 'p99 {{instance}}' },
              { expr: `max by (instance) (nodejs_eventloop_delay_max{${SEL}})`, legend: 'max {{instance}}' },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Event-loop utilization',
            description: 'Share of time the event loop was busy running JavaScript rather than waiting for I/O.',
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [{ expr: `max by (instance) (nodejs_eventloop_utilization{${SEL}})`, legend: '{{instance}}' }],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Event-loop time by state',
            description: 'Seconds per second the event loop spent active (running callbacks) and idle (waiting for I/O).',
            unit: 'percentunit',
            min: 0,
            stack: true,
            queries: [
              {
                expr: `sum by (instance, nodejs_eventloop_state) (rate(nodejs_eventloop_time_total{${SEL}}[${RI}]))`,
                legend: '{{instance}} {{nodejs_eventloop_state}}',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Active resources',
            description: 'Handles and requests keeping the event loop alive, by type (sockets, timers, ...). Steady growth is a leak.',
            unit: 'short',
            min: 0,
            queries: [
              {
                expr: `sum by (instance, v8js_resource_type) (v8js_resource_active{${SEL}})`,
                legend: '{{instance}} {{v8js_resource_type}}',
              },
            ],
          }),
        )
        .withRow(row('Memory'))
        .withPanel(
          timeSeries({
            title: 'V8 heap used by space',
            description: 'Bytes used in each V8 heap space (stacked per instance).',
            unit: 'bytes',
            min: 0,
            stack: true,
            queries: [
              {
                expr: `sum by (instance, v8js_heap_space_name) (v8js_memory_heap_used{${SEL}})`,
                legend: '{{instance}} {{v8js_heap_space_name}}',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Heap used, heap size and resident memory',
            description:
              'V8 heap of the main thread: bytes used, bytes reserved for its spaces (heap size) and resident in memory (physical); and the resident set size of the whole process (V8 heap, native onnxruntime memory, worker threads, buffers). RSS growing while the heap stays flat points at native memory.',
            unit: 'bytes',
            min: 0,
            fill: 0,
            queries: [
              { expr: `sum by (instance) (v8js_memory_heap_used{${SEL}})`, legend: 'heap used {{instance}}' },
              { expr: `sum by (instance) (v8js_memory_heap_space_size{${SEL}})`, legend: 'heap size {{instance}}' },
              {
                expr: `sum by (instance) (v8js_memory_heap_space_physical_size{${SEL}})`,
                legend: 'heap physical {{instance}}',
              },
              { expr: `sum by (instance) (process_resident_memory_bytes{${SEL}})`, legend: 'RSS {{instance}}' },
            ],
          }),
        )
        .withRow(row('Garbage collection and CPU'))
        .withPanel(
          timeSeries({
            title: 'Time spent in GC',
            description: 'Share of wall-clock time spent in garbage collection, by GC type (seconds of GC per second).',
            unit: 'percentunit',
            min: 0,
            stack: true,
            queries: [
              {
                expr: `sum by (instance, v8js_gc_type) (rate(v8js_gc_duration_seconds_sum{${SEL}}[${RI}]))`,
                legend: '{{instance}} {{v8js_gc_type}}',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'GC runs',
            description: 'Garbage collections per second by GC type.',
            unit: UNITS.runsPerSecond,
            min: 0,
            queries: [
              {
                expr: `sum by (instance, v8js_gc_type) (rate(v8js_gc_duration_seconds_count{${SEL}}[${RI}]))`,
                legend: '{{instance}} {{v8js_gc_type}}',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'CPU usage',
            description: 'CPU time used by the process (main thread and inference workers) per second: 100% is one full core.',
            unit: 'percentunit',
            min: 0,
            queries: [
              { expr: `sum by (instance) (rate(process_cpu_seconds_total{${SEL}}[${RI}]))`, legend: '{{instance}}' },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Resident memory',
            description: 'Resident set size of the process per instance.',
            unit: 'bytes',
            min: 0,
            queries: [
              { expr: `sum by (instance) (process_resident_memory_bytes{${SEL}})`, legend: '{{instance}}' },
            ],
          }),
        )
        .build(),
    ),
};
