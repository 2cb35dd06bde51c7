// The quickest reading of an alert or config file: block mappings and lists of plain, quoted and block scalars, as
// yaml.stringify and most people write them, read line by line (several times quicker than js-yaml on a cold start,
// when little code is compiled yet). Anything else (flow mappings, anchors, tags, multi-line plain scalars, odd keys,
// tabs, documents) is declined and left to the other readings; test/config/yamlFast.test.ts compares it with the
// yaml package on every fixture and on generated YAML.
import { coreScalar } from './coreScalars.js';

/** Thrown to decline a text. */
const DECLINE = Symbol('decline');

/** Characters or lines this reading never takes: tabs, CR, control characters, directives, document markers. */
const UNSURE = /[\t\r\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|^(?:---|\.\.\.)(?:[ \n]|$)|^%/m;
/** A plain key and the separator after it. */
const KEY = /^([A-Za-z0-9_][A-Za-z0-9_./-]*):(?: +|$)/;
/** The longest line read (the yaml package refuses implicit keys over 1,024 characters). */
const MAX_LINE = 1024;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', e: '\x1b', a: '\x07', v: '\v', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029', ' ': ' ' };
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

function decline(): never {
  throw DECLINE;
}

function indentOf(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === 32) n++;
  return n;
}

/**
 * The value of a YAML text whose top is a block mapping of the simple forms above, exactly as the yaml package
 * (YAML 1.2 core schema) reads it; undefined when it declines.
 */
export function simpleYamlValue(text: string): { value: unknown } | undefined {
  if (UNSURE.test(text)) return undefined;
  try {
    const reader = new LineReader(text.split('\n'));
    reader.skip();
    if (reader.done() || indentOf(reader.line()) !== 0) return undefined;
    const value = reader.mapping(0);
    reader.skip();
    return reader.done() ? { value } : undefined;
  } catch (error) {
    if (error === DECLINE) return undefined;
    throw error;
  }
}

class LineReader {
  private i = 0;

  constructor(private readonly lines: string[]) {
    for (const line of lines) if (line.length > MAX_LINE) decline();
  }

  done(): boolean {
    return this.i >= this.lines.length;
  }

  line(): string {
    return this.lines[this.i]!;
  }

  /** Passes blank lines and comment lines. */
  skip(): void {
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      const at = indentOf(line);
      if (at < line.length && line[at] !== '#') return;
      this.i++;
    }
  }

  /** The next line of a block at column `n` (blank and comment lines passed), or undefined where the block ends. */
  private blockLine(n: number): string | undefined {
    this.skip();
    if (this.done()) return undefined;
    const line = this.line();
    const at = indentOf(line);
    if (at < n) return undefined;
    if (at > n) decline();
    return line;
  }

  /** A block mapping whose keys are at column `n`. */
  mapping(n: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (;;) {
      const line = this.blockLine(n);
      if (line === undefined) return map;
      const content = line.slice(n);
      const key = KEY.exec(content);
      if (!key) decline();
      const name = key[1]!;
      if (name === '__proto__' || Object.hasOwn(map, name) || coreScalar(name) !== undefined) decline();
      map[name] = this.value(content.slice(key[0].length), n, true);
    }
  }

  /** A block sequence whose dashes are at column `n`. */
  sequence(n: number): unknown[] {
    const list: unknown[] = [];
    for (;;) {
      const line = this.blockLine(n);
      if (line === undefined) return list;
      if (!line.startsWith('- ', n)) {
        if (line.length === n + 1 && line[n] === '-') decline();
        return list;
      }
      const after = line.slice(n + 2);
      const gap = indentOf(after);
      const rest = after.slice(gap);
      if (rest === '' || rest[0] === '#' || rest[0] === '-') decline();
      if (KEY.test(rest)) {
        // `- key: value`: a mapping whose keys are at the first key's column.
        const column = n + 2 + gap;
        this.lines[this.i] = ' '.repeat(column) + rest;
        list.push(this.mapping(column));
      } else list.push(this.value(rest, n, false));
    }
  }

  /** The value after a key (`forKey`) or a dash on the current line, whose holder (key or dash) is at column `holder`. */
  private value(rest: string, holder: number, forKey: boolean): unknown {
    if (rest === '' || rest[0] === '#') {
      this.i++;
      this.skip();
      if (this.done()) return null;
      const line = this.line();
      const at = indentOf(line);
      const dash = line.startsWith('- ', at) || line.length === at + 1 && line[at] === '-';
      if (at > holder) return dash ? this.sequence(at) : this.mapping(at);
      if (at === holder && forKey && dash) return this.sequence(at);
      return null;
    }
    const first = rest[0]!;
    let value: unknown;
    if (first === '"') value = this.doubleQuoted(rest, holder);
    else if (first === "'") value = singleQuoted(rest);
    else if (first === '|' || first === '>') return this.blockScalar(rest, holder);
    else if (first === '[') value = flowSequence(rest);
    else if (first === '{') {
      if (!rest.startsWith('{}')) decline();
      afterQuote(rest, 2);
      value = {};
    }
    else value = plain(rest);
    this.i++;
    // A line below that is indented deeper would continue the scalar (or be an error): the careful reading decides.
    this.skip();
    if (!this.done() && indentOf(this.line()) > holder) decline();
    return value;
  }

  /** A double-quoted scalar starting at `rest` on the current line, folded over the lines below it if it goes on. */
  private doubleQuoted(rest: string, holder: number): string {
    // The lines read so far (each without its trailing spaces), joined by one space at the end; `out` is this line's.
    const folded: string[] = [];
    let out = '';
    let text = rest;
    let j = 1;
    let multiLine = false;
    // Where this line's next `"` and `\\` are (-1: to be searched), each searched again only once passed: one search
    // per escape from the escape before, not the rest of the line (quadratic in a line of many escapes).
    let quote = -1;
    let escape = -1;
    for (;;) {
      if (j >= text.length) {
        // The scalar goes on: each further line must be indented deeper than its holder, not blank, with no escapes.
        if (text.includes('\\')) decline();
        multiLine = true;
        // Only this line's trailing spaces: work over all the text so far would be quadratic in the lines.
        folded.push(out.replace(/ +$/, ''));
        out = '';
        this.i++;
        if (this.done()) decline();
        const next = this.line();
        const at = indentOf(next);
        if (at === next.length || at <= holder) decline();
        text = next;
        j = at;
        quote = escape = -1;
        continue;
      }
      // The text up to the next quote or backslash is taken as it is, in one piece (not a character at a time).
      if (quote < j) quote = nextOf(text, '"', j);
      if (escape < j) escape = nextOf(text, '\\', j);
      const stop = Math.min(quote, escape);
      if (stop > j) {
        out += text.slice(j, stop);
        j = stop;
        continue;
      }
      const c = text[j]!;
      if (c === '"') break;
      if (c === '\\') {
        if (multiLine) decline();
        const e = text[j + 1];
        if (e === undefined) decline();
        const length = HEX_LENGTH[e];
        if (length) {
          const hex = text.slice(j + 2, j + 2 + length);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length) decline();
          const code = parseInt(hex, 16);
          if (code > 0x10ffff) decline();
          out += String.fromCodePoint(code);
          j += 2 + length;
          continue;
        }
        const escaped = ESCAPES[e];
        if (escaped === undefined) decline();
        out += escaped;
        j += 2;
        continue;
      }
      // Unreachable: the text stops only at a quote or a backslash.
      decline();
    }
    afterQuote(text, j + 1);
    folded.push(out);
    return folded.join(' ');
  }

  /** A literal (`|`) or folded (`>`) block scalar, clipped or stripped (`-`), held at column `holder`. */
  private blockScalar(rest: string, holder: number): string {
    const header = /^([|>])(-?) *$/.exec(rest);
    if (!header) decline();
    const folded = header[1] === '>';
    const strip = header[2] === '-';
    this.i++;
    let indent = -1;
    const lines: string[] = [];
    while (!this.done()) {
      const line = this.line();
      if (line === '') {
        lines.push('');
        this.i++;
        continue;
      }
      const at = indentOf(line);
      if (at === line.length) decline();
      if (indent < 0) {
        if (at <= holder) break;
        indent = at;
      }
      if (at < indent) {
        if (at <= holder) break;
        decline();
      }
      const content = line.slice(indent);
      if (folded && content[0] === ' ') decline();
      lines.push(content);
      this.i++;
    }
    while (lines.length && lines.at(-1) === '') lines.pop();
    if (!lines.length) return '';
    let text: string;
    if (!folded) text = lines.join('\n');
    else {
      // Blank lines before the first text are line breaks; between texts, one break folds into a space.
      let first = 0;
      while (lines[first] === '') first++;
      text = '\n'.repeat(first) + lines[first]!;
      let blanks = 0;
      for (let k = first + 1; k < lines.length; k++) {
        if (lines[k] === '') blanks++;
        else {
          text += blanks ? '\n'.repeat(blanks) : ' ';
          text += lines[k];
          blanks = 0;
        }
      }
    }
    return strip ? text : text + '\n';
  }
}

/** Only blanks and a comment may follow a quoted or flow value on its line. */
function afterQuote(text: string, from: number): void {
  const tail = text.slice(from);
  if (tail === '') return;
  const at = indentOf(tail);
  if (at === tail.length) return;
  if (at === 0 || tail[at] !== '#') decline();
}

/** Where the next `char` of a double-quoted scalar's line is, from `from` on (the line's length if none). */
function nextOf(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at < 0 ? text.length : at;
}

/** A single-quoted scalar on one line: the text between quotes taken in pieces, `''` read as one quote. */
function singleQuoted(rest: string): string {
  let out = '';
  let j = 1;
  for (;;) {
    const quote = rest.indexOf("'", j);
    if (quote < 0) return decline();
    out += rest.slice(j, quote);
    if (rest[quote + 1] === "'") {
      out += "'";
      j = quote + 2;
      continue;
    }
    afterQuote(rest, quote + 1);
    return out;
  }
}

/** A one-line flow sequence of plain words or simple double-quoted text: `[a, b]`, `[]`. */
function flowSequence(rest: string): unknown[] {
  const close = rest.indexOf(']');
  if (close < 0) decline();
  const inner = rest.slice(1, close);
  // Only ASCII here: JavaScript's trim() would also take unicode spaces (a no-break space) that YAML keeps as text.
  if (/[[\]{}#'\\:?&*!|>%@`]|[^\x20-\x7e]/.test(inner)) decline();
  afterQuote(rest, close + 1);
  if (inner.trim() === '') return [];
  return inner.split(',').map((part) => {
    const item = part.trim();
    if (item === '' || item[0] === '-' && (item.length === 1 || item[1] === ' ')) decline();
    if (item[0] === '"') {
      if (item.length < 2 || item.at(-1) !== '"' || item.slice(1, -1).includes('"')) decline();
      return item.slice(1, -1);
    }
    if (item.includes('"')) decline();
    const read = coreScalar(item);
    return read ? read.value : item;
  });
}

/** A plain scalar on one line (its comment removed), read by the YAML 1.2 core schema. */
function plain(rest: string): unknown {
  const first = rest[0]!;
  if ('&*!%@`#,[]{}|>'.includes(first)) decline();
  if ((first === '-' || first === '?' || first === ':') && (rest.length === 1 || rest[1] === ' ')) decline();
  const comment = rest.indexOf(' #');
  const text = (comment >= 0 ? rest.slice(0, comment) : rest).replace(/ +$/, '');
  if (text.includes(': ') || text.endsWith(':')) decline();
  const read = coreScalar(text);
  return read ? read.value : text;
}
