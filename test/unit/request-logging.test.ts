import http from 'node:http';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { useRequestLogging } from '../../src/api/request-logging';
import { closeServer, listenLocal } from '../support/local-server';
import { poll } from '../support/server-process';

type Rec = Record<string, unknown> & { msg?: string; level?: number; req?: Record<string, unknown>; res?: Record<string, unknown> };

/** An app with the request logging in front and a logger writing JSON lines to memory. */
function appWithLog(): { app: express.Express; records: Rec[]; hanging: number } {
  const records: Rec[] = [];
  const state = { app: express(), records, hanging: 0 };
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) records.push(JSON.parse(line) as Rec);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const app = state.app;
  useRequestLogging(app, logger, new Set(['/healthz']));
  app.get('/healthz', (_req, res) => void res.send('ok'));
  app.post('/echo', express.json(), (req, res) => void res.json({ n: JSON.stringify(req.body).length }));
  app.get('/boom', (req, res) => {
    req.log?.error({ reason: 'test' }, 'handler failed');
    res.status(503).json({});
  });
  app.get('/hang', () => void state.hanging++);
  return state;
}

describe('request logging', () => {
  it('logs one line per request with id, method, path, length, status and time, never the body', async () => {
    const { app, records } = appWithLog();
    const res = await request(app).post('/echo?x=1').set('X-Request-Id', 'req-7').send({ text: 'secret-text-5521' }).expect(200);
    expect(res.headers['x-request-id']).toBe('req-7');
    const line = await poll('the log line', () => records.find((r) => r.msg === 'request completed'));
    expect(line).toMatchObject({ level: 30, req: { id: 'req-7', method: 'POST', path: '/echo', content_length: expect.any(String) }, res: { status: 200 } });
    expect(line.responseTime).toEqual(expect.any(Number));
    expect(JSON.stringify(records)).not.toContain('secret-text-5521');
  });

  it('keeps probes out of the log but still gives them a request id', async () => {
    const { app, records } = appWithLog();
    const res = await request(app).get('/healthz').expect(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await request(app).post('/echo').send({}).expect(200);
    await poll('the echo line', () => records.find((r) => r.req?.path === '/echo'));
    expect(records.some((r) => r.req?.path === '/healthz')).toBe(false);
  });

  it('binds req.log to the request and logs 5xx at error level', async () => {
    const { app, records } = appWithLog();
    await request(app).get('/boom').set('X-Request-Id', 'boom-1').expect(503);
    const failed = await poll('the handler line', () => records.find((r) => r.msg === 'handler failed'));
    expect(failed).toMatchObject({ level: 50, reason: 'test', req: { id: 'boom-1', method: 'GET', path: '/boom' } });
    const done = await poll('the request line', () => records.find((r) => r.msg === 'request completed'));
    expect(done).toMatchObject({ level: 50, res: { status: 503 } });
  });

  it('says "request aborted", status 499, when the client leaves before the answer', async () => {
    const state = appWithLog();
    const { app, records } = state;
    const server = http.createServer(app);
    const port = await listenLocal(server);
    try {
      const req = http.get(`http://127.0.0.1:${port}/hang`);
      req.on('error', () => undefined);
      await poll('the request to reach its handler', () => (state.hanging > 0 ? true : undefined));
      req.destroy();
      const line = await poll('the aborted line', () => records.find((r) => r.msg === 'request aborted'));
      // 499 at warn, not the 200 the response still had when the socket closed.
      expect(line).toMatchObject({ level: 40, req: { method: 'GET', path: '/hang' }, res: { status: 499 } });
    } finally {
      await closeServer(server);
    }
  });
});
