import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/harness';

/**
 * The committed tsoa output (src/generated) must be exactly what `npm run generate` makes from the
 * controllers. Regenerate beside it (same depth, so relative imports match) and compare.
 */
describe('generated routes and OpenAPI spec', () => {
  const checkDir = path.join(ROOT, 'src/.generated-check');
  const configFile = path.join(checkDir, 'tsoa.json');
  afterAll(() => rmSync(checkDir, { recursive: true, force: true }));

  it('match what tsoa generates from the controllers', () => {
    mkdirSync(checkDir, { recursive: true });
    const config = JSON.parse(readFileSync(path.join(ROOT, 'tsoa.json'), 'utf8'));
    config.spec.outputDirectory = 'src/.generated-check';
    config.routes.routesDir = 'src/.generated-check';
    writeFileSync(configFile, JSON.stringify(config));
    const run = spawnSync(process.execPath, [require.resolve('tsoa/dist/cli.js'), 'spec-and-routes', '-c', configFile], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const file of ['openapi.json', 'routes.ts']) {
      const fresh = readFileSync(path.join(checkDir, file), 'utf8');
      const committed = readFileSync(path.join(ROOT, 'src/generated', file), 'utf8');
      if (fresh !== committed) throw new Error(`src/generated/${file} is stale: run npm run generate and commit the result`);
    }
  }, 60_000);
});
