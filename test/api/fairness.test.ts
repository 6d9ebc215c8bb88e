import request from 'supertest';
import { parseExposition, sampleValue, startHarness, type Harness } from '../support/harness';
import { newKey, writeKeyFile } from '../support/keys';
import { poll } from '../support/server-process';

/**
 * Two clients on the real model: A queues a large backlog (16 requests of 256 texts), then B sends
 * one text. Completion order, not time, is asserted. Small batches make the backlog long to run
 * (2048 model runs on one worker), so B's request arrives while most of it still waits.
 */
const heavy = newKey();
const light = newKey();
const REQUESTS = 16;
const TEXTS = 256;
const BATCH = 2;

async function race(h: Harness, headers: { heavy: Record<string, string>; light: Record<string, string> }, keyId: string) {
  const order: string[] = [];
  const backlog = Array.from({ length: REQUESTS }, (_, r) =>
    request(h.server)
      .post('/classify')
      .set(headers.heavy)
      .send({ texts: Array.from({ length: TEXTS }, (_, i) => `backlog ${r} text ${i}`) })
      .expect(200)
      .then(() => order.push(`A${r}`)),
  );
  // Every text of A admitted (counted per key id as the request reaches the controller) before B asks.
  await poll('the backlog to be admitted', async () => {
    const { samples } = parseExposition((await request(h.server).get('/metrics')).text);
    return sampleValue(samples, 'moderator_client_texts_total', { key_id: keyId }) >= REQUESTS * TEXTS ? true : undefined;
  });
  await request(h.server).post('/classify').set(headers.light).send({ text: 'just one' }).expect(200);
  order.push('B');
  await Promise.all(backlog);
  return order;
}

describe('fair queueing between clients (real model, one worker)', () => {
  const config = { classifier: { workers: 1, batching: { max_batch_size: BATCH, max_queue: 8192 } } };

  it("serves one client's single text ahead of another's backlog queued before it", async () => {
    const h = await startHarness({
      ...config,
      auth: { enabled: true, keys_file: writeKeyFile([{ id: 'heavy', sha256: heavy.sha256 }, { id: 'light', sha256: light.sha256 }]) },
    });
    try {
      const order = await race(h, { heavy: { Authorization: `Bearer ${heavy.key}` }, light: { Authorization: `Bearer ${light.key}` } }, 'heavy');
      // First come, first served would answer B last (the control below); fairly, most of A's backlog is still waiting.
      expect(order.indexOf('B')).toBeLessThan(REQUESTS / 2);
    } finally {
      await h.close();
    }
  });

  it('(control) without keys both are one client, and the single text waits for the whole backlog', async () => {
    const h = await startHarness(config);
    try {
      const order = await race(h, { heavy: {}, light: {} }, 'anonymous');
      // B's text runs after A's backlog. Its answer may overtake the last one or two of A's: a request is counted
      // as admitted a moment before it is queued, and a 256-text answer takes longer to send than B's.
      expect(order.indexOf('B')).toBeGreaterThanOrEqual(REQUESTS - 2);
    } finally {
      await h.close();
    }
  });
});
