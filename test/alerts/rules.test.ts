/**
 * Alert rule conventions: severity, summary, description and a runbook_url whose section exists in
 * docs/runbooks.md; recording rules named level:metric:operations; only documented metric names (and the
 * kube-state-metrics series observability/config.ts lists); every alert labelled with the service's job; a promtool
 * unit test that fires and one that stays silent for every alert; Alertmanager routes by severity.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import {
  JOB_NAME,
  JOB_SELECTOR,
  KUBE_STATE_METRICS,
  KUBE_STATE_METRICS_SELECTOR,
  RUNBOOK_BASE_URL,
  WORKLOAD_NAME,
  anchorOf,
} from '../../observability/config';
import { ROOT, knownSeriesNames, loadRuleFiles, selectorsOf } from '../support/observability';

const alerts = loadRuleFiles().flatMap(({ file, rules }) =>
  rules.groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => ({ file, ...r, alert: r.alert! }))),
);
const records = loadRuleFiles().flatMap(({ rules }) => rules.groups.flatMap((g) => g.rules.filter((r) => r.record)));

/** Runbook sections: anchor -> body text. */
function runbookSections(): Map<string, string> {
  const text = fs.readFileSync(path.join(ROOT, 'docs', 'runbooks.md'), 'utf8');
  const sections = new Map<string, string>();
  const parts = text.split(/^## /m).slice(1);
  for (const part of parts) {
    const [heading, ...body] = part.split('\n');
    sections.set(anchorOf(heading), body.join('\n'));
  }
  return sections;
}

interface PromtoolTests {
  rule_files: string[];
  tests: Array<{
    name: string;
    alert_rule_test?: Array<{
      alertname: string;
      eval_time: string;
      exp_alerts?: Array<{ exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }>;
    }>;
  }>;
}

function promtoolTests(): PromtoolTests[] {
  const dir = path.join(ROOT, 'alerts', 'tests');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.yml'))
    .map((f) => parse(fs.readFileSync(path.join(dir, f), 'utf8')) as PromtoolTests);
}

describe('alert rules', () => {
  it('exist', () => {
    expect(alerts.length).toBeGreaterThan(0);
    expect(records.length).toBeGreaterThan(0);
  });

  it.each(alerts.map((a) => [`${a.alert} (${a.labels?.severity})`, a] as const))(
    '%s has severity, summary, description and a runbook section',
    (_name, a) => {
      expect(['critical', 'warning', 'info']).toContain(a.labels?.severity);
      expect(a.annotations?.summary?.length).toBeGreaterThan(10);
      expect(a.annotations?.description?.length).toBeGreaterThan(20);
      const url = a.annotations?.runbook_url ?? '';
      expect(url.startsWith(`${RUNBOOK_BASE_URL}#`)).toBe(true);
      const section = runbookSections().get(url.split('#')[1]);
      expect(section).toBeDefined();
      expect(section).toMatch(/\*\*Meaning:\*\*/);
      expect(section).toMatch(/\*\*What to do:\*\*/);
      expect(section).toContain(a.labels!.severity);
    },
  );

  it('names recording rules level:metric:operations', () => {
    for (const r of records) expect(r.record).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
  });

  it('uses only metric names from docs/metrics.md, its own recording rules and the listed kube-state-metrics series', () => {
    const known = new Set([...knownSeriesNames(), ...KUBE_STATE_METRICS]);
    const unknown = [...alerts, ...records]
      .flatMap((r) => selectorsOf(r.expr).map((s) => s.name))
      .filter((n) => !known.has(n));
    expect(unknown).toEqual([]);
  });

  it("selects the service by job on every raw metric, and kube-state-metrics' series by the service's workload", () => {
    const problems: string[] = [];
    for (const r of [...alerts, ...records]) {
      for (const s of selectorsOf(r.expr)) {
        if (s.name.includes(':')) continue;
        const wanted = (KUBE_STATE_METRICS as readonly string[]).includes(s.name)
          ? [KUBE_STATE_METRICS_SELECTOR, `="${WORKLOAD_NAME}"`]
          : [JOB_SELECTOR];
        for (const w of wanted) if (!s.matchers.includes(w)) problems.push(`${r.alert ?? r.record}: ${s.name}{${s.matchers}} lacks ${w}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("labels the alerts over kube-state-metrics with the service's job, so Alertmanager groups them with the others", () => {
    // The service's own series carry its job (the promtool cases check it on every firing alert); kube-state-metrics'
    // carry job="kube-state-metrics", which these alerts must not route or group by.
    const overKubeStateMetrics = alerts.filter((a) =>
      selectorsOf(a.expr).some((s) => (KUBE_STATE_METRICS as readonly string[]).includes(s.name)),
    );
    expect(overKubeStateMetrics.map((a) => a.alert).sort()).toEqual(['ModeratorAutoscalerAtMaximum', 'ModeratorReplicasBelowMinimum']);
    for (const a of overKubeStateMetrics) expect(a.labels?.job).toBe(JOB_NAME);
  });

  it('has a promtool case where each alert fires (labels and annotations checked) and one where it is silent', () => {
    const tests = promtoolTests().flatMap((f) => f.tests);
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    const problems: string[] = [];
    for (const a of alerts) {
      const severity = a.labels!.severity;
      const fires = cases.some((c) =>
        c.alertname === a.alert &&
        (c.exp_alerts ?? []).some(
          (e) =>
            e.exp_labels?.severity === severity &&
            Object.entries(a.labels ?? {}).every(([k, v]) => e.exp_labels?.[k] === v) &&
            ['summary', 'description', 'runbook_url'].every((k) => !!e.exp_annotations?.[k]),
        ),
      );
      if (!fires) problems.push(`${a.alert} (${severity}): no firing case with its labels and annotations`);
      const silent = cases.some((c) => c.alertname === a.alert && (c.exp_alerts ?? []).length === 0);
      if (!silent) problems.push(`${a.alert}: no healthy case where it stays silent`);
    }
    expect(problems).toEqual([]);
  });
});

describe('alertmanager.yml', () => {
  const am = parse(fs.readFileSync(path.join(ROOT, 'alerts', 'alertmanager.yml'), 'utf8'));

  it('routes critical to page, warning to ticket, info to null, and nothing else anywhere', () => {
    expect(am.route.receiver).toBe('null');
    const bySeverity = Object.fromEntries(
      am.route.routes.map((r: { matchers: string[]; receiver: string }) => [r.matchers.join(','), r.receiver]),
    );
    expect(bySeverity).toEqual({
      'severity="critical"': 'page',
      'severity="warning"': 'ticket',
      'severity="info"': 'null',
    });
    expect(am.route.group_by).toEqual(['alertname', 'job']);
  });

  it('inhibits a warning by a critical of the same alert', () => {
    expect(am.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', 'job', 'instance'],
      },
    ]);
  });

  it('sends page and ticket to webhooks that report resolution, and info nowhere', () => {
    const receivers = Object.fromEntries(am.receivers.map((r: { name: string }) => [r.name, r]));
    expect(receivers.null).toEqual({ name: 'null' });
    for (const name of ['page', 'ticket']) {
      expect(receivers[name].webhook_configs).toEqual([
        { url: `http://alert-logger:9099/${name}`, send_resolved: true },
      ]);
    }
  });
});
