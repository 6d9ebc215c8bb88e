/** Shared paths and texts for the model tests. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const MODEL_DIR = path.join(REPO_ROOT, 'models/default');
/** The public datasets: ../shared/data beside the repository (CI checks them out there). */
export const DATA_DIR = process.env.MODERATOR_DATA_DIR ?? path.resolve(REPO_ROOT, '../shared/data');

export function requireData(): string {
  if (!existsSync(path.join(DATA_DIR, 'tweeteval-offensive', 'val_text.txt'))) {
    throw new Error(`the datasets are missing at ${DATA_DIR} (set MODERATOR_DATA_DIR or place them at ../shared/data)`);
  }
  return DATA_DIR;
}

const HANDWRITTEN = [
  'you are such an idiot, nobody wants you here',
  'Thanks for the update, see you at the meeting tomorrow!',
  '@user lol this is the best thing I have read all week 😂😂😂',
  'URGENT! You have won a £1000 prize. Call 09061701461 to claim now',
  'ＦＵＣＫ　ＹＯＵ', 'f*ck off a$$hole', 'https://example.com/x?y=1 check it', '', ' ', '\u200b\u200b',
  'Ça va? Très bien, merci.', 'Привет, как дела?', '你好，世界', 'नमस्ते दुनिया', '🙂🙃😂🤣',
  'STOP SHOUTING AT ME YOU MORON', 'a'.repeat(3000), 'word '.repeat(600), 'I\u0301 l\u0303o\u0300v\u0301e\u0308 i\u0300t',
];

/** A few hundred varied texts: TweetEval / Jigsaw / SMS validation rows when the data are there, plus hand-written edge cases. */
export function sampleTexts(n = 300): string[] {
  const out = [...HANDWRITTEN];
  const tweets = path.join(DATA_DIR, 'tweeteval-offensive', 'val_text.txt');
  const sms = path.join(DATA_DIR, 'sms-spam-collection', 'SMSSpamCollection');
  if (existsSync(tweets)) out.push(...readFileSync(tweets, 'utf8').split('\n').slice(0, Math.floor(n / 2)));
  if (existsSync(sms)) out.push(...readFileSync(sms, 'utf8').split('\n').slice(0, Math.floor(n / 4)).map((l) => l.slice(l.indexOf('\t') + 1)));
  let i = 0;
  while (out.length < n) out.push(`${HANDWRITTEN[i % HANDWRITTEN.length]} ${i++}`);
  return out.slice(0, n);
}
