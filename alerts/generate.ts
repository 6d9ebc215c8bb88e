/**
 * Writes alerts/rules/*.yml from alerts/src (objectives and thresholds live in observability/config.ts).
 *   npx tsx alerts/generate.ts           regenerate
 *   npx tsx alerts/generate.ts --check   exit 1 if a committed file differs from the generated one
 */
import * as path from 'node:path';
import { syncGenerated } from '../tools/sync-generated';
import { renderRuleFiles } from './src/render';

syncGenerated({
  dir: path.join(__dirname, 'rules'),
  ext: '.yml',
  expected: renderRuleFiles(),
  regenerate: 'npx tsx alerts/generate.ts',
  source: 'alerts/src/rules.ts',
  noun: 'files',
});
