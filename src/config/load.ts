import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type AppConfig } from './schema';

/** A config problem, already phrased as the one line an operator needs (it names the key or file). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadedConfig {
  config: AppConfig;
  /** The file the config came from (absolute). */
  file: string;
  /** The model bundle folder, resolved against the config file's folder. */
  modelDir: string;
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

/** Checks the bundle folder exists and holds the files serving needs, naming what is missing. */
function checkModelDir(modelDir: string, file: string): void {
  if (!existsSync(modelDir) || !statSync(modelDir).isDirectory()) {
    throw new ConfigError(`${file}: 'classifier.model_path': model folder not found: ${modelDir}`);
  }
  const manifest = path.join(modelDir, 'model.json');
  if (!existsSync(manifest)) {
    throw new ConfigError(`${file}: 'classifier.model_path': no model.json in ${modelDir}`);
  }
}

/**
 * Reads the config file named by APP_CONF (default ./app_conf.yml), validates it against the one
 * schema, applies env overrides (PORT) and checks the model folder exists.
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
  const config = applyEnv(parseConfig(raw, file), env, file);
  const modelDir = path.resolve(path.dirname(file), config.classifier.model_path);
  checkModelDir(modelDir, file);
  return { config, file, modelDir };
}
