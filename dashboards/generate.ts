/**
 * Writes dashboards/json/*.json from the TypeScript sources in dashboards/src.
 *   npm run dashboards           regenerate
 *   npm run dashboards:check     exit 1 if a committed file differs from the generated one (CI)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderDashboards } from './src/index';

const outDir = path.join(__dirname, 'json');
const check = process.argv.includes('--check');

let drift = 0;
const expected = renderDashboards();
for (const [file, text] of Object.entries(expected)) {
  const target = path.join(outDir, file);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
  if (current === text) continue;
  if (check) {
    console.error(`drift: dashboards/json/${file} differs from the generator's output (run: npm run dashboards)`);
    drift++;
  } else {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(target, text);
    console.log(`wrote dashboards/json/${file}`);
  }
}
for (const file of fs.existsSync(outDir) ? fs.readdirSync(outDir) : []) {
  if (file.endsWith('.json') && !(file in expected)) {
    console.error(`dashboards/json/${file} is not produced by the generator: remove it or add it to dashboards/src/index.ts`);
    drift++;
  }
}
if (drift > 0) process.exit(1);
if (check) console.log(`dashboards/json: ${Object.keys(expected).length} dashboards match the generator`);
