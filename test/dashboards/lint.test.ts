/**
 * Dashboard conventions (after the community mixins), checked on every panel of every generated dashboard:
 * title, description and unit on every panel; the `${datasource}` variable everywhere; datasource, job and
 * instance variables; model_name and model_version variables where model metrics are read, and every model metric
 * filtered by them; rate windows are $__rate_interval; no hard-coded job; only metric names from
 * docs/metrics.md or the recording rules in alerts/rules.
 */
import {
  DashboardJson,
  bareSeriesNames,
  documentedMetrics,
  knownSeriesNames,
  loadDashboards,
  modelMetricNames,
  panelsOf,
  rangesOf,
  selectorsOf,
} from '../support/observability';

const dashboards = loadDashboards();
const known = knownSeriesNames();
const modelMetrics = modelMetricNames();
const DS = { type: 'prometheus', uid: '${datasource}' };

function variable(d: DashboardJson, name: string) {
  return d.templating.list.find((v) => v.name === name);
}

function usesOnlyRecordingRules(d: DashboardJson): boolean {
  return panelsOf(d).every((p) =>
    (p.targets ?? []).every((t) => selectorsOf(t.expr ?? '').every((s) => s.name.includes(':'))),
  );
}

describe('dashboards', () => {
  it('has the required dashboards', () => {
    expect(dashboards.map((d) => d.json.uid).sort()).toEqual(
      [
        'content-moderator-api-methods',
        'content-moderator-model',
        'content-moderator-nodejs',
        'content-moderator-overview',
        'content-moderator-slo',
      ].sort(),
    );
  });

  it('has unique uids and titles', () => {
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(dashboards.length);
    expect(new Set(dashboards.map((d) => d.json.title)).size).toBe(dashboards.length);
  });

  it('puts every documented metric on some dashboard', () => {
    const used = new Set<string>();
    for (const { json } of dashboards) {
      for (const p of panelsOf(json)) for (const t of p.targets ?? []) for (const s of selectorsOf(t.expr ?? '')) used.add(s.name);
    }
    const missing = documentedMetrics()
      .filter((r) => !r.names.some((n) => used.has(n)))
      .map((r) => r.row);
    expect(missing).toEqual([]);
  });
});

describe.each(dashboards.map((d) => [d.file, d.json] as const))('%s', (_file, d) => {
  it('has a title, description and the content-moderator tag', () => {
    expect(d.title).toMatch(/^Content moderator \/ /);
    expect(d.description?.length).toBeGreaterThan(20);
    expect(d.tags).toContain('content-moderator');
  });

  it('has a Prometheus datasource variable', () => {
    const ds = variable(d, 'datasource');
    expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
  });

  it('has a job variable discovered from a service metric, never a hard-coded job', () => {
    const job = variable(d, 'job');
    expect(job).toMatchObject({ type: 'query', datasource: DS });
    expect(String(job?.query)).toMatch(/^label_values\(moderator_[a-z_]+, job\)$/);
  });

  it('has a multi-value instance variable (unless it only shows job-level recording rules)', () => {
    const instance = variable(d, 'instance');
    if (usesOnlyRecordingRules(d)) {
      expect(instance).toBeUndefined();
      return;
    }
    expect(instance).toMatchObject({ type: 'query', datasource: DS, multi: true, includeAll: true });
    expect(String(instance?.query)).toMatch(/^label_values\(moderator_[a-z_]+\{job="\$job"\}, instance\)$/);
  });

  const readsModelMetrics = panelsOf(d).some((p) =>
    (p.targets ?? []).some((t) => selectorsOf(t.expr ?? '').some((s) => modelMetrics.has(s.name))),
  );

  it('has multi-value model_name and model_version variables if it reads model metrics, else none', () => {
    const name = variable(d, 'model_name');
    const version = variable(d, 'model_version');
    if (!readsModelMetrics) {
      expect([name, version]).toEqual([undefined, undefined]);
      return;
    }
    for (const v of [name, version]) {
      expect(v).toMatchObject({ type: 'query', datasource: DS, multi: true, includeAll: true, allValue: '.+' });
    }
    expect(String(name?.query)).toBe('label_values(moderator_model_ready{job="$job", instance=~"$instance"}, model_name)');
    expect(String(version?.query)).toBe(
      'label_values(moderator_model_ready{job="$job", instance=~"$instance", model_name=~"$model_name"}, model_version)',
    );
  });

  it('gives every panel a unique id and a place on the 24-column grid', () => {
    const ids = d.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((c) => c.id)]);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panelsOf(d)) {
      expect(p.gridPos).toBeDefined();
      expect(p.gridPos!.x + p.gridPos!.w).toBeLessThanOrEqual(24);
    }
  });

  const panels = panelsOf(d);
  const hasInstance = !!variable(d, 'instance');

  it.each(panels.map((p) => [p.title ?? '(untitled)', p] as const))('panel "%s" follows the rules', (_title, p) => {
    const problems: string[] = [];
    if (!p.title?.trim()) problems.push('no title');
    if (!p.description || p.description.trim().length < 10) problems.push('no description');
    if (!p.fieldConfig?.defaults?.unit) problems.push('no unit');
    if (JSON.stringify(p.datasource) !== JSON.stringify(DS)) problems.push(`panel datasource is ${JSON.stringify(p.datasource)}`);
    const targets = p.targets ?? [];
    if (targets.length === 0) problems.push('no query');
    const refIds = targets.map((t) => t.refId);
    if (new Set(refIds).size !== refIds.length || refIds.some((r) => !r)) problems.push('refIds missing or repeated');

    for (const t of targets) {
      const expr = t.expr ?? '';
      const where = `query ${t.refId}`;
      if (!expr.trim()) problems.push(`${where}: empty expr`);
      if (JSON.stringify(t.datasource) !== JSON.stringify(DS)) problems.push(`${where}: datasource is not \${datasource}`);
      for (const r of rangesOf(expr)) {
        const ok = r === '$__rate_interval' || (r === '$__range' && t.instant === true);
        if (!ok) problems.push(`${where}: range [${r}] (use [$__rate_interval]; [$__range] only in instant queries)`);
      }
      for (const m of expr.matchAll(/\bjob\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
        if (m[2] !== '$job' || (m[1] !== '=' && m[1] !== '=~')) problems.push(`${where}: job matcher ${m[0]} (only job="$job")`);
      }
      const selectors = selectorsOf(expr);
      if (selectors.length === 0) problems.push(`${where}: selects no series`);
      for (const s of selectors) {
        if (!known.has(s.name)) problems.push(`${where}: ${s.name} is neither in docs/metrics.md nor a recording rule`);
        if (!/\bjob="\$job"/.test(s.matchers)) problems.push(`${where}: ${s.name} is not filtered by job="$job"`);
        if (hasInstance && !s.name.includes(':') && !/\binstance=~"\$instance"/.test(s.matchers)) {
          problems.push(`${where}: ${s.name} is not filtered by instance=~"$instance"`);
        }
        if (modelMetrics.has(s.name) && !/\bmodel_name=~"\$model_name", model_version=~"\$model_version"/.test(s.matchers)) {
          problems.push(`${where}: ${s.name} is not filtered by the model variables (MSEL)`);
        }
      }
      for (const n of bareSeriesNames(expr, known)) problems.push(`${where}: ${n} used without a {job="$job"} selector`);
      if (/\b(rate|irate|increase)\s*\(/.test(expr) === false && rangesOf(expr).length > 0) {
        problems.push(`${where}: range selector outside rate/irate/increase`);
      }
    }
    expect(problems).toEqual([]);
  });
});
