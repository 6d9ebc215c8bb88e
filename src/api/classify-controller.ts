import { Body, Controller, Example, Post, Request, Response, Route, SuccessResponse, Tags } from '@tsoa/runtime';
import type { Request as ExpressRequest } from 'express';
import type { AppContext } from '../context';
import type { ClassifyRequest, ClassifyResponse, Problem } from './types';
import { checkLimits, textsOf } from './classify-input';
import { whenClientGone } from './client-gone';
import { selectModel } from './model-selection';

const PROBLEM_JSON = 'application/problem+json';

@Route('classify')
@Tags('Moderation')
export class ClassifyController extends Controller {
  constructor(private readonly ctx: AppContext) {
    super();
  }

  /**
   * Scores one text (`{"text": ...}`) or a batch (`{"texts": [...]}`) with the model named in
   * `model` (the first configured one when absent). Every label's probability, an overall
   * probability that the text breaks any policy, the labels over their thresholds, and `flagged`
   * come back for each text, in input order; transformer models also say what of the text they read.
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
  @Response<Problem>(422, 'Schema violation (the field is named), or an unknown model (the available ones are named)', undefined, PROBLEM_JSON)
  @Response<Problem>(500, 'Unexpected failure (logged with the request id; the answer says nothing more)', undefined, PROBLEM_JSON)
  @Response<Problem>(503, 'Not ready, shutting down, or the inference queue is full (see Retry-After)', undefined, PROBLEM_JSON)
  public async classify(@Body() body: ClassifyRequest, @Request() req: ExpressRequest): Promise<ClassifyResponse> {
    const { config, models } = this.ctx;
    const texts = textsOf(body);
    const { service } = selectModel(models, body.model);
    checkLimits(texts, config.classifier.limits);
    // A client that disconnects while its texts wait in the queue should not cost a model run.
    // Failures are ModerationErrors; src/api/moderation-problems.ts maps each kind to its answer.
    // req.caller (API key or address, from src/security/access.ts): the queue serves clients fairly.
    const results = await service.classify(texts, req.res && whenClientGone(req.res), req.caller);
    return { model: service.model, results: results.map((r, index) => ({ index, ...r })) };
  }
}
