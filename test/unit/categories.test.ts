import { categoryLabelNames, configuredCategories, defaultCategories, OPENAI_CATEGORIES } from '../../src/moderation/categories';
import { loadBundle } from '../../src/model/bundle';
import { DEFAULT_MODEL } from '../support/harness';

describe('OpenAI categories from model labels', () => {
  it('lists OpenAI’s thirteen moderation categories', () => {
    expect(OPENAI_CATEGORIES).toHaveLength(13);
  });

  it('maps the embedded model’s labels by name (the documented default)', () => {
    const labels = loadBundle(DEFAULT_MODEL).manifest.labels.map((l) => l.name);
    const names = categoryLabelNames(defaultCategories(labels), labels);
    expect(names).toMatchObject({
      harassment: ['toxic', 'severe_toxic', 'insult'],
      'harassment/threatening': ['threat'],
      hate: ['identity_hate', 'sexism'],
      violence: ['threat'],
      'hate/threatening': [],
      'sexual/minors': [],
      illicit: [],
    });
    // Labels that feed no category: spam, obscene (profanity), offensive.
    const fed = new Set(Object.values(names).flat());
    expect(labels.filter((l) => !fed.has(l)).sort()).toEqual(['obscene', 'offensive', 'spam']);
  });

  it('knows the names of Detoxify-style and OpenAI-named labels, in any case or separator', () => {
    const labels = ['Toxicity', 'severe toxicity', 'identity_attack', 'sexual_explicit', 'self-harm/intent', 'neutral'];
    expect(categoryLabelNames(defaultCategories(labels, ['neutral']), labels)).toMatchObject({
      harassment: ['Toxicity', 'severe toxicity'],
      hate: ['identity_attack'],
      sexual: ['sexual_explicit'],
      'self-harm/intent': ['self-harm/intent'],
    });
  });

  it('takes a configured mapping instead, naming the key of a label the model lacks or a benign one', () => {
    const labels = ['neutral', 'toxic', 'threat'];
    expect(configuredCategories({ violence: ['threat', 'toxic'], hate: [] }, labels, ['neutral'], 'models.1.categories')).toEqual({ violence: [2, 1] });
    expect(() => configuredCategories({ hate: ['hateful'] }, labels, [], 'models.1.categories')).toThrow("'models.1.categories.hate': the model has no label 'hateful'");
    expect(() => configuredCategories({ hate: ['neutral'] }, labels, ['neutral'], 'models.1.categories')).toThrow('benign_labels');
  });
});
