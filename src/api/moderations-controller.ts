import { randomUUID } from 'node:crypto';
import { Body, Controller, Example, Post, Request, Response, Route, SuccessResponse, Tags } from '@tsoa/runtime';
import type { Request as ExpressRequest } from 'express';
import type { AppContext } from '../context';
import { checkLimits } from './classify-input';
import { whenClientGone } from './client-gone';
import { selectModel } from './model-selection';
import { moderationTexts, toModerationResult } from './openai-moderation';
import type { ModerationRequest, ModerationResponse, Problem } from './types';

const PROBLEM_JSON = 'application/problem+json';

@Route('v1/moderations')
@Tags('OpenAI-compatible')
export class ModerationsController extends Controller {
  constructor(private readonly ctx: AppContext) {
    super();
  }

  /**
   * OpenAI's moderation endpoint: the official `openai` clients work against it (`baseURL` pointing
   * here, any API key). Each category is fed by labels of the model (`categories` in app_conf.yml,
   * or the default mapping by label name); categories the model cannot judge are reported not
   * flagged with score 0. Errors are problem+json, as everywhere in this API.
   */
  @Post()
  @SuccessResponse(200, 'Classified')
  @Example<ModerationResponse>({
    id: 'modr-5b9f0a1c2d3e4f5a6b7c8d9e0f1a2b3c',
    model: 'moderator-fasttext',
    results: [
      {
        flagged: true,
        categories: {
          harassment: true,
          'harassment/threatening': true,
          hate: false,
          'hate/threatening': false,
          illicit: false,
          'illicit/violent': false,
          'self-harm': false,
          'self-harm/intent': false,
          'self-harm/instructions': false,
          sexual: false,
          'sexual/minors': false,
          violence: true,
          'violence/graphic': false,
        },
        category_scores: {
          harassment: 0.91,
          'harassment/threatening': 0.83,
          hate: 0.02,
          'hate/threatening': 0,
          illicit: 0,
          'illicit/violent': 0,
          'self-harm': 0,
          'self-harm/intent': 0,
          'self-harm/instructions': 0,
          sexual: 0,
          'sexual/minors': 0,
          violence: 0.83,
          'violence/graphic': 0,
        },
        category_applied_input_types: {
          harassment: ['text'],
          'harassment/threatening': ['text'],
          hate: ['text'],
          'hate/threatening': [],
          illicit: [],
          'illicit/violent': [],
          'self-harm': [],
          'self-harm/intent': [],
          'self-harm/instructions': [],
          sexual: [],
          'sexual/minors': [],
          violence: ['text'],
          'violence/graphic': [],
        },
      },
    ],
  })
  @Response<Problem>(400, 'Malformed JSON, or a body that does not decode as its Content-Encoding says', undefined, PROBLEM_JSON)
  @Response<Problem>(413, 'Body, text or batch over the configured limits (the limit is named)', undefined, PROBLEM_JSON)
  @Response<Problem>(415, 'Content-Type is not application/json', undefined, PROBLEM_JSON)
  @Response<Problem>(422, 'Schema violation or an image input (the field is named), or an unknown model (the available ones are named)', undefined, PROBLEM_JSON)
  @Response<Problem>(500, 'Unexpected failure (logged with the request id; the answer says nothing more)', undefined, PROBLEM_JSON)
  @Response<Problem>(503, 'Not ready, shutting down, or the inference queue is full (see Retry-After)', undefined, PROBLEM_JSON)
  public async create(@Body() body: ModerationRequest, @Request() req: ExpressRequest): Promise<ModerationResponse> {
    const { config, models } = this.ctx;
    const texts = moderationTexts(body.input);
    const moderation = selectModel(models, body.model);
    checkLimits(texts, config.classifier.limits);
    const results = await moderation.service.classify(texts, req.res && whenClientGone(req.res), req.caller);
    return {
      id: `modr-${randomUUID().replace(/-/g, '')}`,
      model: moderation.info.name,
      results: results.map((r) => toModerationResult(r, moderation.info)),
    };
  }
}
