/**
 * Reading the generated observability artefacts (dashboards/json, alerts/rules, docs/metrics.md), shared by the
 * lint tests here and the e2e test in test/e2e.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface Target {
  refId?: string;
  expr?: string;
  instant?: boolean;
  range?: boolean;
  format?: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}

export interface Panel {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}

export interface Variable {
  type: string;
  name: string;
  query?: unknown;
  datasource?: { type?: string; uid?: string };
  includeAll?: boolean;
  multi?: boolean;
  allValue?: string;
}

export interface DashboardJson {
  uid: string;
  title: string;
  description?: string;
  tags?: string[];
  panels: Panel[];
  templating: { list: Variable[] };
}

export function loadDashboards(): Array<{ file: string; json: DashboardJson }> {
  const dir = path.join(ROOT, 'dashboards', 'json');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as DashboardJson }));
}

/** Every non-row panel, including those nested in collapsed rows. */
export function panelsOf(d: DashboardJson): Panel[] {
  const out: Panel[] = [];
  const visit = (ps: Panel[] | undefined) => {
    for (const p of ps ?? []) {
      if (p.type === 'row') visit(p.panels);
      else out.push(p);
    }
  };
  visit(d.panels);
  return out;
}

export interface RuleFileJson {
  groups: Array<{
    name: string;
    rules: Array<{
      record?: string;
      alert?: string;
      expr: string;
      for?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    }>;
  }>;
}

export function loadRuleFiles(): Array<{ file: string; rules: RuleFileJson }> {
  const dir = path.join(ROOT, 'alerts', 'rules');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((file) => ({ file, rules: parse(fs.readFileSync(path.join(dir, file), 'utf8')) as RuleFileJson }));
}

export function recordingRuleNames(): Set<string> {
  const names = new Set<string>();
  for (const { rules } of loadRuleFiles()) {
    for (const g of rules.groups) for (const r of g.rules) if (r.record) names.add(r.record);
  }
  return names;
}

const METRIC_NAME = /^[a-z_][a-z0-9_:]*$/;
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/**
 * The metric contract: every name docs/metrics.md lists (or only those of one `## section`), as /metrics shows it,
 * grouped by table row (one row may list several related names, e.g. `nodejs_eventloop_delay_p50`, `_p90`, ...).
 */
export function documentedMetrics(section?: string): Array<{ row: string; names: string[] }> {
  let text = fs.readFileSync(path.join(ROOT, 'docs', 'metrics.md'), 'utf8');
  if (section !== undefined) {
    const part = text.split(/^## /m).find((p) => p.startsWith(`${section}\n`));
    if (!part) throw new Error(`docs/metrics.md has no section "## ${section}"`);
    text = part;
  }
  const rows: Array<{ row: string; names: string[] }> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1);
    if (cells.length < 2) continue;
    const tokens = [...cells[0].matchAll(/`([^`]+)`/g)].map((m) => m[1].trim());
    if (tokens.length === 0 || !METRIC_NAME.test(tokens[0])) continue;
    const base = tokens[0];
    const names = new Set<string>([base]);
    for (const t of tokens.slice(1)) {
      if (!t.startsWith('_')) {
        if (METRIC_NAME.test(t)) names.add(t);
        continue;
      }
      if (!/^_[a-z0-9_]+$/.test(t)) continue;
      if (HISTOGRAM_SUFFIXES.includes(t)) names.add(base + t);
      else names.add(base.replace(/_[a-z0-9]+$/, '') + t);
    }
    if (/histogram/.test(cells[1])) for (const s of HISTOGRAM_SUFFIXES) names.add(base + s);
    rows.push({ row: base, names: [...names] });
  }
  return rows;
}

export function knownSeriesNames(): Set<string> {
  const known = new Set<string>(['up']);
  for (const r of documentedMetrics()) for (const n of r.names) known.add(n);
  for (const n of recordingRuleNames()) known.add(n);
  return known;
}

/** `name{...}` selectors of a PromQL expression (string literals are skipped). */
export function selectorsOf(expr: string): Array<{ name: string; matchers: string }> {
  const out: Array<{ name: string; matchers: string }> = [];
  const re = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g;
  for (const m of expr.matchAll(re)) out.push({ name: m[1], matchers: m[2] });
  return out;
}

/** Identifiers in the expression that are series names (not functions, keywords or label names). */
export function bareSeriesNames(expr: string, known: Set<string>): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const out: string[] = [];
  for (const m of withoutStrings.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*)(.?)/g)) {
    const [, name, , next] = m;
    if (known.has(name) && next !== '{' && next !== '(') out.push(name);
  }
  return out;
}

/** Range selectors (`[...]`) of the expression. */
export function rangesOf(expr: string): string[] {
  return [...expr.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]);
}

/** The series that carry `model_name` and `model_version` (docs/metrics.md, "Model and inference"). */
export function modelMetricNames(): Set<string> {
  return new Set(documentedMetrics('Model and inference').flatMap((r) => r.names));
}

/**
 * Values every dashboard variable takes when a panel query is sent straight to Prometheus. The model variables
 * are multi-value with "All" selected by default, which Grafana sends as their allValue (`.+`).
 */
export function substituteVariables(
  expr: string,
  v: { job: string; instance: string; rateInterval: string; range: string },
): string {
  return expr
    .replace(/\$__rate_interval/g, v.rateInterval)
    .replace(/\$__range/g, v.range)
    .replace(/\$job/g, v.job)
    .replace(/\$instance/g, v.instance)
    .replace(/\$model_name/g, '.+')
    .replace(/\$model_version/g, '.+');
}
