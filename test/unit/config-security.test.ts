import { loadConfig, parseConfig } from '../../src/config/load';
import { DEFAULT_MODEL, ROOT } from '../support/harness';

const base = { classifier: { model_path: DEFAULT_MODEL } };

describe('app_conf.yml: auth, clients, rate_limits, compression', () => {
  it('is off for local use by default, compression aside, and the shipped file says the same', () => {
    const config = parseConfig(base);
    expect(config.auth).toEqual({
      enabled: false,
      keys_file: null,
      keys_env: 'MODERATOR_API_KEYS',
      watch_seconds: 2,
      endpoints: { metrics: 'open', docs: 'open', openapi: 'open' },
    });
    expect(config.rate_limits.enabled).toBe(false);
    expect(config.compression).toEqual({ enabled: true, min_bytes: 1024, gzip_level: 6, brotli_quality: 4 });
    const shipped = loadConfig({}, ROOT).config;
    for (const section of ['auth', 'clients', 'rate_limits', 'compression'] as const) expect(shipped[section]).toEqual(config[section]);
  });

  it.each([
    ['a key-protected endpoint with keys off', { auth: { endpoints: { docs: 'key' } } }, "'auth.endpoints.docs': 'key' needs auth.enabled: true"],
    ['an unknown access mode', { auth: { endpoints: { metrics: 'private' } } }, "'auth.endpoints.metrics'"],
    [
      'protecting /metrics served on its own port',
      { auth: { enabled: true, endpoints: { metrics: 'key' } }, metrics: { prometheus: { port: 9464 } } },
      "'auth.endpoints.metrics': only applies to /metrics on the app port",
    ],
    ['a keys_env that is no variable name', { auth: { keys_env: 'MY-KEYS' } }, "'auth.keys_env': must be an environment variable name"],
    ['a key in the config file', { auth: { keys: ['cm_secret'] } }, "unknown key 'auth.keys'"],
    ['a chars bucket smaller than one request', { rate_limits: { enabled: true, chars: { per_second: 10, burst: 1000 } } }, "'rate_limits.chars.burst': must be at least 1048576"],
    ['a rate of 0', { rate_limits: { requests: { per_second: 0, burst: 10 } } }, "'rate_limits.requests.per_second'"],
    ['a brotli quality out of range', { compression: { brotli_quality: 12 } }, "'compression.brotli_quality'"],
    ['too many proxy hops', { clients: { trust_proxy_hops: 11 } }, "'clients.trust_proxy_hops'"],
  ])('refuses %s, naming the key', (_what, extra, message) => {
    expect(() => parseConfig({ ...base, ...extra }, 'conf')).toThrow(message);
  });

  it('lets a limit be switched off with null, and checks buckets only when limits are on', () => {
    expect(parseConfig({ ...base, rate_limits: { enabled: true, chars: null, texts: null } }).rate_limits.chars).toBeNull();
    expect(() => parseConfig({ ...base, rate_limits: { texts: { per_second: 1, burst: 1 } } })).not.toThrow();
  });
});
