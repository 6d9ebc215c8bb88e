import type { ModelRegistry } from '../moderation/registry';
import type { Moderation } from '../moderation/runtime';
import { HttpProblem } from './http-problem';

/** The model a request names (`body.model`), the default when it names none; 422 naming the available ones otherwise. */
export function selectModel(models: ModelRegistry, name: string | undefined): Moderation {
  const found = models.find(name);
  if (found) return found;
  const available = models.names;
  const message = `unknown model '${name}'; available: ${available.join(', ')}`;
  throw new HttpProblem(422, 'unknown-model', 'Unknown model', `body.model: ${message}.`, {
    errors: [{ field: 'body.model', message }],
    models: available,
  });
}
