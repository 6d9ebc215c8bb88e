import { Controller, Get, Route, Tags } from '@tsoa/runtime';
import type { AppContext } from '../context';
import { categoryLabelNames } from '../moderation/categories';
import type { ModelList } from './types';

@Route('v1/models')
@Tags('Models')
export class ModelsController extends Controller {
  constructor(private readonly ctx: AppContext) {
    super();
  }

  /**
   * The models this server runs, the default first: name, version, kind, labels with their
   * thresholds, maximum length, readiness, and which labels feed each OpenAI category. In the shape
   * of OpenAI's model list (`client.models.list()` reads it).
   */
  @Get()
  public list(): ModelList {
    const { models } = this.ctx;
    const readiness = models.readiness();
    return {
      object: 'list',
      data: models.all.map(({ info }, i) => ({
        id: info.name,
        object: 'model' as const,
        created: info.created,
        owned_by: 'content-moderator',
        name: info.name,
        version: info.version,
        kind: info.kind,
        default: i === 0,
        ready: readiness[i]!.ready,
        labels: info.labels,
        overall_threshold: info.overallThreshold,
        ...(info.maxLength === undefined ? {} : { max_length: info.maxLength, long_texts: info.longTexts }),
        categories: categoryLabelNames(info.categories, info.labels.map((l) => l.name)),
      })),
    };
  }
}
