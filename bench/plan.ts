/**
 * What a benchmark run measures, as data: the servers, the typed scenarios each of them runs (body and
 * load), the latency floors run after the repetitions and the profiled scenarios. The session
 * (measure/session.ts) runs a plan; the summary (summary/) finds its records with the same scenario
 * values, so no part of the bench builds or parses scenario ids.
 */

/** The processes a scenario runs against: two hello-worlds and three configurations of the service. */
export type ServerKind = 'hello' | 'helloApp' | 'off' | 'on' | 'cache';
export type HelloKind = Extract<ServerKind, 'hello' | 'helloApp'>;
export type ServiceKind = Exclude<ServerKind, HelloKind>;
/** The service with telemetry off or on (the configurations the targets compare). */
export type Telemetry = Extract<ServiceKind, 'off' | 'on'>;

export const SERVERS: readonly ServerKind[] = ['hello', 'helloApp', 'off', 'on', 'cache'];
export const TELEMETRY: readonly Telemetry[] = ['off', 'on'];
export const isHello = (server: ServerKind): server is HelloKind => server === 'hello' || server === 'helloApp';

/** What a request sends: the hello-world's three routes and /classify with one text, a batch, or a cached text. */
export type Body = 'hello' | 'echo' | 'echoBatch' | 'single' | 'batch' | 'cached';
/** The service request types with a half-load run (and so with latency floors). */
export type ServiceBody = Extract<Body, 'single' | 'batch'>;
export const SERVICE_BODIES: readonly ServiceBody[] = ['single', 'batch'];

/**
 * The rate of an open-loop or rate-limited run: half of the same session's best closed-loop req/s for
 * the body, or (a floor) the median offered rate of a service's half-load runs of a request type.
 */
export type RateOf = { kind: 'half' } | { kind: 'floor'; server: Telemetry; body: ServiceBody };

export type Load =
  /** autocannon, each connection sending its next request when the answer arrives. */
  | { kind: 'closed'; connections: number }
  /** The open-loop generator: evenly spaced requests, latency from when each was due. */
  | { kind: 'paced'; connections: number; rate: RateOf }
  /** autocannon's overallRate (a burst at the start of every second), for comparison only. */
  | { kind: 'overallRate'; connections: number; rate: RateOf };

export interface Scenario {
  server: ServerKind;
  body: Body;
  load: Load;
}

export const closed = (server: ServerKind, body: Body, connections: number): Scenario => ({ server, body, load: { kind: 'closed', connections } });
export const halfLoad = (server: Telemetry, body: ServiceBody, connections: number, kind: 'paced' | 'overallRate' = 'paced'): Scenario => ({
  server,
  body,
  load: { kind, connections, rate: { kind: 'half' } },
});
/** The body a hello-world sends as the HTTP floor of a service request type. */
export const FLOOR_BODY = { single: 'hello', batch: 'echoBatch' } as const satisfies Record<ServiceBody, Body>;
/** A hello-world paced at the rate of a service's half-load runs of one request type. */
export const floor = (server: HelloKind, of: { server: Telemetry; body: ServiceBody }, connections: number): Scenario => ({
  server,
  body: FLOOR_BODY[of.body],
  load: { kind: 'paced', connections, rate: { kind: 'floor', ...of } },
});

function sameRate(a: RateOf, b: RateOf): boolean {
  if (a.kind === 'half' || b.kind === 'half') return a.kind === b.kind;
  return a.server === b.server && a.body === b.body;
}

export function sameScenario(a: Scenario, b: Scenario): boolean {
  if (a.server !== b.server || a.body !== b.body || a.load.kind !== b.load.kind || a.load.connections !== b.load.connections) return false;
  return a.load.kind === 'closed' || b.load.kind === 'closed' || sameRate(a.load.rate, b.load.rate);
}

export const SERVER_LABEL: Record<ServerKind, string> = {
  hello: 'express hello-world',
  helloApp: 'express hello-world, served by src/http-server.ts',
  off: 'service, telemetry off',
  on: 'service, telemetry on',
  cache: 'service, telemetry off, cache on',
};

export function bodyLabel(body: Body, batchSize: number): string {
  const labels: Record<Body, string> = {
    hello: 'GET /hello',
    echo: 'POST /echo (express.json, 1 text)',
    echoBatch: `POST /echo-batch (express.json, ${batchSize} texts, an answer of /classify's shape and size)`,
    single: 'POST /classify, 1 text',
    batch: `POST /classify, ${batchSize} texts`,
    cached: 'POST /classify, 1 text, cache hit',
  };
  return labels[body];
}

/** A short name for progress lines and file names, e.g. `off/single/c64` or `hello/hello/paced@on-single`. */
export function scenarioName(sc: Scenario): string {
  const { load } = sc;
  const how = load.kind === 'closed' ? `c${load.connections}` : load.rate.kind === 'half' ? (load.kind === 'paced' ? 'paced' : 'rate') : `paced@${load.rate.server}-${load.rate.body}`;
  return `${sc.server}/${sc.body}/${how}`;
}

/** The service's app_conf.yml for one configuration (host and port are set when it is started). */
export function serviceConfig(kind: ServiceKind, modelDir: string): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1' },
    classifier: { model_path: modelDir, cache: { enabled: kind === 'cache' } },
    metrics: kind === 'on' ? { reporters: ['prometheus'], runtime: true } : { reporters: [], runtime: false },
    logging: { level: 'info' },
  };
}

export interface ProfileSpec {
  title: string;
  scenario: Scenario & { load: { kind: 'closed' } };
}

export interface Plan {
  reps: number;
  /** What one repetition runs, in this order for the first one, rotated by one for each next. */
  steps: ReadonlyArray<ServerKind | 'inprocess'>;
  /** The scenarios of each server's session, in order (closed loops first: the half-load rates come from them). */
  sessions: Record<ServerKind, Scenario[]>;
  /** After the repetitions: each hello-world paced at the rates of the service's half-load runs. */
  floors: Array<{ server: HelloKind; scenarios: Scenario[] }>;
  /** And the model alone, in-process, paced at each service's batch half-load rate. */
  modelFloors: readonly Telemetry[];
  profiles: ProfileSpec[];
}

export interface PlanOptions {
  smoke: boolean;
  reps: number;
  conns: number[];
  batchSize: number;
  profile: boolean;
}

/** The connections of the half-load runs and the single-text profiles. */
export const topConns = (conns: readonly number[]) => Math.max(...conns);

export function plan(o: PlanOptions): Plan {
  const top = topConns(o.conns);
  const service = (server: Telemetry): Scenario[] => [
    ...o.conns.map((c) => closed(server, 'single', c)),
    ...o.conns.map((c) => closed(server, 'batch', c)),
    halfLoad(server, 'single', top),
    halfLoad(server, 'batch', top),
    halfLoad(server, 'single', top, 'overallRate'),
  ];
  const profileOf = (title: string, server: Telemetry, body: ServiceBody, connections: number): ProfileSpec => ({
    title,
    scenario: { server, body, load: { kind: 'closed', connections } },
  });
  const profiles = [
    profileOf(`single text, ${top} conns, telemetry on`, 'on', 'single', top),
    profileOf(`single text, ${top} conns, telemetry off`, 'off', 'single', top),
    profileOf(`batch of ${o.batchSize}, 16 conns, telemetry off`, 'off', 'batch', 16),
  ];
  const ofSingle = TELEMETRY.map((server) => ({ server, body: 'single' as const }));
  const ofAll = SERVICE_BODIES.flatMap((body) => TELEMETRY.map((server) => ({ server, body })));
  return {
    reps: o.reps,
    steps: [...SERVERS, 'inprocess'],
    sessions: {
      hello: [...o.conns.map((c) => closed('hello', 'hello', c)), closed('hello', 'echo', top)],
      helloApp: [closed('helloApp', 'hello', top)],
      off: service('off'),
      on: service('on'),
      cache: [closed('cache', 'cached', top)],
    },
    floors: [
      { server: 'hello', scenarios: ofAll.map((of) => floor('hello', of, top)) },
      { server: 'helloApp', scenarios: ofSingle.map((of) => floor('helloApp', of, top)) },
    ],
    modelFloors: TELEMETRY,
    profiles: !o.profile ? [] : o.smoke ? profiles.slice(0, 1) : profiles,
  };
}
