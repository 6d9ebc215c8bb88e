import { EventEmitter } from 'node:events';
import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { SyncContextManager } from '../../src/telemetry/sync-context-manager';

const KEY = createContextKey('test key');

describe('SyncContextManager', () => {
  it('makes a context active for the synchronous extent of with(), nested, and restores it after a throw', () => {
    const m = new SyncContextManager();
    const a = ROOT_CONTEXT.setValue(KEY, 'a');
    const b = ROOT_CONTEXT.setValue(KEY, 'b');
    const seen: unknown[] = [];
    m.with(a, () => {
      seen.push(m.active().getValue(KEY));
      m.with(b, () => seen.push(m.active().getValue(KEY)));
      seen.push(m.active().getValue(KEY));
      expect(() => m.with(b, () => {
        throw new Error('inner');
      })).toThrow('inner');
      seen.push(m.active().getValue(KEY));
    });
    seen.push(m.active().getValue(KEY));
    expect(seen).toEqual(['a', 'b', 'a', 'a', undefined]);
  });

  it('passes this and arguments, and returns the result', () => {
    const m = new SyncContextManager();
    const self = { k: 2 };
    const out = m.with(ROOT_CONTEXT, function (this: { k: number }, x: number, y: number) {
      return this.k * x + y;
    }, self, 3, 1);
    expect(out).toBe(7);
  });

  it('runs a bound function in its context wherever it is called', () => {
    const m = new SyncContextManager();
    const ctx = ROOT_CONTEXT.setValue(KEY, 'bound');
    const fn = m.bind(ctx, (x: number) => [m.active().getValue(KEY), x]);
    expect(fn(1)).toEqual(['bound', 1]);
    expect(m.active().getValue(KEY)).toBeUndefined();
  });

  it('emits every event of a bound emitter in its context, including listeners added later', () => {
    const m = new SyncContextManager();
    const ctx = ROOT_CONTEXT.setValue(KEY, 'emitter');
    const ee = new EventEmitter();
    const seen: unknown[] = [];
    ee.on('early', () => seen.push(m.active().getValue(KEY)));
    expect(m.bind(ctx, ee)).toBe(ee);
    ee.once('late', () => seen.push(m.active().getValue(KEY)));
    ee.emit('early');
    expect(ee.emit('late')).toBe(true);
    expect(seen).toEqual(['emitter', 'emitter']);
    expect(m.active()).toBe(ROOT_CONTEXT);
  });
});
