import type { RequestHandler } from 'express';

/**
 * Headers on every answer. The API answers JSON that no browser should sniff, frame, cache or run;
 * the Swagger UI under /docs needs its own scripts and styles (inline styles included) and fetches
 * the spec and "Try it out" calls from this origin only.
 * Static and written by hand rather than with helmet: two fixed sets chosen by path prefix cost a few
 * setHeader calls on the hot path, and helmet's default CSP asks browsers to upgrade every request
 * to https, which breaks /docs on a plain-http deployment.
 */
const COMMON: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Frame-Options', 'DENY'],
];

export const API_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ...COMMON,
  ['Cache-Control', 'no-store'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
];

export const DOCS_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ...COMMON,
  [
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
      "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  ],
];

/** Sets the API set everywhere except under `docsPath`, which gets the Swagger UI set. */
export function securityHeaders(docsPath: string): RequestHandler {
  return (req, res, next) => {
    const path = req.url;
    const docs = path.startsWith(docsPath) && (path.length === docsPath.length || path[docsPath.length] === '/' || path[docsPath.length] === '?');
    for (const [name, value] of docs ? DOCS_HEADERS : API_HEADERS) res.setHeader(name, value);
    next();
  };
}
