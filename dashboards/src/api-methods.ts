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
          'The method_names collector: calls of every API method by outcome (success, client_error, server_error).',
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
        .build(),
    ),
};
