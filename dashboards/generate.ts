/**
 * Writes dashboards/json/*.json from the TypeScript sources in dashboards/src.
 *   npm run dashboards           regenerate
 *   npm run dashboards:check     exit 1 if a committed file differs from the generated one (CI)
 */
import * as path from 'node:path';
import { syncGenerated } from '../tools/sync-generated';
import { renderDashboards } from './src/index';

syncGenerated({
  dir: path.join(__dirname, 'json'),
  ext: '.json',
  expected: renderDashboards(),
  regenerate: 'npm run dashboards',
  source: 'dashboards/src/index.ts',
  noun: 'dashboards',
});
