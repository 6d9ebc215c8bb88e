import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The service version from package.json, found by walking up from this file (src/ or dist/src/). */
export function serviceVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'content-moderator' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}
