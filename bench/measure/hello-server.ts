/**
 * The HTTP ceiling for the benchmark: bare express 5 on the same node, same machine, same client.
 *   GET  /hello  -> "hello world"                         (the reference of the 0.6 x target)
 *   POST /echo   -> express.json() + a small JSON answer  (express + body parsing, no model: helps split the gap)
 *   POST /echo-batch -> express.json() + an answer of /classify's shape and size (the HTTP floor of a batch)
 * Usage: PORT=<port> node --import tsx bench/measure/hello-server.ts
 * HELLO_SERVER=app-prototypes serves it through the service's createHttpServer (src/http-server.ts),
 * which spares express its per-request prototype switch: the same saving applied to the ceiling.
 */
import { createServer } from 'node:http';
import express from 'express';
import { createHttpServer } from '../../src/http-server';
// The default model's labels, so the echo answers with as many scores as /classify does.
import { LABELS } from '../../training/labels';

/** The hello-world app: GET /hello, POST /echo, POST /echo-batch, GET /readyz. */
export function helloApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/hello', (_req, res) => {
    res.send('hello world');
  });
  app.post('/echo', express.json({ limit: 1_048_576 }), (req, res) => {
    const body = req.body as { text?: unknown; texts?: unknown };
    const n = typeof body.text === 'string' ? 1 : Array.isArray(body.texts) ? body.texts.length : 0;
    res.json({ ok: true, texts: n });
  });
  // The same body parsing and a response of the service's shape and size (64 texts: ~16 KB), no model:
  // the HTTP floor of a 64-text /classify request.
  app.post('/echo-batch', express.json({ limit: 1_048_576 }), (req, res) => {
    const texts = (req.body as { texts?: unknown }).texts;
    const list = Array.isArray(texts) ? texts : [];
    const results = list.map((text, index) => {
      // Six-decimal scores that vary with the text, as the service's do.
      const seed = typeof text === 'string' ? text.length : 0;
      const scores: Record<string, number> = {};
      for (let j = 0; j < LABELS.length; j++) scores[LABELS[j]!] = (((seed + 1) * (j + 7) * 7919 + 12345) % 999_983) / 1e6;
      return { index, scores, overall: scores.toxic, flagged: false, labels: [] as string[] };
    });
    res.json({ model: { name: 'echo', version: '0' }, results });
  });
  app.get('/readyz', (_req, res) => {
    res.json({ status: 'ready' });
  });
  return app;
}

function serve(): void {
  const app = helloApp();
  const server = process.env.HELLO_SERVER === 'app-prototypes' ? createHttpServer(app) : createServer(app);
  server.keepAliveTimeout = 65_000; // as the service sets it
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : null })}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) serve();
