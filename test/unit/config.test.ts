import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load';
import { DEFAULT_MODEL, ROOT } from '../support/harness';
import { DISTILBERT } from '../transformer/support';

function withConfig(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conf-'));
  const file = path.join(dir, 'app_conf.yml');
  writeFileSync(file, yaml);
  return () => loadConfig({ APP_CONF: file, ...env }, dir);
}

const minimal = `classifier:\n  model_path: ${DEFAULT_MODEL}\n`;

describe('app_conf.yml validation', () => {
  it('loads the shipped app_conf.yml with 4 s console interval and both reporters', () => {
    const { config, modelDir } = loadConfig({}, ROOT);
    expect(config.metrics.interval_seconds).toBe(4);
    expect(config.metrics.reporters).toEqual(['console', 'prometheus']);
    expect(config.server.port).toBe(8000);
    expect(modelDir).toBe(DEFAULT_MODEL);
  });

  it('fills defaults for a minimal file', () => {
    const { config } = withConfig(minimal)();
    expect(config.classifier.limits).toEqual({ max_text_chars: 10000, max_texts: 256, max_body_bytes: 1048576, max_normalized_chars: 20000 });
    expect(config.server).toMatchObject({
      shutdown_delay_seconds: 5,
      headers_timeout_seconds: 10,
      request_timeout_seconds: 30,
      body_idle_timeout_seconds: 10,
      keep_alive_timeout_seconds: 65,
      max_connections: 1024,
      listen_backlog: 1024,
      max_headers: 100,
      max_header_bytes: 16384,
      admission: { max_in_flight_requests: 512, max_event_loop_delay_ms: 0 },
    });
    expect(config.metrics.prometheus).toEqual({ path: '/metrics', port: null });
    expect({ workers: config.classifier.workers, threads: config.classifier.threads_per_worker }).toEqual({ workers: 0, threads: 1 });
  });

  it.each([
    ['an unknown top-level key', `${minimal}bogus: 1\n`, "unknown key 'bogus'"],
    ['an unknown nested key', `${minimal}metrics:\n  intervall_seconds: 4\n`, "unknown key 'metrics.intervall_seconds'"],
    ['a wrong type', `${minimal}server:\n  port: "eighty"\n`, "'server.port'"],
    ['an unknown reporter', `${minimal}metrics:\n  reporters: [console, statsd]\n`, "'metrics.reporters.1'"],
    ['a negative limit', `classifier:\n  model_path: ${DEFAULT_MODEL}\n  limits:\n    max_texts: -1\n`, "'classifier.limits.max_texts'"],
    ['no onnxruntime thread', `classifier:\n  model_path: ${DEFAULT_MODEL}\n  threads_per_worker: 0\n`, "'classifier.threads_per_worker'"],
    ['a fractional thread count', `classifier:\n  model_path: ${DEFAULT_MODEL}\n  threads_per_worker: 1.5\n`, "'classifier.threads_per_worker'"],
    ['more than one onnxruntime thread (its sums race)', `classifier:\n  model_path: ${DEFAULT_MODEL}\n  threads_per_worker: 2\n`, "'classifier.threads_per_worker': must be 1"],
    ['no model at all', `classifier: {}\n`, "'models': no model: list the models to serve (or give classifier.model_path)"],
    ['an inference timeout a timer cannot hold', `classifier:\n  model_path: ${DEFAULT_MODEL}\n  inference_timeout_ms: 3000000000\n`, "'classifier.inference_timeout_ms'"],
    ['an endless shutdown', `${minimal}server:\n  shutdown_timeout_seconds: 86400\n`, "'server.shutdown_timeout_seconds'"],
    ['a negative shutdown delay', `${minimal}server:\n  shutdown_delay_seconds: -1\n`, "'server.shutdown_delay_seconds'"],
    ['a zero headers timeout', `${minimal}server:\n  headers_timeout_seconds: 0\n`, "'server.headers_timeout_seconds'"],
    [
      'a headers timeout longer than the request timeout',
      `${minimal}server:\n  headers_timeout_seconds: 40\n  request_timeout_seconds: 30\n`,
      "'server.headers_timeout_seconds': must be at most server.request_timeout_seconds (30)",
    ],
    ['an unknown admission key', `${minimal}server:\n  admission:\n    max_inflight: 3\n`, "unknown key 'server.admission.max_inflight'"],
    ['a header limit under 1 KiB', `${minimal}server:\n  max_header_bytes: 100\n`, "'server.max_header_bytes'"],
    [
      'a queue smaller than the largest request',
      `classifier:\n  model_path: ${DEFAULT_MODEL}\n  batching:\n    max_queue: 4\n`,
      "'classifier.batching.max_queue': must be at least classifier.limits.max_texts (256)",
    ],
    ['a missing model folder', `classifier:\n  model_path: /nonexistent/model\n`, "'classifier.model_path': model folder not found"],
    ['invalid YAML', `classifier: [\n`, 'invalid YAML'],
  ])('rejects %s, naming the key', (_what, yaml, expected) => {
    const load = withConfig(yaml);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(expected);
  });

  it('derives max_normalized_chars from max_text_chars unless it is set', () => {
    const limits = (yaml: string) => withConfig(`classifier:\n  model_path: ${DEFAULT_MODEL}\n  limits:\n${yaml}`)().config.classifier.limits;
    expect(limits('    max_text_chars: 500\n').max_normalized_chars).toBe(1000);
    expect(limits('    max_text_chars: 500\n    max_normalized_chars: 600\n').max_normalized_chars).toBe(600);
  });

  it('names a missing config file', () => {
    expect(() => loadConfig({ APP_CONF: '/nonexistent/conf.yml' }, ROOT)).toThrow(/conf\.yml: cannot read \(ENOENT\)/);
  });

  it('lets PORT override server.port and rejects a bad PORT', () => {
    expect(withConfig(minimal, { PORT: '9123' })().config.server.port).toBe(9123);
    expect(withConfig(minimal, { PORT: 'abc' })).toThrow("env PORT='abc'");
  });

  it('resolves a relative model_path against the config file folder', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conf-'));
    const file = path.join(dir, 'c.yml');
    writeFileSync(file, `classifier:\n  model_path: ${path.relative(dir, DEFAULT_MODEL)}\n`);
    expect(loadConfig({ APP_CONF: file }, '/').modelDir).toBe(DEFAULT_MODEL);
  });
});

describe('the models list', () => {
  const two = `models:\n  - kind: fasttext\n    path: ${DEFAULT_MODEL}\n  - kind: hf-transformer\n    name: distil\n    path: ${DISTILBERT}\n    threads: 2\n    batching: {max_batch_tokens: 4096}\n`;

  it('lists each model with its kind, folder and where in the file it is; the first is the default', () => {
    const { config, models, modelDir } = withConfig(two)();
    expect(models.map((m) => ({ kind: m.kind, dir: m.dir, key: m.key, pathKey: m.pathKey }))).toEqual([
      { kind: 'fasttext', dir: DEFAULT_MODEL, key: 'models.0', pathKey: 'models.0.path' },
      { kind: 'hf-transformer', dir: DISTILBERT, key: 'models.1', pathKey: 'models.1.path' },
    ]);
    expect(modelDir).toBe(DEFAULT_MODEL);
    expect(config.models[1]).toMatchObject({ name: 'distil', threads: 2, long_texts: 'window', benign_labels: [], thresholds: {}, batching: { max_batch_tokens: 4096 } });
  });

  it('reads a config from before the list (classifier.model_path) as a list of that one model', () => {
    const { models } = withConfig(`classifier:\n  model_path: ${DEFAULT_MODEL}\n  thresholds: {toxic: 0.7}\n`)();
    expect(models).toEqual([
      { kind: 'fasttext', path: DEFAULT_MODEL, dir: DEFAULT_MODEL, thresholds: { toxic: 0.7 }, key: 'classifier', pathKey: 'classifier.model_path' },
    ]);
  });

  it.each([
    [
      'both the list and classifier.model_path, saying how to migrate',
      `classifier:\n  model_path: models/default\n  thresholds: {toxic: 0.7}\n${two}`,
      `'classifier.model_path': with 'models' the models are listed there: move it into 'models' as its first entry ({kind: fasttext, path: models/default, thresholds: {"toxic":0.7}}) and delete classifier.model_path and classifier.thresholds`,
    ],
    ['classifier.thresholds beside the list', `classifier:\n  thresholds: {toxic: 0.7}\n${two}`, "'classifier.thresholds': with 'models', thresholds are per model"],
    ['an unknown kind', `models:\n  - kind: pytorch\n    path: ${DEFAULT_MODEL}\n`, "'models.0.kind': Invalid discriminator value. Expected 'fasttext' | 'hf-transformer'"],
    ['an empty list', `models: []\n`, "'models'"],
    ['more threads for the embedded model', `models:\n  - kind: fasttext\n    path: ${DEFAULT_MODEL}\n    threads: 2\n`, "'models.0.threads': must be 1"],
    ['a transformer key on the embedded model', `models:\n  - kind: fasttext\n    path: ${DEFAULT_MODEL}\n    max_length: 64\n`, "unknown key 'models.0.max_length'"],
    ['a model name that cannot be a metric label value or URL part', `models:\n  - kind: fasttext\n    name: my model\n    path: ${DEFAULT_MODEL}\n`, "'models.0.name'"],
    ['an unknown OpenAI category', `models:\n  - kind: fasttext\n    path: ${DEFAULT_MODEL}\n    categories: {harrassment: [toxic]}\n`, "unknown key 'models.0.categories.harrassment'"],
    [
      "a model's queue smaller than the largest request",
      `models:\n  - kind: fasttext\n    path: ${DEFAULT_MODEL}\n    batching: {max_queue: 8}\n`,
      "'models.0.batching.max_queue': must be at least classifier.limits.max_texts (256)",
    ],
    ['a missing model folder', `models:\n  - kind: fasttext\n    path: ${DEFAULT_MODEL}\n  - kind: hf-transformer\n    path: /nonexistent/bert\n`, "'models.1.path': model folder not found: /nonexistent/bert"],
    ['a transformer folder without its tokenizer', `models:\n  - kind: hf-transformer\n    path: ${DEFAULT_MODEL}\n`, `'models.0.path': no config.json in ${DEFAULT_MODEL} (a hf-transformer model needs config.json and tokenizer.json)`],
  ])('rejects %s', (_what, yaml, expected) => {
    const load = withConfig(yaml);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(expected);
  });
});
