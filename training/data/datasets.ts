/**
 * Dataset loaders: read the public datasets from the data folder (never copied into the repo),
 * map their labels onto ours (labels.ts) with per-label masks, and split train / validation.
 *
 * Validation splits (deterministic, independent of the training seed):
 * - tweeteval-hate, tweeteval-offensive: the official `val` files;
 * - edos-sexism: the official `dev` rows (split column);
 * - jigsaw-toxic-subset (6 files de-duplicated by id), davidson-hate-offensive, sms-spam-collection:
 *   stratified hash split: rows are grouped (jigsaw: id, davidson: row index, sms: normalised text,
 *   so duplicate messages stay together), grouped into strata (jigsaw: the rarest positive label,
 *   davidson: class, sms: ham/spam), and within each stratum the groups with the smallest
 *   fnv1a32("split:" + key) hashes make up `VAL_FRACTION` of it.
 * Leak guard: a training row whose normalised text equals any validation text (of any dataset)
 * is dropped from training.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readCsvRecords } from './csv';
import { LABELS, OUTPUTS, OVERALL, type LabelName } from '../labels';

export const DATASETS = [
  'jigsaw-toxic-subset',
  'davidson-hate-offensive',
  'tweeteval-offensive',
  'tweeteval-hate',
  'edos-sexism',
  'sms-spam-collection',
] as const;
export type DatasetName = (typeof DATASETS)[number];

export const VAL_FRACTION: Partial<Record<DatasetName, number>> = {
  'jigsaw-toxic-subset': 0.15,
  'davidson-hate-offensive': 0.1,
  'sms-spam-collection': 0.15,
};

export interface DatasetMeta {
  name: DatasetName;
  licence: string;
  source: string;
  validation: string;
}

export const DATASET_META: Record<DatasetName, DatasetMeta> = {
  'jigsaw-toxic-subset': {
    name: 'jigsaw-toxic-subset',
    licence: 'CC0 (dataset); comment text CC BY-SA 3.0 (Wikipedia talk pages)',
    source: 'Jigsaw Toxic Comment Classification (Kaggle 2018) train rows, via predibase/llm_distillation_playbook@6ccc470',
    validation: 'own stratified hash split (15 %), de-duplicated by id',
  },
  'davidson-hate-offensive': {
    name: 'davidson-hate-offensive',
    licence: 'MIT',
    source: 't-davidson/hate-speech-and-offensive-language@cb50f7e (Davidson et al., ICWSM 2017)',
    validation: 'own stratified hash split (10 %)',
  },
  'tweeteval-offensive': {
    name: 'tweeteval-offensive',
    licence: 'research use (TweetEval / OLID terms, Twitter terms)',
    source: 'cardiffnlp/tweeteval@4fbd22c datasets/offensive (OffensEval 2019 / OLID sub-task A)',
    validation: 'official val split',
  },
  'tweeteval-hate': {
    name: 'tweeteval-hate',
    licence: 'research use (TweetEval / HatEval terms, Twitter terms)',
    source: 'cardiffnlp/tweeteval@4fbd22c datasets/hate (SemEval-2019 Task 5 HatEval, English)',
    validation: 'official val split',
  },
  'edos-sexism': {
    name: 'edos-sexism',
    licence: 'CC0 1.0',
    source: 'rewire-online/edos@b1f1fbc (SemEval-2023 Task 10, train + dev)',
    validation: 'official dev split',
  },
  'sms-spam-collection': {
    name: 'sms-spam-collection',
    licence: 'CC BY 4.0 (UCI); original: free use, cite Almeida et al. 2011',
    source: 'SMS Spam Collection v.1, via maze-runnar/SMS-spam-detection@fc58dd2',
    validation: 'own stratified hash split (15 %), duplicates kept together',
  },
};

export type Split = 'train' | 'val';

export interface Example {
  text: string;
  dataset: DatasetName;
  split: Split;
  /** Targets for the outputs (labels then overall); only meaningful where known. */
  y: Float32Array;
  /** 1 = this dataset supervises this output for this row. */
  known: Uint8Array;
  /** Jigsaw: the row is from the natural-distribution file (train.5k.random.csv). */
  natural?: boolean;
}

export interface LoadOptions {
  /** Use at most this many rows of each dataset file (smoke runs); splits still apply. */
  limit?: number;
  /** Text normaliser for the leak guard and SMS grouping (the featurizer's). */
  normalize: (text: string) => string;
  /** Only these datasets (default: all). */
  only?: readonly DatasetName[];
}

export interface LoadedData {
  train: Example[];
  val: Example[];
  /** Per dataset: rows read, train rows, val rows, train rows dropped by the leak guard. */
  stats: Record<string, { rows: number; train: number; val: number; leaks_dropped: number }>;
}

// ---------------------------------------------------------------------------------------------

function fnv1a(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

interface Row {
  text: string;
  labels: Partial<Record<LabelName | 'overall', 0 | 1>>;
  /** Group key for the hash split. */
  key: string;
  stratum: string;
  split?: Split;
  natural?: boolean;
}

function makeExample(dataset: DatasetName, row: Row, split: Split): Example {
  const y = new Float32Array(OUTPUTS);
  const known = new Uint8Array(OUTPUTS);
  for (const [name, value] of Object.entries(row.labels)) {
    const idx = name === 'overall' ? OVERALL : LABELS.indexOf(name as LabelName);
    if (idx < 0) throw new Error(`unknown label ${name}`);
    y[idx] = value as number;
    known[idx] = 1;
  }
  return { text: row.text, dataset, split, y, known, natural: row.natural };
}

/** Stratified hash split of rows without an official split. */
function hashSplit(rows: Row[], fraction: number): void {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const g = groups.get(r.key);
    if (g) g.push(r);
    else groups.set(r.key, [r]);
  }
  const strata = new Map<string, { key: string; hash: number; rows: Row[] }[]>();
  for (const [key, members] of groups) {
    // A group's stratum: the first member's (duplicates share labels in practice).
    const s = members[0].stratum;
    const list = strata.get(s) ?? [];
    list.push({ key, hash: fnv1a(`split:${key}`), rows: members });
    strata.set(s, list);
  }
  for (const list of strata.values()) {
    list.sort((a, b) => a.hash - b.hash || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const nVal = Math.round(list.length * fraction);
    list.forEach((g, i) => g.rows.forEach((r) => (r.split = i < nVal ? 'val' : 'train')));
  }
}

function readText(file: string): string {
  if (!existsSync(file)) throw new Error(`dataset file not found: ${file} (pass --data DIR, the folder holding the datasets)`);
  return readFileSync(file, 'utf8');
}

function lines(file: string): string[] {
  const out = readText(file).split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out.map((l) => l.replace(/\r$/, ''));
}

const SIX = ['toxic', 'severe_toxic', 'obscene', 'threat', 'insult', 'identity_hate'] as const;

function allSix(v: 0 | 1): Partial<Record<LabelName, 0 | 1>> {
  return Object.fromEntries(SIX.map((l) => [l, v]));
}

function loadJigsaw(dir: string, limit?: number): Row[] {
  const files = ['train.a.ok.1k.csv', 'train.b.ok.1k.csv', 'train.a.bad.1k.csv', 'train.b.bad.1k.csv', 'train.c.bad.1k.csv', 'train.5k.random.csv'];
  const byId = new Map<string, Row>();
  for (const file of files) {
    const records = readCsvRecords(readText(path.join(dir, file)), file);
    const natural = file.includes('random');
    for (const rec of limit ? records.slice(0, limit) : records) {
      const id = rec.id;
      const labels: Row['labels'] = { spam: 0 };
      let any = 0 as 0 | 1;
      for (const l of SIX) {
        const v = rec[l] === '1' ? 1 : 0;
        labels[l] = v;
        if (v) any = 1;
      }
      labels.overall = any;
      labels.offensive = any;
      // Sexism is identity-based hate (gender): a row that Jigsaw's annotators did not find identity-hateful is not sexist.
      // (Without these negatives the sexism head reads any insult as sexist: EDOS is its only other source.)
      if (labels.identity_hate === 0) labels.sexism = 0;
      const prev = byId.get(id);
      if (prev) {
        for (const l of SIX) if (prev.labels[l] !== labels[l]) throw new Error(`jigsaw id ${id}: labels differ between files`);
        if (natural) prev.natural = true;
        continue;
      }
      const rarest = (['threat', 'identity_hate', 'severe_toxic', 'insult', 'obscene', 'toxic'] as const).find((l) => labels[l] === 1) ?? 'none';
      byId.set(id, { text: rec.comment_text, labels, key: id, stratum: rarest, natural });
    }
  }
  const rows = [...byId.values()];
  hashSplit(rows, VAL_FRACTION['jigsaw-toxic-subset']!);
  return rows;
}

function loadDavidson(dir: string, limit?: number): Row[] {
  const records = readCsvRecords(readText(path.join(dir, 'labeled_data.csv')), 'labeled_data.csv');
  const rows: Row[] = [];
  for (const rec of limit ? records.slice(0, limit) : records) {
    const cls = rec.class;
    let labels: Row['labels'];
    if (cls === '0') labels = { toxic: 1, identity_hate: 1, offensive: 1, overall: 1, spam: 0 };
    else if (cls === '1') labels = { toxic: 1, identity_hate: 0, offensive: 1, overall: 1, spam: 0 };
    else if (cls === '2') labels = { ...allSix(0), offensive: 0, overall: 0, spam: 0 };
    else throw new Error(`davidson: unexpected class ${cls}`);
    rows.push({ text: rec.tweet, labels, key: `row${rec['']}`, stratum: cls });
  }
  hashSplit(rows, VAL_FRACTION['davidson-hate-offensive']!);
  return rows;
}

function loadTweetEval(dir: string, task: 'offensive' | 'hate', limit?: number): Row[] {
  const rows: Row[] = [];
  for (const split of ['train', 'val'] as const) {
    const texts = lines(path.join(dir, `${split}_text.txt`));
    const labels = lines(path.join(dir, `${split}_labels.txt`));
    if (texts.length !== labels.length) throw new Error(`tweeteval-${task} ${split}: ${texts.length} texts, ${labels.length} labels`);
    const n = limit ? Math.min(limit, texts.length) : texts.length;
    for (let i = 0; i < n; i++) {
      const v = labels[i].trim();
      if (v !== '0' && v !== '1') throw new Error(`tweeteval-${task} ${split} line ${i + 1}: label ${v}`);
      let l: Row['labels'];
      if (task === 'offensive') l = v === '1' ? { offensive: 1, toxic: 1, overall: 1, spam: 0 } : { ...allSix(0), offensive: 0, overall: 0, spam: 0 };
      else l = v === '1' ? { identity_hate: 1, toxic: 1, overall: 1, spam: 0 } : { identity_hate: 0, spam: 0 };
      rows.push({ text: texts[i], labels: l, key: `${split}${i}`, stratum: v, split });
    }
  }
  return rows;
}

function loadEdos(dir: string, limit?: number): Row[] {
  const records = readCsvRecords(readText(path.join(dir, 'edos_train_dev.csv')), 'edos_train_dev.csv');
  const rows: Row[] = [];
  for (const rec of limit ? records.slice(0, limit) : records) {
    const split: Split = rec.split === 'dev' ? 'val' : rec.split === 'train' ? 'train' : (() => { throw new Error(`edos: split ${rec.split}`); })();
    let labels: Row['labels'];
    if (rec.label_sexist === 'sexist') {
      labels = { sexism: 1, overall: 1, spam: 0 };
      // Task B categories are exclusive: a sexist post filed under another category is not a threat.
      labels.threat = rec.label_category.startsWith('1.') ? 1 : 0;
    } else if (rec.label_sexist === 'not sexist') labels = { sexism: 0, spam: 0 };
    else throw new Error(`edos: label_sexist ${rec.label_sexist}`);
    rows.push({ text: rec.text, labels, key: rec.rewire_id, stratum: rec.label_sexist, split });
  }
  return rows;
}

function loadSms(dir: string, normalize: (t: string) => string, limit?: number): Row[] {
  const all = lines(path.join(dir, 'SMSSpamCollection'));
  const rows: Row[] = [];
  for (const line of limit ? all.slice(0, limit) : all) {
    const tab = line.indexOf('\t');
    const label = line.slice(0, tab);
    const text = line.slice(tab + 1);
    if (label !== 'ham' && label !== 'spam') throw new Error(`sms: label ${label}`);
    const v = label === 'spam' ? 1 : 0;
    rows.push({ text, labels: { ...allSix(0), sexism: 0, spam: v, overall: v }, key: normalize(text), stratum: label });
  }
  hashSplit(rows, VAL_FRACTION['sms-spam-collection']!);
  return rows;
}

/** Loads every dataset from `dataDir`, maps labels and splits. */
export function loadDatasets(dataDir: string, opts: LoadOptions): LoadedData {
  const only = new Set(opts.only ?? DATASETS);
  const rowsBy = new Map<DatasetName, Row[]>();
  const d = (name: string) => path.join(dataDir, name);
  if (only.has('jigsaw-toxic-subset')) rowsBy.set('jigsaw-toxic-subset', loadJigsaw(d('jigsaw-toxic-subset'), opts.limit));
  if (only.has('davidson-hate-offensive')) rowsBy.set('davidson-hate-offensive', loadDavidson(d('davidson-hate-offensive'), opts.limit));
  if (only.has('tweeteval-offensive')) rowsBy.set('tweeteval-offensive', loadTweetEval(d('tweeteval-offensive'), 'offensive', opts.limit));
  if (only.has('tweeteval-hate')) rowsBy.set('tweeteval-hate', loadTweetEval(d('tweeteval-hate'), 'hate', opts.limit));
  if (only.has('edos-sexism')) rowsBy.set('edos-sexism', loadEdos(d('edos-sexism'), opts.limit));
  if (only.has('sms-spam-collection')) rowsBy.set('sms-spam-collection', loadSms(d('sms-spam-collection'), opts.normalize, opts.limit));

  const valTexts = new Set<string>();
  for (const rows of rowsBy.values()) for (const r of rows) if (r.split === 'val') valTexts.add(opts.normalize(r.text));

  const train: Example[] = [];
  const val: Example[] = [];
  const stats: LoadedData['stats'] = {};
  for (const [name, rows] of rowsBy) {
    const s = { rows: rows.length, train: 0, val: 0, leaks_dropped: 0 };
    for (const r of rows) {
      if (r.split === 'val') {
        val.push(makeExample(name, r, 'val'));
        s.val++;
      } else if (valTexts.has(opts.normalize(r.text))) {
        s.leaks_dropped++;
      } else {
        train.push(makeExample(name, r, 'train'));
        s.train++;
      }
    }
    stats[name] = s;
  }
  return { train, val, stats };
}
