import { readFileSync } from 'node:fs';
import type { Tokenizer as TokenizerClass } from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };

// The package is an ES module with a CommonJS build for require(); its types are declared for the ES module only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer } = require('@huggingface/tokenizers') as { Tokenizer: typeof TokenizerClass };
type Tokenizer = TokenizerClass;

export interface TokenizerFiles {
  tokenizerPath: string;
  tokenizerConfigPath?: string;
  /** config.json's pad_token_id, used when the tokenizer names no padding token. */
  padTokenId?: number;
}

type Json = Record<string, unknown>;

function readJson(file: string): Json {
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

/** The text of a token entry in tokenizer_config.json: a string, or an AddedToken object with `content`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as Json).content === 'string') return (value as Json).content as string;
  return undefined;
}

/** Where `part` first occurs in `whole`, or -1. */
function indexOfRun(whole: readonly number[], part: readonly number[]): number {
  outer: for (let i = 0; i + part.length <= whole.length; i++) {
    for (let j = 0; j < part.length; j++) if (whole[i + j] !== part[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * A Hugging Face fast tokenizer (tokenizer.json: WordPiece, BPE or Unigram with its normalizer,
 * pre-tokenizer and post-processor), run by @huggingface/tokenizers in pure JS, no network.
 *
 * Texts are tokenized once without special tokens; each model input is then `prefix + a slice of
 * the ids + suffix`, so a long text can be cut into windows and every window still gets the
 * special tokens the post-processor would add (e.g. [CLS] ... [SEP], <s> ... </s>).
 */
export class HfTokenizer {
  /** Special tokens before a single sequence. */
  readonly prefix: readonly number[];
  /** Special tokens after it. */
  readonly suffix: readonly number[];
  readonly padId: number;

  private constructor(
    private readonly tokenizer: Tokenizer,
    padId: number,
  ) {
    const probe = 'a';
    const content = tokenizer.encode(probe, { add_special_tokens: false }).ids;
    const full = tokenizer.encode(probe).ids;
    const at = indexOfRun(full, content);
    if (content.length === 0 || at < 0) throw new Error('tokenizer.json: cannot tell which special tokens its post-processor adds');
    this.prefix = full.slice(0, at);
    this.suffix = full.slice(at + content.length);
    this.padId = padId;
  }

  static load(files: TokenizerFiles): HfTokenizer {
    const json = readJson(files.tokenizerPath);
    const config = files.tokenizerConfigPath ? readJson(files.tokenizerConfigPath) : {};
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, config);
    } catch (err) {
      throw new Error(`${files.tokenizerPath}: ${(err as Error).message}`);
    }
    const padding = json.padding as Json | null | undefined;
    const named = tokenText(config.pad_token);
    const padId =
      (typeof padding?.pad_id === 'number' ? padding.pad_id : undefined) ??
      (named !== undefined ? tokenizer.token_to_id(named) : undefined) ??
      files.padTokenId ??
      0;
    return new HfTokenizer(tokenizer, padId);
  }

  /** Special tokens each model input carries besides the text's own. */
  get specialCount(): number {
    return this.prefix.length + this.suffix.length;
  }

  /** The text's token ids, without special tokens. */
  ids(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** The text's ids as the tokenizer alone would give them, special tokens included (for tests and checks). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }
}
