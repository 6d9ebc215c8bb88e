/**
 * Shared building blocks for the content-moderator dashboards. Every panel made here has a title, a
 * description, a unit and the `${datasource}` variable; the rules are enforced on the generated JSON by
 * test/dashboards/lint.test.ts.
 *
 * Selectors: service metrics are filtered with SEL (job + instance variables), model metrics on dashboards with the
 * model variables with MSEL (also model_name + model_version), SLO recording rules (which are aggregated by job) with
 * JOB. No job name is ever written here: the `job` variable lists the jobs that expose
 * `moderator_model_ready`, i.e. every Prometheus job scraping this service, whatever it is called.
 */
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Threshold,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** Service series of the selected job and instances. */
export const SEL = 'job="$job", instance=~"$instance"';
/** Model metrics (docs/metrics.md, "Model and inference") of the selected models, on dashboards with model variables. */
export const MODEL = 'model_name=~"$model_name", model_version=~"$model_version"';
/** Model metrics of the selected job, instances and models. */
export const MSEL = `${SEL}, ${MODEL}`;
/** SLO recording rules carry only `job`. */
export const JOB = 'job="$job"';
/** Rate window: Grafana's $__rate_interval (at least 4 scrape intervals), never a fixed window. */
export const RI = '$__rate_interval';

export const TAG = 'content-moderator';

/** Custom Grafana units (`suffix:` keeps the number and appends the text). */
export const UNITS = {
  textsPerSecond: 'suffix: texts/s',
  lookupsPerSecond: 'suffix: lookups/s',
  runsPerSecond: 'suffix: runs/s',
  texts: 'suffix: texts',
  burnRate: 'suffix:×',
} as const;

export interface Query {
  expr: string;
  legend?: string;
  /** Evaluate once at the end of the range (stat panels over $__range). */
  instant?: boolean;
  format?: 'heatmap';
}

interface PanelCommon {
  title: string;
  description: string;
  unit: string;
  queries: Query[];
  /** Grid width (of 24) and height. */
  w?: number;
  h?: number;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: Threshold[];
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function target(q: Query, i: number): DataqueryBuilder {
  const b = new DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(REF_IDS[i])
    .expr(q.expr)
    .legendFormat(q.legend ?? '__auto');
  if (q.instant) b.instant();
  else b.range();
  if (q.format === 'heatmap') b.format(PromQueryFormat.Heatmap);
  return b;
}

function thresholdsOf(steps: Threshold[] | undefined): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps ?? [{ value: null, color: 'green' }]);
}

/** Thresholds drawn as dashed lines on a time series: each value gets its color. */
export function lines(...steps: Array<[number, string]>): Threshold[] {
  return [{ value: null, color: 'transparent' }, ...steps.map(([value, color]) => ({ value, color }))];
}

export function timeSeries(
  o: PanelCommon & { stack?: boolean; thresholdLines?: boolean; fill?: number },
): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.w ?? 12)
    .height(o.h ?? 8)
    .lineWidth(1)
    .fillOpacity(o.fill ?? 10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['mean', 'max', 'lastNotNull']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .thresholds(thresholdsOf(o.thresholds))
    .targets(o.queries.map(target));
  if (o.thresholdLines) {
    p.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  if (o.stack) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  if (o.decimals !== undefined) p.decimals(o.decimals);
  return p;
}

export function statPanel(
  o: PanelCommon & { mappings?: ValueMapping[]; graph?: boolean; showNames?: boolean },
): stat.PanelBuilder {
  const p = new stat.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.w ?? 6)
    .height(o.h ?? 4)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(o.graph === false ? common.BigValueGraphMode.None : common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .textMode(o.showNames ? common.BigValueTextMode.ValueAndName : common.BigValueTextMode.Auto)
    .thresholds(thresholdsOf(o.thresholds))
    .targets(o.queries.map(target));
  if (o.mappings) p.mappings(o.mappings);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  if (o.decimals !== undefined) p.decimals(o.decimals);
  return p;
}

/** A heatmap of a Prometheus histogram: one query over `..._bucket`, aggregated `by (le)`. */
export function histogramHeatmap(o: PanelCommon & { yUnit: string }): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.w ?? 12)
    .height(o.h ?? 8)
    .calculate(false)
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Le))
    .yAxis(new heatmap.YAxisConfigBuilder().unit(o.yUnit))
    .cellValues(new heatmap.CellValuesBuilder().unit(o.unit))
    .color(
      new heatmap.HeatmapColorOptionsBuilder()
        .mode(heatmap.HeatmapColorMode.Scheme)
        .scheme('Oranges')
        .scale(heatmap.HeatmapColorScale.Exponential)
        .exponent(0.5)
        .steps(64),
    )
    .showLegend()
    .targets(o.queries.map((q, i) => target({ ...q, format: 'heatmap' }, i)));
}

export function row(title: string): RowBuilder {
  return new RowBuilder(title);
}

/** 0/1 gauges shown as words. */
export function booleanMapping(falseText: string, trueText: string): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: { '0': { text: falseText, color: 'red', index: 0 }, '1': { text: trueText, color: 'green', index: 1 } },
    },
  ];
}

export interface DashboardSpec {
  /** File name under dashboards/json/ (without .json). */
  file: string;
  build(): Dashboard;
}

/** A multi-value variable listing a label's values on `moderator_model_ready` series matching `matchers`. */
function modelVariable(name: string, label: string, description: string, matchers: string): QueryVariableBuilder {
  const query = `label_values(moderator_model_ready{${matchers}}, ${name})`;
  return new QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .includeAll(true)
    .allValue('.+')
    .multi(true);
}

/**
 * A dashboard with the standard variables (datasource, job, instance), tag, links to its siblings, and
 * time settings. `instance` is left out for dashboards that only query job-level recording rules; `model_name` and
 * `model_version` are added for dashboards whose panels read model metrics (filter those with MSEL).
 */
export function dashboard(o: {
  uid: string;
  title: string;
  description: string;
  instanceVariable?: boolean;
  modelVariables?: boolean;
  from?: string;
}): DashboardBuilder {
  const d = new DashboardBuilder(o.title)
    .uid(o.uid)
    .description(o.description)
    .tags([TAG])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .timezone('browser')
    .time({ from: o.from ?? 'now-1h', to: 'now' })
    .refresh('30s')
    .link(
      new DashboardLinkBuilder('Content moderator')
        .type(DashboardLinkType.Dashboards)
        .tags([TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true)
        .icon('external link')
        .tooltip('')
        .url('')
        .targetBlank(false),
    )
    .withVariable(
      new DatasourceVariableBuilder('datasource')
        .label('Data source')
        .description('The Prometheus that scrapes content-moderator.')
        .type('prometheus'),
    )
    .withVariable(
      new QueryVariableBuilder('job')
        .label('Job')
        .description('Prometheus jobs that scrape a content-moderator (they expose moderator_model_ready).')
        .datasource(DATASOURCE)
        .query('label_values(moderator_model_ready, job)')
        .definition('label_values(moderator_model_ready, job)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .includeAll(false)
        .multi(false),
    );
  if (o.instanceVariable !== false) {
    d.withVariable(
      new QueryVariableBuilder('instance')
        .label('Instance')
        .description('Instances of the selected job.')
        .datasource(DATASOURCE)
        .query('label_values(moderator_model_ready{job="$job"}, instance)')
        .definition('label_values(moderator_model_ready{job="$job"}, instance)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .includeAll(true)
        .allValue('.+')
        .multi(true),
    );
  }
  if (o.modelVariables) {
    d.withVariable(
      modelVariable('model_name', 'Model', 'Models served by the selected instances (each metric of a model run carries its name).', `job="$job", instance=~"$instance"`),
    ).withVariable(
      modelVariable('model_version', 'Model version', 'Versions of the selected models: during a rollout old and new pods serve different ones.', `job="$job", instance=~"$instance", model_name=~"$model_name"`),
    );
  }
  return d;
}

/** Gives every panel (rows included) a stable id, in layout order. */
export function finalize(d: Dashboard): Dashboard {
  let id = 1;
  const visit = (panels: Array<{ id?: number; panels?: unknown[] }> | undefined): void => {
    for (const p of panels ?? []) {
      p.id = id++;
      if (Array.isArray(p.panels)) visit(p.panels as Array<{ id?: number }>);
    }
  };
  visit(d.panels as Array<{ id?: number; panels?: unknown[] }>);
  return d;
}

export type Builder<T> = cog.Builder<T>;
