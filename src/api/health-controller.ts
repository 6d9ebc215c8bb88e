import { Controller, Get, Response, Route, SuccessResponse, Tags } from '@tsoa/runtime';
import type { AppContext } from '../context';
import type { HealthResponse, ReadinessResponse } from './types';

@Tags('Health')
@Route('')
export class HealthController extends Controller {
  constructor(private readonly ctx: AppContext) {
    super();
  }

  /** Liveness: the process is up and serving HTTP. */
  @Get('healthz')
  public healthz(): HealthResponse {
    return { status: 'ok' };
  }

  /** Readiness: the model is loaded, an inference worker is alive, and the service is not shutting down. */
  @Get('readyz')
  @SuccessResponse(200, 'Ready')
  @Response<ReadinessResponse>(503, 'Not ready')
  public readyz(): ReadinessResponse {
    const reason = this.ctx.lifecycle.notReadyReason();
    if (reason) {
      this.setStatus(503);
      return { status: 'not_ready', reason };
    }
    return { status: 'ready', model: this.ctx.service.model };
  }
}
