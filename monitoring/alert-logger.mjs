#!/usr/bin/env node
// A tiny Alertmanager webhook receiver: prints every notification it gets as one JSON line on stdout.
// It is the default subscriber in docker-compose.yml (alerts/alertmanager.yml sends `page` to /page and
// `ticket` to /ticket) so a fresh stack shows where alerts go; the e2e test runs the same file.
//   PORT (default 9099; 0 = any free port), HOST (default 0.0.0.0)
// First line printed: {"msg":"listening","port":N}. Then, per notification:
//   {"msg":"notification","path":"/page","receiver":"page","status":"firing","alerts":[{status,labels,annotations,...}]}
// GET /healthz answers 200 (compose healthcheck). No dependencies beyond Node itself.
import http from 'node:http';

const port = Number(process.env.PORT ?? 9099);
const host = process.env.HOST ?? '0.0.0.0';
const MAX_BODY = 1024 * 1024;

function print(obj) {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...obj })}\n`);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY) {
      res.writeHead(413).end();
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => {
    if (res.writableEnded) return;
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end('invalid JSON\n');
      return;
    }
    print({
      msg: 'notification',
      path: req.url,
      receiver: body.receiver,
      status: body.status,
      groupKey: body.groupKey,
      alerts: (body.alerts ?? []).map((a) => ({
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
      })),
    });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  });
});

server.listen(port, host, () => print({ msg: 'listening', port: server.address().port }));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
