/**
 * The prometheus-adapter rule's queries, evaluated by the real Prometheus engine (`promtool test rules`): the series
 * query finds the service's pods (and only pods of this job), and the metrics query, filled in as the adapter does
 * for `kubectl get --raw .../pods/*\/moderator_queue_depth`, gives each pod its queue depth averaged over the window,
 * summed over the models it serves.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { DEPLOY, useTempDir } from './support';

interface Rule {
  seriesQuery: string;
  name: { as: string };
  metricsQuery: string;
}

const rule = (parse(readFileSync(path.join(DEPLOY, 'prometheus-adapter', 'config.yaml'), 'utf8')) as { rules: Rule[] }).rules[0];
const metric = /^([a-z_:][a-z0-9_:]*)\{/.exec(rule.seriesQuery)![1];

/** The metrics query as the adapter sends it for the pods of one namespace. */
function filled(namespace: string, pods: string[]): string {
  return rule.metricsQuery
    .replace('<<.Series>>', metric)
    .replace('<<.LabelMatchers>>', `namespace="${namespace}",pod=~"${pods.join('|')}"`)
    .replace('<<.GroupBy>>', 'pod');
}

const series = (labels: string, values: string) => ({
  series: `${metric}{job="content-moderator", ${labels}, model_name="moderator-fasttext", model_version="1.2.0"}`,
  values,
});

describe('the prometheus-adapter rule on the real Prometheus engine', () => {
  const dir = useTempDir('moderator-adapter-');

  it('averages each pod\'s queue depth over the window, across the models it serves, within one namespace', () => {
    const test = {
      rule_files: [],
      evaluation_interval: '15s',
      tests: [
        {
          name: 'adapter queries',
          interval: '15s',
          input_series: [
            series('namespace="content-moderator", pod="content-moderator-a"', '0x20'),
            series('namespace="content-moderator", pod="content-moderator-b"', '200x20'),
            series('namespace="content-moderator", pod="content-moderator-c"', '10x20'),
            {
              series: `${metric}{job="content-moderator", namespace="content-moderator", pod="content-moderator-c", model_name="toxic-bert", model_version="1"}`,
              values: '30x20',
            },
            series('namespace="content-moderator-dev", pod="content-moderator-a"', '500x20'),
            // Outside Kubernetes (compose): no namespace or pod label, not a pod's metric.
            series('instance="app:8000"', '900x20'),
            { series: `${metric}{job="another-service", namespace="content-moderator", pod="other-x"}`, values: '700x20' },
          ],
          promql_expr_test: [
            {
              expr: `count by (namespace, pod) (${rule.seriesQuery})`,
              eval_time: '4m',
              exp_samples: [
                { labels: '{namespace="content-moderator", pod="content-moderator-a"}', value: 1 },
                { labels: '{namespace="content-moderator", pod="content-moderator-b"}', value: 1 },
                { labels: '{namespace="content-moderator", pod="content-moderator-c"}', value: 2 },
                { labels: '{namespace="content-moderator-dev", pod="content-moderator-a"}', value: 1 },
              ],
            },
            {
              expr: filled('content-moderator', ['content-moderator-a', 'content-moderator-b', 'content-moderator-c']),
              eval_time: '4m',
              exp_samples: [
                { labels: '{pod="content-moderator-a"}', value: 0 },
                { labels: '{pod="content-moderator-b"}', value: 200 },
                { labels: '{pod="content-moderator-c"}', value: 40 },
              ],
            },
          ],
        },
      ],
    };
    const file = path.join(dir(), 'adapter.test.yml');
    writeFileSync(file, stringify(test));
    let out: string;
    try {
      out = execFileSync('promtool', ['test', 'rules', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
      if (e.code === 'ENOENT') throw new Error('promtool not found: apt-get install -y --no-install-recommends prometheus');
      throw new Error(`promtool: ${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
    expect(out).toContain('SUCCESS');
  });
});
