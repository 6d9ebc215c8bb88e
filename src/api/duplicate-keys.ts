/**
 * Duplicate member names in JSON text. JSON.parse keeps the last of `{"text":"a","text":"b"}` without
 * a word; the API refuses such a body instead (422 naming the key), so that what a client meant and
 * what the service scored cannot differ. Written here rather than with a JSON parser library: the
 * check is one pass over text JSON.parse has already accepted, and a full parser in JavaScript would
 * cost the main thread several times what JSON.parse does.
 */

const BACKSLASH = 0x5c;

/** The index just past the string that opens at `start` (a quote). */
function endOfString(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return text.length;
    let b = q - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/**
 * Object members in JSON text: the colons outside strings. Jumps from quote to quote and counts the
 * colons between with indexOf, so a body of numbers or long strings costs a few native scans.
 */
export function countMembers(text: string): number {
  let members = 0;
  let at = 0;
  for (;;) {
    const quote = text.indexOf('"', at);
    const stop = quote < 0 ? text.length : quote;
    for (let colon = text.indexOf(':', at); colon >= 0 && colon < stop; colon = text.indexOf(':', colon + 1)) members++;
    if (quote < 0) return members;
    at = endOfString(text, quote);
  }
}

/** Own keys of every object in a parsed JSON value (iterative: the nesting depth is the client's choice). */
function countKeys(value: unknown): number {
  let keys = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    const items = Array.isArray(v) ? v : Object.values(v);
    if (!Array.isArray(v)) keys += items.length;
    for (const item of items) if (typeof item === 'object' && item !== null) stack.push(item);
  }
  return keys;
}

const MAX_KEY_SHOWN = 64;

/** `.name` for a name that reads as an identifier, else `["name"]`; cut to MAX_KEY_SHOWN characters either way. */
function shownKey(key: string): string {
  const short = key.length > MAX_KEY_SHOWN ? `${key.slice(0, MAX_KEY_SHOWN)}…` : key;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${short}` : `[${JSON.stringify(short)}]`;
}

type Frame = { keys: Set<string>; key: string } | { index: number };

/** The path (`body.texts[0].a`) of the first repeated member, in text JSON.parse accepted. */
function firstDuplicate(text: string): string | undefined {
  const stack: Frame[] = [];
  const path = (last: string) =>
    `body${stack
      .slice(0, -1)
      .map((f) => ('index' in f ? `[${f.index}]` : shownKey(f.key)))
      .join('')}${shownKey(last)}`;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '"') {
      const end = endOfString(text, i);
      const top = stack.at(-1);
      let j = end;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (top !== undefined && 'keys' in top && text[j] === ':') {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys.has(key)) return path(key);
        top.keys.add(key);
        top.key = key;
        i = j + 1;
      } else {
        i = end;
      }
      continue;
    }
    if (c === '{') stack.push({ keys: new Set(), key: '' });
    else if (c === '[') stack.push({ index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack.at(-1);
      if (top !== undefined && 'index' in top) top.index++;
    }
    i++;
  }
  return undefined;
}

/**
 * The path of a member name given twice in one object, or undefined. `text` must be what JSON.parse
 * turned into `parsed`, and `members` its countMembers(). Only when the members outnumber the parsed
 * keys is the text walked again to name the duplicate.
 */
export function duplicateKey(text: string, parsed: unknown, members: number): string | undefined {
  if (members < 2 || typeof parsed !== 'object' || parsed === null) return undefined;
  if (members === countKeys(parsed)) return undefined;
  return firstDuplicate(text);
}
