import { ANONYMOUS, type ApiKey } from './key-file';

/** Who sent a request, as rate limits, fair queueing, logs and metrics see it. */
export interface ClientIdentity {
  /** Opaque and unique per client (`key:<id>` or `addr:<address>`): the unit of rate limits and queue fairness. */
  readonly id: string;
  /** The API key's id, or `anonymous` when keys are off: the only part that reaches logs and metric labels. */
  readonly keyId: string;
  /** Share of the inference queue relative to other clients. */
  readonly weight: number;
}

declare module 'http' {
  interface IncomingMessage {
    /**
     * Who sent an API request, set by access control (src/security/access.ts). Not `client`: Node's
     * IncomingMessage already has a deprecated `client` (its socket).
     */
    caller?: ClientIdentity;
  }
}

const identities = new WeakMap<ApiKey, ClientIdentity>();

/** The identity of a key holder (one object per key, reused across requests). */
export function keyClient(key: ApiKey): ClientIdentity {
  let identity = identities.get(key);
  if (!identity) {
    identity = { id: `key:${key.id}`, keyId: key.id, weight: key.weight };
    identities.set(key, identity);
  }
  return identity;
}

/** The identity of a request without keys: its address (as `clients.trust_proxy_hops` says to read it). */
export function addressClient(address: string | undefined): ClientIdentity {
  return { id: `addr:${address ?? 'unknown'}`, keyId: ANONYMOUS, weight: 1 };
}
