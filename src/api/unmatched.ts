import type { Express, RequestHandler } from 'express';
import { HttpProblem } from './http-problem';

/** The part of express's router this reads: its layers, and for route layers the path and methods. */
interface RouterLike {
  stack: Array<{ route?: { path?: unknown; methods?: Record<string, boolean> } }>;
}

/** Allowed methods per route path, upper case, with HEAD wherever GET is (express answers HEAD with GET). */
export function routeMethods(app: Express): Map<string, string[]> {
  const byPath = new Map<string, Set<string>>();
  for (const layer of (app.router as unknown as RouterLike).stack) {
    const path = layer.route?.path;
    if (typeof path !== 'string') continue;
    const methods = byPath.get(path) ?? new Set<string>();
    for (const [method, on] of Object.entries(layer.route?.methods ?? {})) if (on) methods.add(method.toUpperCase());
    if (methods.has('GET')) methods.add('HEAD');
    byPath.set(path, methods);
  }
  return new Map([...byPath].map(([path, methods]) => [path, [...methods].sort()]));
}

/** Paths are case-sensitive and have no trailing slash: say so when the path differs from a route only in that. */
function hint(routes: Map<string, string[]>, path: string): string {
  const loose = (p: string) => p.toLowerCase().replace(/\/+$/, '');
  const near = [...routes.keys()].find((route) => loose(route) === loose(path));
  return near === undefined ? '' : ` Paths are case-sensitive and take no trailing slash: did you mean ${near}?`;
}

/**
 * The handler after every route: a known path asked with another method gets 405 with `Allow`
 * (OPTIONS gets 204 with `Allow`), anything else 404. The routes are read on first use, when all
 * are registered.
 */
export function unmatched(app: Express): RequestHandler {
  let routes: Map<string, string[]> | undefined;
  return (req, res, next) => {
    routes ??= routeMethods(app);
    const allowed = routes.get(req.path);
    if (!allowed) return next(new HttpProblem(404, 'not-found', 'Not found', `No route for ${req.method} ${req.path}.${hint(routes, req.path)}`));
    const allow = [...allowed, 'OPTIONS'].join(', ');
    if (req.method === 'OPTIONS') return void res.status(204).set('Allow', allow).end();
    next(new HttpProblem(405, 'method-not-allowed', 'Method not allowed', `${req.path} does not answer ${req.method}; it answers ${allow}.`, {}, { Allow: allow }));
  };
}
