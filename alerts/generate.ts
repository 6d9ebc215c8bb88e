/**
 * Writes alerts/rules/*.yml from alerts/src (objectives and thresholds live in alerts/src/config.ts).
 *   npx tsx alerts/generate.ts           regenerate
 *   npx tsx alerts/generate.ts --check   exit 1 if a committed file differs from the generated one
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderRuleFiles } from './src/render';

const outDir = path.join(__dirname, 'rules');
const check = process.argv.includes('--check');

let drift = 0;
const expected = renderRuleFiles();
for (const [file, text] of Object.entries(expected)) {
  const target = path.join(outDir, file);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
  if (current === text) continue;
  if (check) {
    console.error(`drift: alerts/rules/${file} differs from the generator's output (run: npx tsx alerts/generate.ts)`);
    drift++;
  } else {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(target, text);
    console.log(`wrote alerts/rules/${file}`);
  }
}
for (const file of fs.existsSync(outDir) ? fs.readdirSync(outDir) : []) {
  if (file.endsWith('.yml') && !(file in expected)) {
    console.error(`alerts/rules/${file} is not produced by the generator: remove it or add it to alerts/src/rules.ts`);
    drift++;
  }
}
if (drift > 0) process.exit(1);
if (check) console.log(`alerts/rules: ${Object.keys(expected).length} files match the generator`);
