// Cuts one array member of a JSON object's text into the texts of its items, without parsing them: each is parsed
// when it is read, so that a large answer is never one tree of objects at once.

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/**
 * The texts of the items of `text`'s top-level member `key` (an array), and its other top-level members parsed;
 * undefined when `text` is not a JSON object with exactly one such array member (parse it whole then: JSON.parse
 * says what is wrong). The items are only delimited (strings, and the nesting of brackets): an item may still be
 * invalid JSON, which JSON.parse tells when it is read.
 */
export function jsonArrayItems(text: string, key: string): { items: string[]; others: Map<string, unknown> } | undefined {
  try {
    return cut(text, key);
  } catch {
    return undefined; // a key or another member that is not JSON
  }
}

function cut(text: string, key: string): { items: string[]; others: Map<string, unknown> } | undefined {
  const others = new Map<string, unknown>();
  let items: string[] | undefined;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return undefined;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const nameEnd = stringEnd(text, i);
    if (nameEnd < 0) return undefined;
    const name = JSON.parse(text.slice(i, nameEnd)) as string;
    i = skipSpace(text, nameEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    i = skipSpace(text, i + 1);
    if (name === key) {
      // Twice, or not an array: JSON.parse's reading (the last one wins) is left to it.
      if (items || text.charCodeAt(i) !== OPEN_BRACKET) return undefined;
      items = [];
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === CLOSE_BRACKET) i++;
      else {
        for (;;) {
          const end = valueEnd(text, i);
          if (end < 0) return undefined;
          items.push(text.slice(i, end));
          i = skipSpace(text, end);
          const c = text.charCodeAt(i++);
          if (c === CLOSE_BRACKET) break;
          if (c !== COMMA) return undefined;
          i = skipSpace(text, i);
        }
      }
    } else {
      const end = valueEnd(text, i);
      if (end < 0) return undefined;
      others.set(name, JSON.parse(text.slice(i, end)));
      i = end;
    }
    i = skipSpace(text, i);
    const c = text.charCodeAt(i++);
    if (c === CLOSE_BRACE) break;
    if (c !== COMMA) return undefined;
    i = skipSpace(text, i);
  }
  if (skipSpace(text, i) !== text.length || !items) return undefined;
  return { items, others };
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** Where the string starting at `i` (its opening quote) ends (after its closing quote), or -1 when it does not. */
function stringEnd(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let b = quote - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    // An even number of backslashes before it: the quote is not escaped.
    if ((quote - 1 - b) % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Where the value starting at `i` ends: a string, an object or array (by its nesting), or a number or literal (up to a delimiter); -1 when it does not. */
function valueEnd(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return stringEnd(text, i);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    const n = text.length;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i = stringEnd(text, i);
        if (i < 0) return -1;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
      i++;
    }
    return -1;
  }
  let j = i;
  for (; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 32 || c === 10 || c === 13 || c === 9) break;
  }
  return j > i ? j : -1;
}
