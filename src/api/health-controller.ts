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

  /** Readiness: every model has an inference worker alive, and the service is not shutting down; each model's readiness is listed. */
  @Get('readyz')
  @SuccessResponse(200, 'Ready')
  @Response<ReadinessResponse>(503, 'Not ready')
  public readyz(): ReadinessResponse {
    const models = this.ctx.models.readiness();
    const reason = this.ctx.lifecycle.notReadyReason();
    if (reason) {
      this.setStatus(503);
      return { status: 'not_ready', reason, models };
    }
    return { status: 'ready', model: this.ctx.service.model, models };
  }
}
