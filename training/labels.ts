/**
 * The label set of the default model, their definitions (written into model.json and the model
 * card) and how each dataset maps onto them. A dataset only supervises the labels it knows: every
 * other (example, label) pair is masked out of the loss.
 */

export const LABELS = ['toxic', 'severe_toxic', 'obscene', 'threat', 'insult', 'identity_hate', 'sexism', 'spam', 'offensive'] as const;
export type LabelName = (typeof LABELS)[number];

/** Index of the overall ("breaks any policy") head: the output after the labels. */
export const OVERALL = LABELS.length;
/** Network outputs: the labels, then overall. */
export const OUTPUTS = LABELS.length + 1;
export const OUTPUT_NAMES: readonly string[] = [...LABELS, 'overall'];

export const LABEL_DESCRIPTIONS: Record<LabelName, string> = {
  toxic:
    'Rude, disrespectful or unreasonable language likely to make someone leave a discussion: insults, profanity aimed at people, ' +
    'hateful or demeaning remarks (Jigsaw "toxic"; also OffensEval "offensive", Davidson hate/offensive, HatEval hate).',
  severe_toxic: 'Very hateful, aggressive or disrespectful language; a stronger subset of toxic (Jigsaw "severe_toxic").',
  obscene: 'Obscene or vulgar language: swearing, sexual profanity (Jigsaw "obscene").',
  threat: 'A wish or intention to inflict pain, injury or violence on someone (Jigsaw "threat"; EDOS "threats, plans to harm and incitement").',
  insult: 'Insulting, inflammatory or negative language aimed at a person or group (Jigsaw "insult").',
  identity_hate:
    'Hate or demeaning language aimed at people for who they are: race, ethnicity, origin, religion, gender, sexual orientation, ' +
    'disability (Jigsaw "identity_hate"; HatEval hate against immigrants and women; Davidson "hate speech").',
  sexism: 'Abuse, prejudice or discrimination aimed at women because of their gender (EDOS task A "sexist").',
  spam: 'Unsolicited commercial or fraudulent bulk messages: prizes, premium-rate numbers, "text STOP" (SMS Spam Collection "spam").',
  offensive:
    'Offensive language in the OffensEval / OLID sense: any profanity, or any offence or insult aimed at someone, veiled or direct, ' +
    'including untargeted swearing (OffensEval "offensive"; Davidson hate or offensive; Jigsaw any of its six labels).',
};

export const OVERALL_DESCRIPTION =
  'Probability that the text breaks any policy covered by the labels (toxicity in any form, sexism, spam). ' +
  'Trained as its own head: positive when any known label is positive; negative only where the source dataset rules out every policy ' +
  '(Jigsaw clean rows, Davidson "neither", OffensEval "not offensive", SMS "ham").';

/** The mapping table for the model card: dataset -> how its labels become ours. */
export const LABEL_MAPPING: { dataset: string; rule: string }[] = [
  {
    dataset: 'jigsaw-toxic-subset',
    rule:
      'toxic, severe_toxic, obscene, threat, insult, identity_hate copied; overall = any of them; spam = 0; ' +
      'sexism = 0 where identity_hate = 0 (sexism is identity-based hate), else unknown; offensive = any of the six.',
  },
  {
    dataset: 'davidson-hate-offensive',
    rule:
      'class 0 "hate speech" -> toxic = 1, identity_hate = 1, offensive = 1, overall = 1; class 1 "offensive" -> toxic = 1, identity_hate = 0, offensive = 1, overall = 1; ' +
      'class 2 "neither" -> all six Jigsaw labels = 0, offensive = 0, overall = 0; spam = 0; the rest unknown.',
  },
  {
    dataset: 'tweeteval-offensive',
    rule: '1 "offensive" -> offensive = 1, toxic = 1, overall = 1 (other labels unknown); 0 "not offensive" -> offensive = 0, all six Jigsaw labels = 0, overall = 0; spam = 0.',
  },
  {
    dataset: 'tweeteval-hate',
    rule: '1 "hate" -> identity_hate = 1, toxic = 1, overall = 1; 0 "not hate" -> identity_hate = 0 only (a not-hate tweet may still be offensive); spam = 0.',
  },
  {
    dataset: 'edos-sexism',
    rule:
      '"sexist" -> sexism = 1, overall = 1, threat = 1 when its (exclusive) category is "1. threats, plans to harm and incitement", else threat = 0; ' +
      '"not sexist" -> sexism = 0 only; spam = 0.',
  },
  {
    dataset: 'sms-spam-collection',
    rule: '"spam" -> spam = 1, overall = 1; "ham" -> spam = 0, overall = 0; both -> the six Jigsaw labels = 0, sexism = 0.',
  },
];

/**
 * The output that each dataset's own task is scored on (the headline per-dataset numbers);
 * the report also gives every other supervised label.
 */
export const PRIMARY_OUTPUT: Record<string, string[]> = {
  'jigsaw-toxic-subset': ['toxic', 'severe_toxic', 'obscene', 'threat', 'insult', 'identity_hate'],
  'davidson-hate-offensive': ['toxic', 'identity_hate'],
  'tweeteval-offensive': ['offensive'],
  'tweeteval-hate': ['identity_hate'],
  'edos-sexism': ['sexism'],
  'sms-spam-collection': ['spam'],
};
