/**
 * Writes the Kubernetes manifests, kustomizations, prometheus-adapter rule and CAPACITY.md under deploy/kubernetes/
 * from deploy/kubernetes/src (every object validated against its schema on the way).
 *   npm run manifests           regenerate
 *   npm run manifests:check     exit 1 if a committed file differs from the generated one (CI)
 */
import * as path from 'node:path';
import { syncGenerated } from '../../tools/sync-generated';
import { renderDeploy } from './src/render';

for (const [dir, files] of Object.entries(renderDeploy())) {
  // One sync per folder and extension: each call also reports files of its extension the generator does not make.
  const byExt = new Map<string, Record<string, string>>();
  for (const [file, text] of Object.entries(files)) {
    const ext = path.extname(file);
    byExt.set(ext, { ...byExt.get(ext), [file]: text });
  }
  for (const [ext, expected] of byExt) {
    syncGenerated({
      dir: path.join(__dirname, dir),
      ext,
      expected,
      regenerate: 'npm run manifests',
      source: 'deploy/kubernetes/src/render.ts',
      noun: `${ext.slice(1)} files`,
    });
  }
}
