import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';
import type { AppConfig } from '../config/schema';
import { HttpProblem } from '../api/http-problem';
import { onResponseClosed } from '../api/client-gone';
import type { EdgeMetrics, EdgeRejectionReason } from '../telemetry/edge-metrics';
import { EventLoopLag } from './event-loop-lag';

type ServerConfig = AppConfig['server'];

const RETRY_AFTER_SECONDS = '1';

export interface Refusal {
  problem: HttpProblem;
  reason: EdgeRejectionReason;
}

function overloaded(reason: EdgeRejectionReason, detail: string, limit: { name: string; value: number; actual: number }, close: boolean): Refusal {
  const headers: Record<string, string> = { 'Retry-After': RETRY_AFTER_SECONDS };
  if (close) headers.Connection = 'close';
  return { reason, problem: new HttpProblem(503, 'overloaded', 'Service overloaded', `${detail}; retry later.`, { limit }, headers) };
}

/**
 * Admission control on the service's own saturation: connections open, API requests in flight and
 * event-loop lateness. A request over a limit is answered 503 + Retry-After at once, before its body
 * is read, instead of waiting behind the others (texts waiting for the model are bounded separately,
 * by classifier.batching.max_queue). Probes and the metrics scrape are never refused or counted.
 */
export class Admission {
  private inFlight = 0;
  private open = 0;
  private readonly overCap = new WeakSet<Socket>();
  private readonly lag?: EventLoopLag;

  constructor(
    private readonly config: Pick<ServerConfig, 'max_connections' | 'admission'>,
    private readonly metrics: Pick<EdgeMetrics, 'rejected'>,
  ) {
    if (config.admission.max_event_loop_delay_ms > 0) this.lag = new EventLoopLag();
  }

  /** Connections open now. */
  get connections(): number {
    return this.open;
  }

  /** API requests being handled now. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Counts the server's connections; one opened over `server.max_connections` has its requests refused and is closed. */
  watch(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.open++;
      if (this.open > this.config.max_connections) this.overCap.add(socket);
      socket.once('close', () => this.open--);
    });
  }

  /** Why a request arriving on `socket` now is refused, or undefined when it is admitted. */
  refusal(socket: Socket): Refusal | undefined {
    const { max_connections, admission } = this.config;
    if (this.overCap.has(socket)) {
      return overloaded('connections', `The service has ${this.open} connections open, over its limit (server.max_connections)`, { name: 'server.max_connections', value: max_connections, actual: this.open }, true);
    }
    const maxInFlight = admission.max_in_flight_requests;
    if (maxInFlight > 0 && this.inFlight >= maxInFlight) {
      return overloaded('in_flight_requests', `The service is handling ${this.inFlight} requests, its limit (server.admission.max_in_flight_requests)`, { name: 'server.admission.max_in_flight_requests', value: maxInFlight, actual: this.inFlight }, false);
    }
    if (this.lag) {
      const late = Math.round(this.lag.current());
      const max = admission.max_event_loop_delay_ms;
      if (late > max) {
        return overloaded('event_loop_delay', `The service's event loop runs ${late} ms late, over its limit (server.admission.max_event_loop_delay_ms)`, { name: 'server.admission.max_event_loop_delay_ms', value: max, actual: late }, false);
      }
    }
    return undefined;
  }

  /** The middleware: refuses (503) or counts the request in flight until its response closes. `exempt`: paths never refused. */
  middleware(exempt: ReadonlySet<string>): RequestHandler {
    return (req, res, next) => {
      if (exempt.has(req.path)) return next();
      const refused = this.refusal(req.socket);
      if (refused) {
        this.metrics.rejected(refused.reason);
        return next(refused.problem);
      }
      this.inFlight++;
      onResponseClosed(res, () => this.inFlight--);
      next();
    };
  }

  stop(): void {
    this.lag?.stop();
  }
}
