/**
 * The HTTP ceiling for the benchmark: bare express 5 on the same node, same machine, same client.
 *   GET  /hello  -> "hello world"                         (the reference of the 0.6 x target)
 *   POST /echo   -> express.json() + a small JSON answer  (express + body parsing, no model: helps split the gap)
 * Usage: PORT=<port> node --import tsx bench/hello-server.ts
 * HELLO_SERVER=app-prototypes serves it through the service's createHttpServer (src/http-server.ts),
 * which spares express its per-request prototype switch: the same saving applied to the ceiling.
 */
import { createServer } from 'node:http';
import express from 'express';
import { createHttpServer } from '../src/http-server';

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
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ready' });
});

const server = process.env.HELLO_SERVER === 'app-prototypes' ? createHttpServer(app) : createServer(app);
server.keepAliveTimeout = 65_000; // as src/server.ts
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : null })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
