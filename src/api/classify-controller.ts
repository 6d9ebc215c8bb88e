import { Body, Controller, Example, Post, Request, Response, Route, SuccessResponse, Tags } from '@tsoa/runtime';
import type { Request as ExpressRequest } from 'express';
import type { AppContext } from '../context';
import { HttpProblem } from './problem';
import type { ClassifyRequest, ClassifyResponse, Problem } from './types';
import { checkLimits, textsOf } from './classify-input';
import { QueueRejection, SubmissionCancelled } from '../moderation/batcher';
import { InferenceError } from '../model/worker-pool';
import { CLIENT_CLOSED_REQUEST, whenClientGone } from './client-gone';

const PROBLEM_JSON = 'application/problem+json';

@Route('classify')
@Tags('Moderation')
export class ClassifyController extends Controller {
  constructor(private readonly ctx: AppContext) {
    super();
  }

  /**
   * Scores one text (`{"text": ...}`) or a batch (`{"texts": [...]}`) with the embedded model.
   * Every label's probability, an overall probability that the text breaks any policy, the labels
   * over their thresholds, and `flagged` come back for each text, in input order.
   */
  @Post()
  @SuccessResponse(200, 'Classified')
  @Example<ClassifyResponse>({
    model: { name: 'moderator-fasttext', version: '1.2.0' },
    results: [
      {
        index: 0,
        flagged: true,
        overall: 0.97,
        labels: ['toxic', 'insult', 'offensive'],
        scores: {
          toxic: 0.96,
          severe_toxic: 0.08,
          obscene: 0.31,
          threat: 0.01,
          insult: 0.88,
          identity_hate: 0.02,
          sexism: 0.01,
          spam: 0.0,
          offensive: 0.95,
        },
      },
    ],
  })
  @Response<Problem>(400, 'Malformed JSON, or a body that does not decode as its Content-Encoding says', undefined, PROBLEM_JSON)
  @Response<Problem>(413, 'Body, text or batch over the configured limits (the limit is named)', undefined, PROBLEM_JSON)
  @Response<Problem>(415, 'Content-Type is not application/json', undefined, PROBLEM_JSON)
  @Response<Problem>(422, 'Schema violation (the field is named)', undefined, PROBLEM_JSON)
  @Response<Problem>(500, 'Unexpected failure (logged with the request id; the answer says nothing more)', undefined, PROBLEM_JSON)
  @Response<Problem>(503, 'Not ready, shutting down, or the inference queue is full (see Retry-After)', undefined, PROBLEM_JSON)
  public async classify(@Body() body: ClassifyRequest, @Request() req: ExpressRequest): Promise<ClassifyResponse> {
    const { config, lifecycle, service } = this.ctx;
    const reason = lifecycle.unavailableReason();
    if (reason) throw new HttpProblem(503, 'not-ready', 'Service not ready', `The service is not ready: ${reason}.`, {}, { 'Retry-After': '1' });
    const texts = textsOf(body);
    checkLimits(texts, config.classifier.limits);
    let results;
    try {
      // A client that disconnects while its texts wait in the queue should not cost a model run.
      results = await service.classify(texts, req.res && whenClientGone(req.res));
    } catch (err) {
      if (err instanceof SubmissionCancelled) {
        // Nobody is listening (the logs and metrics already recorded 499 when the response closed).
        throw new HttpProblem(CLIENT_CLOSED_REQUEST, 'client-closed-request', 'Client closed request', 'The client disconnected before the result was ready.');
      }
      if (err instanceof QueueRejection) {
        throw new HttpProblem(503, 'overloaded', 'Service overloaded', `${err.message}; retry later.`, {}, { 'Retry-After': '1' });
      }
      if (err instanceof InferenceError) {
        req.log?.error({ reason: err.reason, texts: texts.length }, 'model run failed');
        throw new HttpProblem(503, 'inference-failed', 'Model run failed', `The model run failed (${err.reason}); retry.`, {}, { 'Retry-After': '1' });
      }
      throw err;
    }
    return { model: service.model, results: results.map((r, index) => ({ index, ...r })) };
  }
}
