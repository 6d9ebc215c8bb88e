/**
 * docker-compose.yml, monitoring/ and alerts/alertmanager.yml agree with each other: the files compose mounts
 * exist, service names and ports match the addresses in the configs, images are pinned, every service has a
 * healthcheck, data lives in named volumes. (`docker compose config` validation runs in alerts/check.sh.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../support/observability';

const read = (p: string) => parse(fs.readFileSync(path.join(ROOT, p), 'utf8'));
const compose = read('docker-compose.yml');
const services = compose.services as Record<string, any>;
const prometheus = read('monitoring/prometheus.yml');
const alertmanager = read('alerts/alertmanager.yml');
const datasources = read('monitoring/grafana/provisioning/datasources/datasources.yml');
const providers = read('monitoring/grafana/provisioning/dashboards/dashboards.yml');

function mounts(service: string): Array<{ source: string; target: string }> {
  return (services[service].volumes as string[]).map((v) => {
    const [source, target] = v.split(':');
    return { source, target };
  });
}

function mountTarget(service: string, source: string): string {
  const m = mounts(service).find((x) => x.source === source);
  if (!m) throw new Error(`${service} does not mount ${source}`);
  return m.target;
}

describe('docker-compose.yml', () => {
  it('runs the app, Prometheus, Alertmanager, Grafana and the default alert receiver', () => {
    expect(Object.keys(services).sort()).toEqual(['alert-logger', 'alertmanager', 'app', 'grafana', 'prometheus']);
  });

  it('builds the app from the Dockerfile and exposes 8000', () => {
    expect(services.app.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(fs.existsSync(path.join(ROOT, 'Dockerfile'))).toBe(true);
    expect(services.app.ports).toContain('8000:8000');
  });

  it.each(Object.keys(services))('%s: pinned image, healthcheck', (name) => {
    const s = services[name];
    if (!s.build) expect(s.image).toMatch(/^[a-z0-9./-]+:v?\d+\.\d+\.\d+[a-z0-9.-]*$/);
    expect(s.healthcheck?.test?.length).toBeGreaterThan(1);
    expect(s.healthcheck.interval).toBeDefined();
  });

  it('lets the app drain before Docker kills it, and reads app_conf.yml from the repository', () => {
    const conf = read('app_conf.yml') as { server: { shutdown_timeout_seconds: number } };
    expect(Number(/^(\d+)s$/.exec(String(services.app.stop_grace_period))?.[1])).toBeGreaterThan(conf.server.shutdown_timeout_seconds);
    expect(mountTarget('app', './app_conf.yml')).toBe('/app/app_conf.yml');
  });

  it('builds the image without install scripts and on a pinned Node', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const installs = dockerfile.match(/npm ci[^\n]*/g) ?? [];
    expect(installs.length).toBe(2);
    for (const line of installs) expect(line).toContain('--ignore-scripts');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:\d+\.\d+\.\d+-/m);
  });

  it('keeps data in named volumes', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['alertmanager-data', 'grafana-data', 'prometheus-data']);
    expect(mountTarget('prometheus', 'prometheus-data')).toBe('/prometheus');
    expect(mountTarget('alertmanager', 'alertmanager-data')).toBe('/alertmanager');
    expect(mountTarget('grafana', 'grafana-data')).toBe('/var/lib/grafana');
  });

  it('mounts only files that exist in the repository', () => {
    for (const name of Object.keys(services)) {
      for (const m of services[name].volumes ?? []) {
        const source = String(m).split(':')[0];
        if (source.startsWith('./')) expect([name, fs.existsSync(path.join(ROOT, source))]).toEqual([name, true]);
      }
    }
  });
});

describe('Prometheus in compose', () => {
  const configTarget = mountTarget('prometheus', './monitoring/prometheus.yml');
  const rulesTarget = mountTarget('prometheus', './alerts/rules');

  it('runs with monitoring/prometheus.yml, whose relative rule_files path finds alerts/rules in the container', () => {
    expect(services.prometheus.command).toContain(`--config.file=${configTarget}`);
    for (const pattern of prometheus.rule_files as string[]) {
      const inContainer = path.posix.join(path.posix.dirname(configTarget), pattern);
      expect(path.posix.dirname(inContainer)).toBe(rulesTarget);
      const inRepo = path.join(ROOT, 'monitoring', pattern);
      expect(path.dirname(inRepo)).toBe(path.join(ROOT, 'alerts', 'rules'));
    }
  });

  it('keeps a little more than the 30-day SLO window', () => {
    const retention = (services.prometheus.command as string[]).find((c) => c.startsWith('--storage.tsdb.retention.time='));
    expect(parseInt(retention!.split('=')[1], 10)).toBeGreaterThanOrEqual(31);
  });

  it('scrapes the app service as job content-moderator and alerts the alertmanager service', () => {
    const job = prometheus.scrape_configs.find((s: { job_name: string }) => s.job_name === 'content-moderator');
    expect(job.static_configs[0].targets).toEqual(['app:8000']);
    expect(job.metrics_path).toBe('/metrics');
    expect(prometheus.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    expect(services.alertmanager.ports).toContain('9093:9093');
  });
});

describe('Alertmanager in compose', () => {
  it('runs with alerts/alertmanager.yml', () => {
    const target = mountTarget('alertmanager', './alerts/alertmanager.yml');
    expect(services.alertmanager.command).toContain(`--config.file=${target}`);
  });

  it('sends webhooks to the alert-logger service on its port', () => {
    const urls = (alertmanager.receivers as Array<{ webhook_configs?: Array<{ url: string }> }>).flatMap((r) =>
      (r.webhook_configs ?? []).map((w) => new URL(w.url)),
    );
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) {
      expect(u.hostname).toBe('alert-logger');
      expect(u.port).toBe(services['alert-logger'].environment.PORT);
    }
    expect(mountTarget('alert-logger', './monitoring/alert-logger.mjs')).toBe(services['alert-logger'].command[1]);
  });
});

describe('Grafana in compose', () => {
  it('is provisioned with Prometheus (default) and Alertmanager datasources at their compose addresses', () => {
    expect(mountTarget('grafana', './monitoring/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const byType = Object.fromEntries(datasources.datasources.map((d: { type: string }) => [d.type, d]));
    expect(byType.prometheus).toMatchObject({ url: 'http://prometheus:9090', isDefault: true });
    expect(byType.alertmanager).toMatchObject({ url: 'http://alertmanager:9093', jsonData: { implementation: 'prometheus' } });
    expect(byType.prometheus.jsonData.timeInterval).toBe(prometheus.global.scrape_interval);
  });

  it('loads the generated dashboards from files', () => {
    const target = mountTarget('grafana', './dashboards/json');
    expect(providers.providers).toHaveLength(1);
    expect(providers.providers[0]).toMatchObject({ type: 'file', options: { path: target } });
    const home = services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH as string;
    expect(home.startsWith(`${target}/`)).toBe(true);
    expect(fs.existsSync(path.join(ROOT, 'dashboards', 'json', path.posix.basename(home)))).toBe(true);
  });

  it('has optional anonymous viewer access, off by default', () => {
    expect(services.grafana.environment.GF_AUTH_ANONYMOUS_ENABLED).toBe('${GRAFANA_ANONYMOUS:-false}');
    expect(services.grafana.environment.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
  });
});
