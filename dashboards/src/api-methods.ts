import { DashboardSpec, RI, SEL, dashboard, finalize, row, statPanel, timeSeries } from './common';

/**
 * The `method_names` collector (src/telemetry/method-names.ts): one counter per API method, labelled with
 * `method` and `outcome` (success | client_error | server_error). Names exactly as in docs/metrics.md.
 */
export const METHOD_METRICS = [
  'moderator_api_classify_calls_total',
  'moderator_api_healthz_calls_total',
  'moderator_api_readyz_calls_total',
  'moderator_api_openapi_calls_total',
  'moderator_api_moderations_calls_total',
  'moderator_api_models_calls_total',
] as const;

export const apiMethods: DashboardSpec = {
  file: 'api-methods',
  build: () =>
    finalize(
      dashboard({
        uid: 'content-moderator-api-methods',
        title: 'Content moderator / API methods',
        description:
          'The method_names collector: calls of every API method by outcome (success, client_error, server_error); requests, texts, rate limits and authentication per API key.',
      })
        .withRow(row('Calls'))
        .withPanel(
          timeSeries({
            title: 'Calls per method and outcome',
            description: 'Calls per second of each API method, split by outcome, from the moderator_api_*_calls_total counters.',
            unit: 'reqps',
            min: 0,
            w: 24,
            queries: METHOD_METRICS.map((m) => ({
              expr: `sum by (method, outcome) (rate(${m}{${SEL}}[${RI}]))`,
              legend: '{{method}} {{outcome}}',
            })),
          }),
        )
        .withPanel(
          statPanel({
            title: 'Calls in the time range',
            description: 'Calls of each API method by outcome over the whole selected time range.',
            unit: 'short',
            decimals: 0,
            w: 24,
            h: 6,
            graph: false,
            showNames: true,
            queries: METHOD_METRICS.map((m) => ({
              expr: `sum by (method, outcome) (increase(${m}{${SEL}}[$__range]))`,
              legend: '{{method}} {{outcome}}',
              instant: true,
            })),
          }),
        )
        .withRow(row('Outcomes'))
        .withPanel(
          timeSeries({
            title: 'Outcome share per method',
            description:
              'For each API method, the share of its calls that ended in each outcome. client_error is bad input (4xx); server_error is ours (5xx).',
            unit: 'percentunit',
            min: 0,
            max: 1,
            w: 24,
            queries: METHOD_METRICS.map((m) => ({
              expr:
                `sum by (method, outcome) (rate(${m}{${SEL}}[${RI}]))` +
                ` / ignoring (outcome) group_left sum by (method) (rate(${m}{${SEL}}[${RI}]))`,
              legend: '{{method}} {{outcome}}',
            })),
          }),
        )
        .withRow(row('Clients and API keys'))
        .withPanel(
          timeSeries({
            title: 'Requests and texts per API key',
            description:
              'API requests admitted and texts submitted per second, by API key id (`anonymous` when keys are off). Fair queueing shares the model between these clients.',
            unit: 'short',
            min: 0,
            w: 12,
            queries: [
              { expr: `sum by (key_id) (rate(moderator_client_requests_total{${SEL}}[${RI}]))`, legend: '{{key_id}} requests/s' },
              { expr: `sum by (key_id) (rate(moderator_client_texts_total{${SEL}}[${RI}]))`, legend: '{{key_id}} texts/s' },
            ],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Rate-limited requests (429)',
            description: 'Requests refused per second because a client was over one of its token buckets (rate_limits.requests, texts or chars).',
            unit: 'reqps',
            min: 0,
            w: 12,
            queries: [{ expr: `sum by (key_id, limit) (rate(moderator_client_rate_limited_total{${SEL}}[${RI}]))`, legend: '{{key_id}} {{limit}}' }],
          }),
        )
        .withPanel(
          timeSeries({
            title: 'Authentication failures (401) and key reloads',
            description:
              'Requests refused for a missing or invalid API key, per second; and API key reloads (SIGHUP or a changed key file) that failed, which leave the previous keys in use.',
            unit: 'short',
            min: 0,
            w: 16,
            queries: [
              { expr: `sum by (reason) (rate(moderator_auth_failures_total{${SEL}}[${RI}]))`, legend: '401 {{reason}}' },
              { expr: `sum by (result) (increase(moderator_auth_key_reloads_total{${SEL}}[${RI}]))`, legend: 'reloads {{result}}' },
            ],
          }),
        )
        .withPanel(
          statPanel({
            title: 'API keys in use',
            description: 'API keys loaded per instance (0 when keys are off). Instances that disagree missed a reload.',
            unit: 'short',
            decimals: 0,
            w: 8,
            queries: [{ expr: `max by (instance) (moderator_auth_keys{${SEL}})`, legend: '{{instance}}' }],
          }),
        )
        .build(),
    ),
};
