import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type AppConfig, type ModelConfig } from './schema';

/** A config problem, already phrased as the one line an operator needs (it names the key or file). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A model of the config with its folder resolved against the config file's folder. */
export type ModelSource = ModelConfig & { dir: string };

export interface LoadedConfig {
  config: AppConfig;
  /** The file the config came from (absolute). */
  file: string;
  /** The default (first) model's folder, resolved against the config file's folder. */
  modelDir: string;
  /** Every model to serve, the default first. */
  models: ModelSource[];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = key ? `${key}.` : '';
    return `unknown key ${issue.keys.map((k) => `'${where}${k}'`).join(', ')}`;
  }
  return `'${key || '(root)'}': ${issue.message}`;
}

/** Validates an already-parsed object; throws ConfigError naming the first bad key. */
export function parseConfig(raw: unknown, source = 'config'): AppConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const first = result.error.issues[0];
    throw new ConfigError(`${source}: ${first ? describeIssue(first) : 'invalid'}`);
  }
  return result.data;
}

function applyEnv(config: AppConfig, env: NodeJS.ProcessEnv, source: string): AppConfig {
  if (env.PORT === undefined || env.PORT === '') return config;
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${source}: env PORT='${env.PORT}' is not a port number (0-65535)`);
  }
  return { ...config, server: { ...config.server, port } };
}

/** The files a model folder of each kind must hold (the ONNX file is looked for when the model loads). */
const REQUIRED_FILES: Record<ModelConfig['kind'], string[]> = {
  fasttext: ['model.json'],
  'hf-transformer': ['config.json', 'tokenizer.json'],
};

/** Checks the model folder exists and holds the files serving needs, naming what is missing. */
function checkModelDir(model: ModelSource, file: string): void {
  if (!existsSync(model.dir) || !statSync(model.dir).isDirectory()) {
    throw new ConfigError(`${file}: '${model.pathKey}': model folder not found: ${model.dir}`);
  }
  for (const name of REQUIRED_FILES[model.kind]) {
    if (!existsSync(path.join(model.dir, name))) {
      throw new ConfigError(`${file}: '${model.pathKey}': no ${name} in ${model.dir} (a ${model.kind} model needs ${REQUIRED_FILES[model.kind].join(' and ')})`);
    }
  }
}

/** The config as loaded: every model's folder resolved against the config file's folder, and checked. */
export function resolveModels(config: AppConfig, file: string): LoadedConfig {
  const models = config.models.map((model) => ({ ...model, dir: path.resolve(path.dirname(file), model.path) }));
  for (const model of models) checkModelDir(model, file);
  return { config, file, modelDir: models[0]!.dir, models };
}

/**
 * Reads the config file named by APP_CONF (default ./app_conf.yml), validates it against the one
 * schema, applies env overrides (PORT) and checks every model folder exists.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const file = path.resolve(cwd, env.APP_CONF || 'app_conf.yml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`config file ${file}: cannot read (${code})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    const firstLine = (err as Error).message.split('\n')[0];
    throw new ConfigError(`config file ${file}: invalid YAML: ${firstLine}`);
  }
  return resolveModels(applyEnv(parseConfig(raw, file), env, file), file);
}
