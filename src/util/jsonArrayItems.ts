// Cuts one array member of a JSON object's text into the texts of its items, without parsing them: each is parsed
// when it is read, so that a large answer is never one tree of objects at once. The whole text's JSON syntax is
// checked as it is cut: a damaged text is never cut (it could be cut wrongly, one item taking another's place).

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
 * says what is wrong), or when any part of it is not valid JSON: each item cut is valid JSON, and the items are
 * those JSON.parse reads.
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

/**
 * Where the string starting at `i` (its opening quote) ends (after its closing quote), or -1 when it does not or is
 * not a JSON string (a control character, an unknown escape, a \u without four hex digits).
 */
function stringEnd(text: string, i: number): number {
  const n = text.length;
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -1;
    if (c === BACKSLASH) {
      const e = text.charCodeAt(++i);
      if (e === 117 /* u */) {
        for (let h = 1; h <= 4; h++) if (!isHex(text.charCodeAt(i + h))) return -1;
        i += 4;
      } else if (!ESCAPES.has(e)) return -1;
    }
  }
  return -1;
}

/** The characters a backslash may escape in a JSON string besides u: " \ / b f n r t. */
const ESCAPES = new Set([QUOTE, BACKSLASH, 47, 98, 102, 110, 114, 116]);

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Where the number or literal (true, false, null) starting at `i` ends, or -1 when it is none (JSON's grammar). */
function scalarEnd(text: string, i: number): number {
  for (const literal of LITERALS) if (text.startsWith(literal, i)) return i + literal.length;
  if (text.charCodeAt(i) === 45 /* - */) i++;
  const first = text.charCodeAt(i);
  if (first === 48 /* 0 */) i++;
  else if (isDigit(first)) while (isDigit(text.charCodeAt(i))) i++;
  else return -1;
  if (text.charCodeAt(i) === 46 /* . */) {
    if (!isDigit(text.charCodeAt(++i))) return -1;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69 /* e E */) {
    const sign = text.charCodeAt(++i);
    if (sign === 43 || sign === 45) i++;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

const LITERALS = ['true', 'false', 'null'];

/** Past the key starting at `i` (a string, then a colon, spaces around it), or -1 when there is none. */
function keyEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== QUOTE) return -1;
  i = stringEnd(text, i);
  if (i < 0) return -1;
  i = skipSpace(text, i);
  return text.charCodeAt(i) === COLON ? skipSpace(text, i + 1) : -1;
}

/**
 * Where the JSON value starting at `i` ends, or -1 when it is not valid JSON: its whole syntax is checked (keys,
 * colons, commas, matching brackets by type, strings, numbers, literals) without building it, so that only a text
 * JSON.parse reads the same way is ever cut into items.
 */
function valueEnd(text: string, i: number): number {
  // The closing bracket each open container expects, innermost last.
  const open: number[] = [];
  for (;;) {
    // A value at i.
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === close) i++;
      else {
        open.push(close);
        if (close === CLOSE_BRACE && (i = keyEnd(text, i)) < 0) return -1;
        continue;
      }
    } else i = scalarEnd(text, i);
    if (i < 0) return -1;
    // After a value: close what ends here, then a comma (and a key in an object) before the next value.
    for (;;) {
      if (!open.length) return i;
      i = skipSpace(text, i);
      const d = text.charCodeAt(i);
      const close = open[open.length - 1];
      if (d === COMMA) {
        i = skipSpace(text, i + 1);
        if (close === CLOSE_BRACE && (i = keyEnd(text, i)) < 0) return -1;
        break;
      }
      if (d !== close) return -1;
      open.pop();
      i++;
    }
  }
}
