/**
 * OpenAI's moderation categories, and which of a model's labels feed each one (POST /v1/moderations).
 * A model's `categories` in app_conf.yml say it; without them, the default below maps labels by
 * their well-known names. A category no label feeds is one the model cannot judge: it is reported
 * not flagged with score 0.
 */
export const OPENAI_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;

export type OpenAICategory = (typeof OPENAI_CATEGORIES)[number];

/** Label indexes (model label order) feeding each category; categories absent here are not judged. */
export type CategoryMap = Partial<Record<OpenAICategory, number[]>>;

/** `Severe-Toxicity`, `severe toxicity` and `severe_toxicity` are one name. */
function canonical(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/**
 * The default mapping, by canonical label name: the embedded model's Jigsaw-style labels, the names
 * Detoxify and similar Hugging Face classifiers use, and OpenAI's own category names.
 */
export const DEFAULT_CATEGORY_LABELS: Readonly<Record<string, readonly OpenAICategory[]>> = {
  toxic: ['harassment'],
  toxicity: ['harassment'],
  severe_toxic: ['harassment'],
  severe_toxicity: ['harassment'],
  insult: ['harassment'],
  threat: ['harassment/threatening', 'violence'],
  identity_hate: ['hate'],
  identity_attack: ['hate'],
  sexism: ['hate'],
  sexual_explicit: ['sexual'],
  self_harm: ['self-harm'],
  ...Object.fromEntries(OPENAI_CATEGORIES.map((c) => [canonical(c), [c]])),
};

/** The default mapping applied to a model's labels (benign labels feed nothing). */
export function defaultCategories(labels: readonly string[], benign: readonly string[] = []): CategoryMap {
  const map: CategoryMap = {};
  labels.forEach((label, index) => {
    if (benign.includes(label)) return;
    for (const category of DEFAULT_CATEGORY_LABELS[canonical(label)] ?? []) (map[category] ??= []).push(index);
  });
  return map;
}

/**
 * A configured mapping (category -> label names) as label indexes. Throws naming the key for a
 * label the model lacks or a benign one (it would flag every harmless text).
 */
export function configuredCategories(
  configured: Partial<Record<OpenAICategory, string[]>>,
  labels: readonly string[],
  benign: readonly string[],
  key: string,
): CategoryMap {
  const map: CategoryMap = {};
  for (const [category, names] of Object.entries(configured) as Array<[OpenAICategory, string[]]>) {
    const indexes: number[] = [];
    for (const name of names) {
      const index = labels.indexOf(name);
      if (index < 0) throw new Error(`'${key}.${category}': the model has no label '${name}' (labels: ${labels.join(', ')})`);
      if (benign.includes(name)) throw new Error(`'${key}.${category}': '${name}' is one of the model's benign_labels`);
      indexes.push(index);
    }
    if (indexes.length > 0) map[category] = indexes;
  }
  return map;
}

/** The mapping as label names per category, every category present ([] = not judged). */
export function categoryLabelNames(map: CategoryMap, labels: readonly string[]): Record<OpenAICategory, string[]> {
  return Object.fromEntries(OPENAI_CATEGORIES.map((c) => [c, (map[c] ?? []).map((i) => labels[i]!)])) as Record<OpenAICategory, string[]>;
}
