/**
 * End to end, with real components: the service (child process), Prometheus and Alertmanager (Debian's
 * `prometheus`, `prometheus-alertmanager`) and the alert-logger webhook receiver, all on free 127.0.0.1 ports and
 * configured from the same files as docker-compose.yml (see support/stack.ts). Everything is proven by polling
 * the Prometheus / Alertmanager HTTP APIs and the receiver's output; there is no fixed sleep.
 *
 *   1. the target is up and the method_names counters equal the calls this test made;
 *   2. every query of every dashboard panel (and every template variable) returns at least one series;
 *   3. the shipped rules work on the real metrics: the 503s driven here make the burn-rate and queue alerts
 *      pending (the promtool unit tests cover their firing and silence in detail);
 *   4. an alert fires, reaches the subscribed receiver with severity, summary and runbook_url, is routed and
 *      inhibited by severity as alerts/alertmanager.yml says, and is resolved when the condition clears.
 *
 * Missing binaries are a failure, not a skip: apt-get install -y prometheus prometheus-alertmanager.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { JOB_SELECTOR, runbookUrl } from '../../observability/config';
import { loadDashboards, panelsOf, substituteVariables, ROOT } from '../support/observability';
import {
  eventually,
  startAlertLogger,
  startAlertmanager,
  startPrometheus,
  startService,
  which,
  type AlertLogger,
  type Notification,
  type Proc,
  type Prometheus,
  type Service,
} from './support/stack';

const JOB = /job="([^"]+)"/.exec(JOB_SELECTOR)![1];
const MAX_QUEUE = 4;
const MAX_BODY_BYTES = 4096;

/** Test-only rules: fire while POST /classify keeps getting client errors; one per severity. */
const ALERT = 'E2EClassifyClientErrors';
function deliveryRules(): string {
  const expr = `sum by (job) (increase(moderator_api_classify_calls_total{${JOB_SELECTOR}, outcome="client_error"}[15s])) > 0`;
  const rule = (alert: string, severity: string) => ({
    alert,
    expr,
    labels: { severity },
    annotations: {
      summary: `POST /classify answered client errors (${severity} test alert).`,
      description: '{{ $value | humanize }} client errors in the last 15 s on job {{ $labels.job }}.',
      runbook_url: runbookUrl('Testing alert delivery'),
    },
  });
  return stringify({
    groups: [
      {
        name: 'e2e-delivery',
        rules: [
          rule(ALERT, 'critical'),
          // Same alert name, lower severity: Alertmanager must inhibit it while the critical fires.
          rule(ALERT, 'warning'),
          rule(`${ALERT}Ticket`, 'warning'),
          rule(`${ALERT}Info`, 'info'),
        ],
      },
    ],
  });
}

type Outcome = 'success' | 'client_error' | 'server_error';
const METHOD_OF: Record<string, string> = {
  'POST /classify': 'classify',
  'GET /healthz': 'healthz',
  'GET /readyz': 'readyz',
  'GET /openapi.json': 'openapi',
};

describe('observability stack, end to end (real Prometheus, Alertmanager and service)', () => {
  const procs: Proc[] = [];
  let dir: string;
  let app: Service;
  let logger: AlertLogger;
  let alertmanagerUrl: string;
  let prom: Prometheus;
  let instance: string;
  let modelDir: string;
  /** calls[method][outcome], counted from the responses this test received. */
  const calls: Record<string, Record<Outcome, number>> = {};

  async function call(method: 'GET' | 'POST', p: string, init: RequestInit = {}): Promise<number> {
    const res = await fetch(`${app.url}${p}`, { method, ...init });
    await res.arrayBuffer();
    const name = METHOD_OF[`${method} ${p}`];
    if (name) {
      const outcome: Outcome = res.status >= 500 ? 'server_error' : res.status >= 400 ? 'client_error' : 'success';
      calls[name] ??= { success: 0, client_error: 0, server_error: 0 };
      calls[name][outcome]++;
    }
    return res.status;
  }

  const classify = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    call('POST', '/classify', { headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  beforeAll(async () => {
    const missing = [['prometheus'], ['prometheus-alertmanager', 'alertmanager']]
      .filter((names) => !which(names))
      .map((names) => names.join(' (or ') + (names.length > 1 ? ')' : ''));
    if (missing.length > 0) {
      throw new Error(
        `the e2e test needs real ${missing.join(' and ')} on PATH: ` +
          'apt-get install -y --no-install-recommends prometheus prometheus-alertmanager',
      );
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moderator-e2e-'));

    logger = await startAlertLogger();
    procs.push(logger);
    const am = await startAlertmanager(dir, logger.port);
    procs.push(am);
    alertmanagerUrl = am.url;

    // The shipped app_conf.yml, with a tiny queue that a partial batch waits in for a second (so requests sent
    // while it is full are refused with 503 queue_full), a small body limit (413), and only the Prometheus reporter.
    const conf = parse(fs.readFileSync(path.join(ROOT, 'app_conf.yml'), 'utf8'));
    conf.server = { ...conf.server, host: '127.0.0.1' };
    // E2E_MODEL_DIR runs the same test against another model bundle (the default model, the first of `models`).
    modelDir = path.resolve(ROOT, process.env.E2E_MODEL_DIR ?? conf.models[0].path);
    conf.models[0].path = modelDir;
    conf.classifier.workers = 1;
    conf.classifier.batching = { ...conf.classifier.batching, max_queue: MAX_QUEUE, max_wait_us: 1_000_000 };
    conf.classifier.limits = { ...conf.classifier.limits, max_texts: MAX_QUEUE, max_body_bytes: MAX_BODY_BYTES };
    conf.metrics = { ...conf.metrics, reporters: ['prometheus'] };
    conf.logging = { level: 'info' };
    app = await startService(dir, conf);
    procs.push(app);
    instance = `127.0.0.1:${app.port}`;

    const rulesFile = path.join(dir, 'e2e-delivery.rules.yml');
    fs.writeFileSync(rulesFile, deliveryRules());
    prom = await startPrometheus(dir, {
      appAddress: instance,
      alertmanagerAddress: new URL(am.url).host,
      extraRuleFiles: [rulesFile],
    });
    procs.push(prom);

    // Real traffic, in two rounds: successes (repeats hit the cache), every kind of client error, and 503s.
    // Prometheus' rate() ignores the value a series has when it is first scraped, so the first round runs once
    // the target is up and the second once Prometheus has seen the first: the second round's requests then
    // show up in rates (for the SLO ratios, the shipped alerts and the dashboards) as real traffic would.
    await eventually('Prometheus to scrape the service', async () => {
      const r = await prom.query(`up{${JOB_SELECTOR}, instance="${instance}"}`);
      return r.length === 1 && r[0].value[1] === '1' ? true : undefined;
    });
    const texts = [
      'Thanks for the quick reply, see you tomorrow.',
      'You are a worthless idiot and everyone hates you.',
      'I will find you and hurt you.',
      'WIN A FREE PRIZE NOW!!! Click this link to claim your reward.',
      'The weather is lovely today.',
    ];
    const queueDepth = async () => {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      return Number(/^moderator_queue_depth(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1]);
    };
    const round = async () => {
      expect(await call('GET', '/readyz')).toBe(200);
      for (let i = 0; i < 3; i++) expect(await call('GET', '/healthz')).toBe(200);
      expect(await call('GET', '/openapi.json')).toBe(200);
      // A partial batch waits its second for company: single texts go MAX_QUEUE at a time, which the queue holds.
      const singles = [...texts, ...texts];
      for (let i = 0; i < singles.length; i += MAX_QUEUE) {
        for (const status of await Promise.all(singles.slice(i, i + MAX_QUEUE).map((text) => classify({ text })))) expect(status).toBe(200);
      }
      // A full queue: MAX_QUEUE texts wait their second; two requests that arrive meanwhile are refused at once.
      const filling = classify({ texts: texts.slice(0, MAX_QUEUE) });
      await eventually('the queue to fill', async () => ((await queueDepth()) === MAX_QUEUE ? true : undefined), 5_000, 20);
      for (let i = 0; i < 2; i++) expect(await classify({ text: 'queue me' })).toBe(503);
      expect(await filling).toBe(200);
      expect(await classify({ texts: 5 })).toBe(422);
      expect(await classify('{"text": ')).toBe(400);
      expect(await classify('text=hello', { 'content-type': 'text/plain' })).toBe(415);
      expect(await classify({ text: 'x'.repeat(MAX_BODY_BYTES + 100) })).toBe(413);
      expect(await call('GET', '/no-such-route')).toBe(404);
    };
    await round();
    const classifyCalls = () => Object.values(calls.classify).reduce((a, b) => a + b, 0);
    const firstRound = classifyCalls();
    await eventually('Prometheus to scrape the first round of traffic', async () => {
      const r = await prom.query(`sum(moderator_api_classify_calls_total{${JOB_SELECTOR}, instance="${instance}"})`);
      return r.length === 1 && Number(r[0].value[1]) === firstRound ? true : undefined;
    });
    await round();
  }, 120_000);

  afterAll(async () => {
    // Stop in reverse order; each stop waits for the process to exit (SIGKILL after 10 s).
    for (const p of procs.reverse()) await p.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** On failure, show what the processes said (the tail of each one's output) before rethrowing. */
  function withDiagnostics(fn: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`\ne2e diagnostics:\n${procs.map((p) => `--- ${p.name}\n${p.output().slice(-3000)}`).join('\n')}\n`);
        throw err;
      }
    };
  }

  it('1. scrapes the service and the method_names counters equal the calls made', withDiagnostics(async () => {
    await eventually('up == 1 for the service', async () => {
      const r = await prom.query(`up{${JOB_SELECTOR}, instance="${instance}"}`);
      return r.length === 1 && r[0].value[1] === '1' ? true : undefined;
    });
    const metrics = {
      classify: 'moderator_api_classify_calls_total',
      healthz: 'moderator_api_healthz_calls_total',
      readyz: 'moderator_api_readyz_calls_total',
      openapi: 'moderator_api_openapi_calls_total',
    } as const;
    expect(Object.keys(calls).sort()).toEqual(Object.keys(metrics).sort());
    const expected: Record<string, number> = {};
    for (const [method, byOutcome] of Object.entries(calls)) {
      for (const outcome of ['success', 'client_error', 'server_error'] as const) {
        expected[`${method} ${outcome}`] = byOutcome[outcome];
      }
    }
    expect(expected).toMatchObject({ 'classify success': 22, 'classify client_error': 8, 'classify server_error': 4 });
    let seen: Record<string, number> = {};
    try {
      await eventually('the method_names counters to equal the calls made', async () => {
        seen = {};
        for (const [method, metric] of Object.entries(metrics)) {
          for (const s of await prom.query(`${metric}{${JOB_SELECTOR}, instance="${instance}"}`)) {
            expect(s.metric.method).toBe(method);
            seen[`${method} ${s.metric.outcome}`] = Number(s.value[1]);
          }
        }
        const matches = Object.entries(expected).every(([k, v]) => (seen[k] ?? 0) === v) &&
          Object.entries(seen).every(([k, v]) => (expected[k] ?? 0) === v);
        return matches ? true : undefined;
      }, 20_000);
    } catch (err) {
      expect({ seen }).toEqual({ seen: expected });
      throw err;
    }
  }), 60_000);

  it('2. answers every query of every dashboard panel and every template variable with data', withDiagnostics(async () => {
    const vars = { job: JOB, instance, rateInterval: '15s', range: '5m' };
    const queries: Array<{ where: string; expr: string }> = [];
    const variableQueries: Array<{ where: string; label: string; match: string }> = [];
    for (const { file, json } of loadDashboards()) {
      for (const p of panelsOf(json)) {
        for (const t of p.targets ?? []) {
          queries.push({ where: `${file} / ${p.title} / ${t.refId}`, expr: substituteVariables(t.expr!, vars) });
        }
      }
      for (const v of json.templating.list.filter((x) => x.type === 'query')) {
        const m = /^label_values\((.+), *([a-zA-Z_]+)\)$/.exec(String(v.query));
        if (!m) throw new Error(`${file}: variable ${v.name} is not label_values(...): ${String(v.query)}`);
        variableQueries.push({ where: `${file} / $${v.name}`, match: substituteVariables(m[1], vars), label: m[2] });
      }
    }
    expect(queries.length).toBeGreaterThan(40);
    // What each variable must offer: this job, this instance, and the model the service runs.
    const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as { name: string; version: string };
    const expectedValue: Record<string, string> = { job: JOB, instance, model_name: manifest.name, model_version: manifest.version };

    const empty = new Map<string, string>();
    await eventually('every dashboard query to return data', async () => {
      empty.clear();
      for (const q of queries) {
        const result = await prom.query(q.expr).catch((err: Error) => {
          empty.set(q.where, `error: ${err.message}`);
          return [];
        });
        if (result.length === 0 && !empty.has(q.where)) empty.set(q.where, `no series: ${q.expr}`);
      }
      for (const v of variableQueries) {
        const values = await prom.labelValues(v.label, v.match);
        if (!values.includes(expectedValue[v.label])) empty.set(v.where, `values ${JSON.stringify(values)}`);
      }
      return empty.size === 0 ? true : undefined;
    }, 30_000, 500).catch(() => undefined);
    expect(Object.fromEntries(empty)).toEqual({});
  }), 60_000);

  it('3. evaluates the shipped rules on the real metrics: the 503s make the burn-rate and queue alerts pending', withDiagnostics(async () => {
    // 2 of every 17 POST /classify answers were 503 (queue_full): far above every burn-rate threshold, but the
    // shipped alerts have `for` durations of minutes, so they are pending, not firing, during this test.
    const pending = await eventually('the shipped alerts to go pending', async () => {
      const alerts = (await prom.alerts()).filter((a) => a.state === 'pending');
      const burn = alerts.filter((a) => a.labels.alertname === 'ModeratorAvailabilityBudgetBurn');
      const queue = alerts.filter((a) => a.labels.alertname === 'ModeratorInferenceQueueSaturated');
      return burn.length === 4 && queue.length === 1 ? { burn, queue } : undefined;
    }, 30_000, 500);
    expect(pending.burn.map((a) => `${a.labels.severity} ${a.labels.long_window}/${a.labels.short_window}`).sort()).toEqual(
      ['critical 1h/5m', 'critical 6h/30m', 'warning 1d/2h', 'warning 3d/6h'],
    );
    for (const a of pending.burn) expect(a.labels).toMatchObject({ job: JOB, slo: 'availability' });
    expect(pending.queue[0].labels).toMatchObject({ severity: 'critical', job: JOB, instance });
    const [ratio] = await prom.query(`job:slo_availability_bad_requests:ratio_rate5m{${JOB_SELECTOR}}`);
    expect(Number(ratio.value[1])).toBeGreaterThan(14.4 * (1 - 0.999));
    expect(Number(ratio.value[1])).toBeLessThan(0.5);
  }), 60_000);

  it('4. fires an alert to the subscribed receiver by severity, inhibits, and resolves it', withDiagnostics(async () => {
    const firing = (n: Notification, p: string, alertname: string, severity: string) =>
      n.path === p &&
      n.alerts.some((a) => a.status === 'firing' && a.labels.alertname === alertname && a.labels.severity === severity);

    // Start from quiet: the client errors sent in beforeAll have aged out of the rule's window, and every receiver
    // that was told about the alerts they fired has been told they resolved (else Alertmanager would see the new
    // alerts as already notified).
    const lastStatus = (alertname: string, severity: string) =>
      logger
        .notifications()
        .flatMap((n) => n.alerts)
        .filter((a) => a.labels.alertname === alertname && a.labels.severity === severity)
        .at(-1)?.status;
    await eventually('the test alerts from the setup traffic to clear', async () => {
      const active = (await prom.alerts()).filter((a) => a.labels.alertname.startsWith(ALERT));
      const delivered = [lastStatus(ALERT, 'critical'), lastStatus(`${ALERT}Ticket`, 'warning')];
      return active.length === 0 && delivered.every((st) => st !== 'firing') ? true : undefined;
    }, 60_000, 500);
    const since = logger.notifications().length;
    const after = () => logger.notifications().slice(since);

    for (let i = 0; i < 3; i++) expect(await classify({ texts: 'not an array' })).toBe(422);

    // Alertmanager holds the alerts: routed by severity, the same-name warning inhibited by the critical.
    const amAlerts = await eventually('Alertmanager to route the test alerts', async () => {
      const res = await fetch(`${alertmanagerUrl}/api/v2/alerts?filter=${encodeURIComponent(`alertname=~"${ALERT}.*"`)}`);
      const list = (await res.json()) as Array<{
        labels: Record<string, string>;
        receivers: Array<{ name: string }>;
        status: { state: string; inhibitedBy: string[] };
      }>;
      return list.length === 4 ? list : undefined;
    }, 30_000);
    const find = (alertname: string, severity: string) =>
      amAlerts.find((a) => a.labels.alertname === alertname && a.labels.severity === severity)!;
    expect(find(ALERT, 'critical')).toMatchObject({ receivers: [{ name: 'page' }], status: { state: 'active' } });
    expect(find(ALERT, 'warning').receivers).toEqual([{ name: 'ticket' }]);
    await eventually('the warning to be inhibited by the critical', async () => {
      const res = await fetch(`${alertmanagerUrl}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${ALERT}"`)}&filter=severity%3D%22warning%22`);
      const [a] = (await res.json()) as Array<{ status: { state: string; inhibitedBy: string[] } }>;
      return a?.status.state === 'suppressed' && a.status.inhibitedBy.length > 0 ? true : undefined;
    }, 15_000);
    expect(find(`${ALERT}Ticket`, 'warning').receivers).toEqual([{ name: 'ticket' }]);
    expect(find(`${ALERT}Info`, 'info').receivers).toEqual([{ name: 'null' }]);

    // The page receiver gets the critical with everything on-call needs.
    const page = await eventually('the critical alert at the page receiver', () =>
      after().find((n) => firing(n, '/page', ALERT, 'critical')), 30_000);
    expect(page.receiver).toBe('page');
    const alert = page.alerts.find((a) => a.labels.alertname === ALERT)!;
    expect(alert.labels).toMatchObject({ alertname: ALERT, severity: 'critical', job: JOB });
    expect(alert.annotations.summary).toBe('POST /classify answered client errors (critical test alert).');
    expect(alert.annotations.description).toMatch(/client errors in the last 15 s on job content-moderator/);
    expect(alert.annotations.runbook_url).toBe(runbookUrl('Testing alert delivery'));
    const ticket = await eventually('the warning alert at the ticket receiver', () =>
      after().find((n) => firing(n, '/ticket', `${ALERT}Ticket`, 'warning')), 30_000);
    expect(ticket.receiver).toBe('ticket');

    // No more errors: the condition clears and the receiver is told.
    const resolved = await eventually('the critical alert to be resolved at the page receiver', () =>
      after().find((n) => n.path === '/page' && n.status === 'resolved' &&
        n.alerts.some((a) => a.labels.alertname === ALERT && a.status === 'resolved')), 60_000, 500);
    expect(resolved.alerts[0].labels.severity).toBe('critical');

    // Whatever was delivered in the meantime: info went nowhere, the inhibited warning never reached a receiver.
    const all = logger.notifications();
    expect(all.filter((n) => n.alerts.some((a) => a.labels.alertname === `${ALERT}Info`))).toEqual([]);
    expect(all.filter((n) => n.alerts.some((a) => a.labels.alertname === ALERT && a.labels.severity === 'warning'))).toEqual([]);
  }), 150_000);

});
