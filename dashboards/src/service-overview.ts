import { DashboardSpec, RI, SEL, dashboard, finalize, row, statPanel, timeSeries } from './common';

const REQ = 'http_server_request_duration_seconds';

/** Share of requests (by the given labels) with a status matching `codes`; 0 rather than nothing when none. */
function statusShare(codes: string, by: string): string {
  const total = `sum by (${by}) (rate(${REQ}_count{${SEL}}[${RI}]))`;
  const matching = `sum by (${by}) (rate(${REQ}_count{${SEL}, http_response_status_code=~"${codes}"}[${RI}]))`;
  return `(${matching} or 0 * ${total}) / ${total}`;
}

function quantile(q: number, by: string): string {
  return `histogram_quantile(${q}, sum by (${by}) (rate(${REQ}_bucket{${SEL}}[${RI}])))`;
}

export const serviceOverview: DashboardSpec = {
  file: 'service-overview',
  build: () =>
    finalize(
      dashboard({
        uid: 'content-moderator-overview',
        title: 'Content moderator / Service overview',
        description:
          'HTTP traffic of content-moderator: request rate, error ratios, latency percentiles by route; instances up, requests and in-flight requests by instance.',
      })
        .withRow(row('Golden signals'))
        .withPanel(
          statPanel({
            title: 'Request rate',
            description: 'HTTP requests per second answered by the selected instances, all routes and statuses.',
            unit: 'reqps',
            queries: [{ expr: `sum(rate(${REQ}_count{${SEL}}[${RI}]))`, legend: 'requests/s' }],
          }),
        )
        .withPanel(
          statPanel({
            title: 'Server error ratio (5xx)',
            description:
              'Share of requests answered with a 5xx status (all routes). 4xx are client mistakes and are shown separately below.',
            unit: 'percentunit',
            decimals: 2,
            queries: [
              {
                expr:
                  `(sum(rate(${REQ}_count{${SEL}, http_response_status_code=~"5.."}[${RI}])) or vector(0))` +
                  ` / sum(rate(${REQ}_count{${SEL}}[${RI}]))`,
                legend: '5xx ratio',
              },
            ],
            thresholds: [
              { value: null, color: 'green' },
              { value: 0.001, color: 'orange' },
              { value: 0.01, color: 'red' },
            ],
          }),
        )
        .withPanel(
          statPanel({
            title: 'Latency p99',
            description: '99th percentile of request duration (all routes), from the http_server_request_duration_seconds histogram.',
            unit: 's',
            queries: [{ expr: quantile(0.99, 'le'), legend: 'p99' }],
            thresholds: [
              { value: null, color: 'green' },
              { value: 0.1, color: 'orange' },
              { value: 0.5, color: 'red' },
            ],
          }),
        )
        .withPanel(
          statPanel({
            title: 'Requests in flight',
            description: 'Requests being processed right now, summed over the selected instances.',
            unit: 'short',
            queries: [{ expr: `sum(moderator_http_requests_in_flight{${SEL}})`, legend: 'in flight' }],
          }),
        )
        .withRow(row('Requests'))
        .withPanel(
          timeSeries({
            title: 'Requests by route and status',
            description: 'HTTP requests per second by route and response status code.',
            unit: 'reqps',
            stack: true,
            queries: [
              {
                expr: `sum by (http_route, http_response_status_code) (rate(${REQ}_count{${SEL}}[${RI}]))`,
                legend: '{{http_route}} {{http_response_status_code}}',
              },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Error ratio by route',
            description:
              'Share of requests per route answered with 5xx (server errors: spend the availability budget) and 4xx (client errors: bad input, limits, unknown routes).',
            unit: 'percentunit',
            min: 0,
            queries: [
              { expr: statusShare('5..', 'http_route'), legend: '{{http_route}} 5xx' },
              { expr: statusShare('4..', 'http_route'), legend: '{{http_route}} 4xx' },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Latency by route (p50, p95, p99)',
            description:
              'Request duration percentiles per route, interpolated from histogram buckets (0.001 s ... 10 s), so values are approximate between bucket boundaries.',
            unit: 's',
            min: 0,
            fill: 0,
            queries: [
              { expr: quantile(0.5, 'http_route, le'), legend: '{{http_route}} p50' },
              { expr: quantile(0.95, 'http_route, le'), legend: '{{http_route}} p95' },
              { expr: quantile(0.99, 'http_route, le'), legend: '{{http_route}} p99' },
            ],
          }),
        )
        .withRow(row('Instances'))
        .withPanel(
          statPanel({
            title: 'Instances up',
            description:
              'Instances (on Kubernetes: pods) of the selected job that Prometheus scraped successfully. With an autoscaler this follows the load; compare with its minimum and maximum (ModeratorReplicasBelowMinimum, ModeratorAutoscalerAtMaximum).',
            unit: 'short',
            decimals: 0,
            w: 6,
            queries: [{ expr: `count(up{${SEL}} == 1)`, legend: 'up' }],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Requests by instance',
            description:
              'HTTP requests per second answered by each instance: with many replicas behind one Service they should be close; a pod far above the others gets more than its share (long-lived keep-alive connections pinned to it).',
            unit: 'reqps',
            min: 0,
            w: 18,
            queries: [{ expr: `sum by (instance) (rate(${REQ}_count{${SEL}}[${RI}]))`, legend: '{{instance}}' }],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Requests in flight by instance',
            description: 'Concurrent requests per instance; growth with flat throughput means requests are queuing.',
            unit: 'short',
            min: 0,
            queries: [{ expr: `sum by (instance) (moderator_http_requests_in_flight{${SEL}})`, legend: '{{instance}}' }],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Refused before the API, by reason',
            description:
              'Requests refused at the edge per second: bad framing, headers too large, timeouts (these reach no route and appear nowhere else), and load shedding on connections, requests in flight or event-loop delay (also counted as 503 above). See docs/hostile-clients.md.',
            unit: 'reqps',
            min: 0,
            stack: true,
            queries: [{ expr: `sum by (reason) (rate(moderator_http_rejections_total{${SEL}}[${RI}]))`, legend: '{{reason}}' }],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Connections open by instance',
            description: 'HTTP connections open per instance; server.max_connections caps them (requests on connections beyond get 503).',
            unit: 'short',
            min: 0,
            queries: [{ expr: `sum by (instance) (moderator_http_connections{${SEL}})`, legend: '{{instance}}' }],
          }),
        )
        .build(),
    ),
};
