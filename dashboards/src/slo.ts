import { BURN_RATE_WINDOWS, SLI_WINDOWS, SLOS, SLO_WINDOW, SloName } from '../../observability/config';
import { sloRecordName } from '../../alerts/src/rules';
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardSpec, JOB, UNITS, dashboard, finalize, lines, row, statPanel, timeSeries } from './common';

function pct(x: number): string {
  return `${Number((x * 100).toPrecision(6))}%`;
}

function sloSection(d: DashboardBuilder, slo: SloName, label: string): DashboardBuilder {
  const { objective, sli } = SLOS[slo];
  const budget = 1 - objective;
  /** Written as in the alert rules, so the PromQL reads "(1 - 0.999)" rather than a rounded float. */
  const budgetExpr = `(1 - ${objective})`;
  const bad = (w: string) => `${sloRecordName(slo, w)}{${JOB}}`;
  const burnWindows = SLI_WINDOWS.filter((w) => w !== SLO_WINDOW);
  const factors = [...new Set(BURN_RATE_WINDOWS.map((b) => b.factor))].sort((a, b) => a - b);
  return d
    .withRow(row(`${label}: ${pct(objective)} over ${SLO_WINDOW}`))
    .withPanel(
      statPanel({
        title: `${label} SLI (${SLO_WINDOW})`,
        description: `SLI: ${sli}, over the last ${SLO_WINDOW}. Objective: ${pct(objective)} (observability/config.ts).`,
        unit: 'percentunit',
        decimals: 3,
        graph: false,
        h: 8,
        thresholds: [
          { value: null, color: 'red' },
          { value: objective, color: 'green' },
        ],
        queries: [{ expr: `1 - ${bad(SLO_WINDOW)}`, legend: 'SLI' }],
      }),
    )
    .withPanel(
      statPanel({
        title: `${label} error budget remaining (${SLO_WINDOW})`,
        description: `Share of the ${SLO_WINDOW} error budget (${pct(budget)} of requests) not yet spent; below 0 the objective is missed.`,
        unit: 'percentunit',
        decimals: 1,
        graph: false,
        h: 8,
        thresholds: [
          { value: null, color: 'red' },
          { value: 0, color: 'orange' },
          { value: 0.25, color: 'green' },
        ],
        queries: [{ expr: `1 - ${bad(SLO_WINDOW)} / ${budgetExpr}`, legend: 'budget remaining' }],
      }),
    )
    .withPanel(
      timeSeries({
        title: `${label} burn rate`,
        description: `How fast the ${slo} error budget is being spent, per window (1 = exactly on budget for ${SLO_WINDOW}). Dashed lines: the burn rates that page (${BURN_RATE_WINDOWS.filter((b) => b.severity === 'critical').map((b) => `${b.factor}x over ${b.long}/${b.short}`).join(', ')}) or open a ticket (${BURN_RATE_WINDOWS.filter((b) => b.severity === 'warning').map((b) => `${b.factor}x over ${b.long}/${b.short}`).join(', ')}).`,
        unit: UNITS.burnRate,
        min: 0,
        fill: 0,
        w: 12,
        h: 8,
        thresholdLines: true,
        thresholds: lines(...factors.map((f): [number, string] => [f, f >= 6 ? 'red' : f >= 3 ? 'orange' : 'yellow'])),
        queries: burnWindows.map((w) => ({ expr: `${bad(w)} / ${budgetExpr}`, legend: w })),
      }),
    )
    .withPanel(
      timeSeries({
        title: `${label} SLI (5m, 1h)`,
        description: `SLI (${sli}) over the last 5 minutes and hour; the dashed line is the ${pct(objective)} objective.`,
        unit: 'percentunit',
        max: 1,
        fill: 0,
        w: 24,
        h: 8,
        thresholdLines: true,
        thresholds: lines([objective, 'red']),
        queries: [
          { expr: `1 - ${bad('5m')}`, legend: '5m' },
          { expr: `1 - ${bad('1h')}`, legend: '1h' },
        ],
      }),
    );
}

export const sloDashboard: DashboardSpec = {
  file: 'slo',
  build: () => {
    let d = dashboard({
      uid: 'content-moderator-slo',
      title: 'Content moderator / SLO',
      description: `Availability and latency objectives of POST /classify: SLI, error budget left over ${SLO_WINDOW}, burn rates per alerting window. Computed by the recording rules in alerts/rules/slo.rules.yml.`,
      instanceVariable: false,
      from: 'now-24h',
    });
    d = sloSection(d, 'availability', 'Availability');
    d = sloSection(d, 'latency', `Latency (≤ ${SLOS.latency.thresholdSeconds * 1000} ms)`);
    return finalize(d.build());
  },
};
