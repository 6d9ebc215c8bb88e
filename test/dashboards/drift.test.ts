/**
 * The committed dashboards/json/*.json and alerts/rules/*.yml must be exactly what their TypeScript sources
 * generate (`npm run dashboards`, `npx tsx alerts/generate.ts`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderRuleFiles } from '../../alerts/src/render';
import { renderDashboards } from '../../dashboards/src/index';
import { ROOT } from '../support/observability';

function committed(dir: string, ext: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(ext)).sort();
}

describe('generated files are committed as generated', () => {
  const dashboards = renderDashboards();
  it('dashboards/json has exactly the generated dashboards', () => {
    expect(committed('dashboards/json', '.json')).toEqual(Object.keys(dashboards).sort());
  });
  it.each(Object.entries(dashboards))('dashboards/json/%s matches (run `npm run dashboards`)', (file, text) => {
    expect(fs.readFileSync(path.join(ROOT, 'dashboards', 'json', file), 'utf8')).toBe(text);
  });

  const rules = renderRuleFiles();
  it('alerts/rules has exactly the generated rule files', () => {
    expect(committed('alerts/rules', '.yml')).toEqual(Object.keys(rules).sort());
  });
  it.each(Object.entries(rules))('alerts/rules/%s matches (run `npx tsx alerts/generate.ts`)', (file, text) => {
    expect(fs.readFileSync(path.join(ROOT, 'alerts', 'rules', file), 'utf8')).toBe(text);
  });
});
