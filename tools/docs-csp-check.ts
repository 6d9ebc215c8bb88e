/**
 * Checks that /docs renders under its Content-Security-Policy in Debian's Chromium, headless:
 *
 *   npx tsx tools/docs-csp-check.ts http://127.0.0.1:8000/docs/
 *
 * Drives Chromium over the DevTools protocol (no browser download: /usr/bin/chromium from the
 * `chromium` package), waits for the Swagger UI to render (at most 30 s), runs what "Try it out" does (a fetch to /classify
 * from the page), and prints the operations it rendered and every console or security log entry:
 * a CSP violation shows there. Exits 1 when nothing rendered, the fetch failed or anything was logged.
 * Not part of `npm test` (CI has no Chromium); run by hand after changing the /docs CSP.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'undici';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PORT = 19222;

interface Message {
  id?: number;
  method?: string;
  result?: { result?: { value?: unknown } };
  params?: { entry?: { source: string; level: string; text: string }; type?: string; args?: Array<{ value?: unknown }>; exceptionDetails?: { text: string } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(url: string): Promise<number> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'csp-check-'));
  const chrome = spawn('/usr/bin/chromium', [...FLAGS, `--user-data-dir=${profile}`, `--remote-debugging-port=${PORT}`, 'about:blank'], { stdio: 'ignore' });
  try {
    let targets: Array<{ type: string; webSocketDebuggerUrl: string }> = [];
    for (let i = 0; i < 100 && targets.length === 0; i++) {
      targets = await fetch(`http://127.0.0.1:${PORT}/json`)
        .then((r) => r.json() as Promise<typeof targets>)
        .catch(async () => (await sleep(200), []));
    }
    const page = targets.find((t) => t.type === 'page');
    if (!page) throw new Error('Chromium did not open a page');
    const ws = new WebSocket(page.webSocketDebuggerUrl);
    const pending = new Map<number, (m: Message) => void>();
    const logged: string[] = [];
    let id = 0;
    const call = (method: string, params: object = {}) =>
      new Promise<Message>((resolve) => {
        pending.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
    ws.onmessage = (ev: MessageEvent) => {
      const m = JSON.parse(String(ev.data)) as Message;
      if (m.id !== undefined) pending.get(m.id)?.(m);
      else if (m.method === 'Log.entryAdded' && m.params?.entry) logged.push(`${m.params.entry.source}/${m.params.entry.level}: ${m.params.entry.text}`);
      else if (m.method === 'Runtime.consoleAPICalled') logged.push(`console.${m.params?.type}: ${m.params?.args?.map((a) => String(a.value)).join(' ')}`);
      else if (m.method === 'Runtime.exceptionThrown') logged.push(`exception: ${m.params?.exceptionDetails?.text}`);
    };
    await new Promise((resolve) => (ws.onopen = resolve));
    for (const domain of ['Log', 'Runtime', 'Page']) await call(`${domain}.enable`);
    await call('Page.navigate', { url });
    const evaluate = async (expression: string) => (await call('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })).result?.result?.value;
    // Poll until the Swagger UI has rendered its operations (at most 30 s).
    let operations: string[] = [];
    for (let i = 0; i < 150 && operations.length === 0; i++) {
      await sleep(200);
      operations = ((await evaluate(`[...document.querySelectorAll('.opblock-summary-path')].map((e) => e.textContent)`)) as string[] | undefined) ?? [];
    }
    const origin = new URL(url).origin;
    const status = await evaluate(`fetch('${origin}/classify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"hi"}' }).then((r) => r.status, (e) => String(e))`);
    ws.close();
    process.stdout.write(`${JSON.stringify({ operations, tryItOut: status, logged }, null, 2)}\n`);
    return operations.length > 0 && status === 200 && logged.length === 0 ? 0 : 1;
  } finally {
    chrome.kill();
  }
}

main(process.argv[2] ?? 'http://127.0.0.1:8000/docs/').then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`docs-csp-check: ${(err as Error).message}\n`);
    process.exit(2);
  },
);
