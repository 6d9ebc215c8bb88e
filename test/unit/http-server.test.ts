import http, { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import request from 'supertest';
import { createHttpServer } from '../../src/http-server';
import { closeServer, listenLocal } from '../support/local-server';

function testApp(): Express {
  const app = express();
  // Stands in for what src/api/request-logging.ts puts on the request prototype before the server exists.
  Object.defineProperty(app.request, 'tag', { get: () => 'from the app prototype', configurable: true });
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.status(201).json({
      header: req.get('x-probe'),
      query: req.query,
      body: req.body as unknown,
      tag: (req as unknown as { tag: string }).tag,
      instances: req instanceof IncomingMessage && res instanceof ServerResponse,
    });
  });
  return app;
}

/** Counts Object.setPrototypeOf calls that really change a request's or response's prototype. */
async function reparentings(port: number): Promise<number> {
  const real = Object.setPrototypeOf;
  let changed = 0;
  const spy = jest.spyOn(Object, 'setPrototypeOf').mockImplementation((target: object, proto: object | null) => {
    if ((target instanceof IncomingMessage || target instanceof ServerResponse) && Object.getPrototypeOf(target) !== proto) changed++;
    return real(target, proto) as object;
  });
  try {
    await request(`http://127.0.0.1:${port}`).post('/echo').send({ a: 1 }).expect(201);
  } finally {
    spy.mockRestore();
  }
  return changed;
}

describe('createHttpServer', () => {
  it('serves the express app with everything express and the app put on the prototypes', async () => {
    const server = createHttpServer(testApp());
    await listenLocal(server);
    try {
      const res = await request(server).post('/echo?x=1').set('X-Probe', 'p').send({ a: [1, 2] }).expect(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ header: 'p', query: { x: '1' }, body: { a: [1, 2] }, tag: 'from the app prototype', instances: true });
    } finally {
      await closeServer(server);
    }
  });

  it('creates requests and responses with the app prototypes, so express never re-parents them', async () => {
    const server = createHttpServer(testApp());
    const plain = http.createServer(testApp());
    try {
      expect(await reparentings(await listenLocal(server))).toBe(0);
      // The control: a plain node server hands express objects it must re-parent (req and res).
      expect(await reparentings(await listenLocal(plain))).toBe(2);
    } finally {
      await closeServer(server);
      await closeServer(plain);
    }
  });
});
