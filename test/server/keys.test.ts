import { DEFAULT_MODEL } from '../support/harness';
import { newKey, writeKeyFile } from '../support/keys';
import { logRecords, poll, startServer, type ServerProcess } from '../support/server-process';

async function classifyAs(url: string, key: string): Promise<number> {
  const res = await fetch(`${url}/classify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ text: 'hello' }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('API keys in the server process', () => {
  const old = newKey();
  const next = newKey();
  // watch_seconds 0: only SIGHUP re-reads the file, so what follows is the signal's doing.
  const keysFile = writeKeyFile([{ id: 'team', sha256: old.sha256 }]);
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({
      server: { host: '127.0.0.1' },
      classifier: { model_path: DEFAULT_MODEL, workers: 1 },
      metrics: { reporters: ['prometheus'] },
      auth: { enabled: true, keys_file: keysFile, watch_seconds: 0 },
    });
  });
  afterAll(() => server.stop());

  it('rotates a key on SIGHUP without a restart: both hashes during the change, then the new one only', async () => {
    expect(await classifyAs(server.url, old.key)).toBe(200);
    expect(await classifyAs(server.url, next.key)).toBe(401);

    writeKeyFile([{ id: 'team', sha256: [old.sha256, next.sha256] }], keysFile);
    server.child.kill('SIGHUP');
    await poll('the new key to work', async () => ((await classifyAs(server.url, next.key)) === 200 ? true : undefined));
    expect(await classifyAs(server.url, old.key)).toBe(200);

    writeKeyFile([{ id: 'team', sha256: next.sha256 }], keysFile);
    server.child.kill('SIGHUP');
    await poll('the old key to be refused', async () => ((await classifyAs(server.url, old.key)) === 401 ? true : undefined));
    expect(await classifyAs(server.url, next.key)).toBe(200);

    // Log lines are written in chunks (every 250 ms at most).
    const reloads = await poll('both reloads to be logged', () => {
      const found = logRecords(server.stdout()).filter((r) => r.msg === 'API keys reloaded');
      return found.length === 2 ? found : undefined;
    });
    expect(reloads.map((r) => [r.trigger, r.changed])).toEqual([
      ['SIGHUP', ['team']],
      ['SIGHUP', ['team']],
    ]);
  });

  it('keeps the keys in use when SIGHUP finds a broken file, logs why, and keeps serving', async () => {
    writeKeyFile(`keys:\n  - id: team\n    sha256: ${next.key}\n`, keysFile);
    server.child.kill('SIGHUP');
    const failed = await poll('the failed reload to be logged', () => logRecords(server.stdout()).find((r) => r.msg === 'API keys not reloaded; the previous keys stay in use'));
    expect(failed).toMatchObject({ trigger: 'SIGHUP', keys: 1, error: expect.stringContaining("'keys[0].sha256'") });
    expect(await classifyAs(server.url, next.key)).toBe(200);
    expect(server.child.exitCode).toBeNull();
    for (const secret of [old.key, next.key]) expect(server.stdout() + server.stderr()).not.toContain(secret);
  });

  it('still exits 0 on SIGTERM', async () => {
    expect(await server.stop()).toBe(0);
  });
});

describe('SIGHUP without API keys', () => {
  it('is ignored rather than ending the process', async () => {
    const server = await startServer({
      server: { host: '127.0.0.1' },
      classifier: { model_path: DEFAULT_MODEL, workers: 1 },
      metrics: { reporters: [] },
    });
    try {
      server.child.kill('SIGHUP');
      await poll('a probe after SIGHUP', async () => ((await fetch(`${server.url}/healthz`)).status === 200 ? true : undefined));
      expect(server.child.exitCode).toBeNull();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
