import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import request from 'supertest';
import { createHttpServer } from '../../src/http-server';

function testApp(): Express {
  const app = express();
  // Stands in for what src/logging.ts puts on the request prototype before the server exists.
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

async function listening(server: http.Server): Promise<http.Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** Counts Object.setPrototypeOf calls that really change a request's or response's prototype. */
async function reparentings(server: http.Server): Promise<number> {
  const real = Object.setPrototypeOf;
  let changed = 0;
  const spy = jest.spyOn(Object, 'setPrototypeOf').mockImplementation((target: object, proto: object | null) => {
    if ((target instanceof IncomingMessage || target instanceof ServerResponse) && Object.getPrototypeOf(target) !== proto) changed++;
    return real(target, proto) as object;
  });
  try {
    const port = (server.address() as AddressInfo).port;
    await request(`http://127.0.0.1:${port}`).post('/echo').send({ a: 1 }).expect(201);
  } finally {
    spy.mockRestore();
  }
  return changed;
}

describe('createHttpServer', () => {
  it('serves the express app with everything express and the app put on the prototypes', async () => {
    const server = await listening(createHttpServer(testApp()));
    try {
      const res = await request(server).post('/echo?x=1').set('X-Probe', 'p').send({ a: [1, 2] }).expect(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ header: 'p', query: { x: '1' }, body: { a: [1, 2] }, tag: 'from the app prototype', instances: true });
    } finally {
      await close(server);
    }
  });

  it('creates requests and responses with the app prototypes, so express never re-parents them', async () => {
    const server = await listening(createHttpServer(testApp()));
    const plain = await listening(http.createServer(testApp()));
    try {
      expect(await reparentings(server)).toBe(0);
      // The control: a plain node server hands express objects it must re-parent (req and res).
      expect(await reparentings(plain)).toBe(2);
    } finally {
      await close(server);
      await close(plain);
    }
  });
});
