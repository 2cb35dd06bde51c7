// Sigma's `re` (Python's re: a search anywhere in the value) as a Lucene regexp (always the whole term, its own syntax).
import { quoted } from '../../util/text.js';
import { SigmaRefused } from '../refused.js';

/** A Lucene regexp with the same matches as the Sigma expression, and whether it must run case-insensitively. */
export interface LuceneRegexp {
  regexp: string;
  caseInsensitive: boolean;
}

/** Characters Lucene's regexp syntax reserves that Python's treats as literal text: escaped when literal. */
const LUCENE_ONLY = new Set('"<>@&~#]}');
const DIGIT = '0-9';
const WORD = '0-9A-Za-z_';
const SPACE = ' \t\n\r\f\v';
const QUANTIFIER = /^\{(\d*)(,?)(\d*)\}/;

/** The `{n}`, `{n,}`, `{n,m}` or `{,m}` quantifier at the start of text, if there is one (else `{` is literal, as in Python). */
function quantifierAt(text: string): RegExpExecArray | undefined {
  const m = QUANTIFIER.exec(text);
  return m && (m[1] !== '' || m[3] !== '') ? m : undefined;
}

/** The parsed expression: text already in Lucene syntax, anchors, and unquantified groups whose alternatives anchors may end. */
type Piece = string | { anchor: 'start' | 'end' } | { alternatives: Seq[] };
type Seq = Piece[];

/** Translates a Sigma `re` value with its flags; throws SigmaRefused (saying why and what to write) for what Lucene lacks. */
export function regexToLucene(pattern: string, flags: readonly ('i' | 'm' | 's')[]): LuceneRegexp {
  const on = new Set<string>(flags);
  let rest = pattern;
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(rest);
  if (inline) {
    for (const flag of inline[1]!) {
      if (!'ims'.includes(flag)) refuse(pattern, `the inline flag (?${flag}) has no Lucene equivalent: remove it`);
      on.add(flag);
    }
    rest = rest.slice(inline[0].length);
  }
  const alternatives = new Translator(pattern, rest, on.has('s'), on.has('i')).top();
  const anchors = new Anchors(pattern, on.has('m'));
  const translated = alternatives.map((seq) => anchors.seq(seq, true, true));
  // An alternative that is empty here (`^$|a`) matches only the empty value.
  const regexp = translated.includes('') ? union(translated) || '()?' : translated.join('|');
  return { regexp, caseInsensitive: on.has('i') };
}

/**
 * Search semantics on a whole-value engine: `.*` goes where the expression may start (or end) anywhere in the value,
 * and the anchors that stand there are dropped. `start` (`end`): this part begins (ends) where the whole match may.
 */
class Anchors {
  constructor(
    private readonly pattern: string,
    private readonly multiline: boolean,
  ) {}

  seq(items: Seq, start: boolean, end: boolean): string {
    if (items.length === 0) return start || end ? '.*' : '';
    return items.map((item, index) => this.piece(item, start && index === 0, end && index === items.length - 1)).join('');
  }

  private piece(item: Piece, start: boolean, end: boolean): string {
    if (typeof item === 'string') return `${start ? '.*' : ''}${item}${end ? '.*' : ''}`;
    if ('alternatives' in item) return union(item.alternatives.map((alt) => this.seq(alt, start, end)));
    if (!(item.anchor === 'start' ? start : end)) {
      refuse(this.pattern, 'an anchor (^, $, \\A, \\Z) stands inside the expression: Lucene regexps match whole values, so anchors work only where the expression can start or end');
    }
    if (item.anchor === 'start' ? end : start) return '.*';
    if (!this.multiline) return '';
    return item.anchor === 'start' ? '(.*\n)?' : '(\n.*)?';
  }
}

/**
 * Alternatives as one Lucene group. Empty ones make the rest optional (`(a|)` is `(a)?`, `(|)` nothing): Lucene's
 * parser refuses an empty last alternative ("expected ')'"), and `()*` matches nothing when case_insensitive.
 */
function union(alternatives: string[]): string {
  const filled = alternatives.filter((alt) => alt !== '');
  if (filled.length === alternatives.length) return `(${alternatives.join('|')})`;
  return filled.length ? `(${filled.join('|')})?` : '';
}

function refuse(pattern: string, why: string): never {
  throw new SigmaRefused(`re value ${quoted(pattern)}: ${why}`);
}

/** The deepest nesting of groups translated: deeper is refused, not a stack overflow. */
export const REGEX_MAX_DEPTH = 100;

class Translator {
  private at = 0;
  private depth = 0;

  constructor(
    private readonly pattern: string,
    private readonly text: string,
    private readonly dotAll: boolean,
    private readonly caseInsensitive: boolean,
  ) {}

  /** The top-level alternatives of the whole expression. */
  top(): Seq[] {
    const alternatives = this.alternatives();
    if (this.at < this.text.length) refuse(this.pattern, 'a ) closes no group');
    return alternatives;
  }

  /** Alternatives up to the end or to the `)` that closes the current group (left unread). */
  private alternatives(): Seq[] {
    const alternatives: Seq[] = [[]];
    while (this.at < this.text.length && this.text[this.at] !== ')') {
      if (this.text[this.at] === '|') {
        this.at++;
        alternatives.push([]);
        continue;
      }
      alternatives[alternatives.length - 1]!.push(this.next());
    }
    return alternatives;
  }

  /** A group's body and its `)`; quantified, it is plain text (anchors inside it refused), else anchors may end in it. */
  private groupBody(): Piece {
    if (++this.depth > REGEX_MAX_DEPTH) refuse(this.pattern, `its groups nest more than ${REGEX_MAX_DEPTH} deep: flatten them`);
    const alternatives = this.alternatives();
    this.depth--;
    if (this.text[this.at] !== ')') refuse(this.pattern, 'a group is not closed');
    this.at++;
    const next = this.text[this.at];
    const quantified = next === '*' || next === '+' || next === '?' || (next === '{' && quantifierAt(this.text.slice(this.at)) !== undefined);
    if (!quantified) return { alternatives };
    const inner = new Anchors(this.pattern, false);
    const body = union(alternatives.map((alt) => inner.seq(alt, false, false)));
    if (body === '') {
      this.quantified('');
      return '';
    }
    return this.quantified(body.endsWith('?') ? `(${body})` : body);
  }

  private next(): Piece {
    const c = this.text[this.at++]!;
    switch (c) {
      case '\\':
        return this.escape();
      case '.':
        return this.quantified(this.dotAll ? '.' : '[^\n]');
      case '^':
        return { anchor: 'start' };
      case '$':
        return { anchor: 'end' };
      case '(':
        return this.group();
      case '[':
        return this.quantified(this.charClass());
      case '*':
      case '+':
      case '?':
        return refuse(this.pattern, `the quantifier ${c} follows nothing`);
      case '{':
        return quantifierAt(this.text.slice(this.at - 1)) ? refuse(this.pattern, 'a {n,m} quantifier follows nothing') : this.quantified('\\{');
      default:
        return this.quantified(literal(c));
    }
  }

  /** An atom followed by its quantifier, if any: lazy ones match the same values and are made greedy; possessive ones are refused. */
  private quantified(atom: string): string {
    let out = atom;
    const c = this.text[this.at];
    if (c === '*' || c === '+' || c === '?') {
      out += c;
      this.at++;
    } else if (c === '{') {
      const m = quantifierAt(this.text.slice(this.at));
      if (!m) return out;
      out += `{${m[1] || '0'}${m[2]}${m[3]}}`;
      this.at += m[0].length;
    } else return out;
    if (this.text[this.at] === '?') this.at++;
    else if (this.text[this.at] === '+') refuse(this.pattern, 'possessive quantifiers (*+, ++, ?+) have no Lucene equivalent: use the plain quantifier');
    return out;
  }

  private group(): Piece {
    if (this.text[this.at] !== '?') {
      return this.groupBody();
    }
    const head = this.text.slice(this.at, this.at + 4);
    if (head.startsWith('?:')) {
      this.at += 2;
      return this.groupBody();
    }
    const named = /^\?P?<([A-Za-z_]\w*)>/.exec(this.text.slice(this.at));
    if (named) {
      this.at += named[0].length;
      return this.groupBody();
    }
    if (head.startsWith('?#')) {
      const close = this.text.indexOf(')', this.at);
      if (close < 0) refuse(this.pattern, 'a (?# comment is not closed');
      this.at = close + 1;
      return '';
    }
    if (/^\?(=|!|<=|<!)/.test(head)) refuse(this.pattern, 'lookahead and lookbehind ((?=, (?!, (?<=, (?<!) have no Lucene equivalent: rewrite the condition with separate selections and not');
    if (head.startsWith('?P=') || head.startsWith('?(')) refuse(this.pattern, 'backreferences have no Lucene equivalent: rewrite the expression without them');
    if (head.startsWith('?>')) refuse(this.pattern, 'atomic groups (?>...) have no Lucene equivalent: use a plain group');
    return refuse(this.pattern, 'inline flags are only understood at the very start of the expression, as (?i), (?m) or (?s): move them there or use the re modifier flags (re|i)');
  }

  private escape(): Piece {
    const c = this.text[this.at++];
    if (c === undefined) return refuse(this.pattern, 'it ends with a lone backslash');
    const cls = classEscape(c);
    if (cls !== undefined) return this.quantified(cls);
    if (c === 'A') return { anchor: 'start' };
    if (c === 'Z' || c === 'z') return { anchor: 'end' };
    return this.quantified(literal(this.escapedChar(c)));
  }

  /** The character an escape (other than a class or an anchor) stands for, inside or outside a class. */
  private escapedChar(c: string): string {
    const simple: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', a: '\x07' };
    if (simple[c] !== undefined) return simple[c]!;
    if (c === 'x' || c === 'u' || c === 'U') {
      const size = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const hex = this.text.slice(this.at, this.at + size);
      if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex)) refuse(this.pattern, `\\${c} needs ${size} hex digits`);
      this.at += size;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    if (c === 'b' || c === 'B') refuse(this.pattern, 'word boundaries (\\b, \\B) have no Lucene equivalent: match the separating characters instead (for example [^A-Za-z0-9_] or an anchor)');
    if (/[0-9]/.test(c) || c === 'k') refuse(this.pattern, 'backreferences and octal escapes have no Lucene equivalent: rewrite the expression without them');
    if (/[A-Za-z]/.test(c)) refuse(this.pattern, `the escape \\${c} is unknown: escape only punctuation`);
    return c;
  }

  /** A bracket class, as a Lucene class (`\d \w \s` spelled out, every non-alphanumeric escaped). */
  private charClass(): string {
    const negated = this.text[this.at] === '^';
    if (negated) this.at++;
    const ranges: [number, number][] = [];
    let first = true;
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) return refuse(this.pattern, 'a [ class is not closed');
      if (c === ']' && !first) break;
      first = false;
      const lo = this.classAtom();
      if (this.text[this.at] === '-' && this.text[this.at + 1] !== ']' && this.text[this.at + 1] !== undefined && lo.length === 1 && lo[0]![0] === lo[0]![1]) {
        this.at++;
        const hi = this.classAtom();
        if (hi.length !== 1 || hi[0]![0] !== hi[0]![1] || hi[0]![0] < lo[0]![0]) refuse(this.pattern, 'a [ ] class has a bad range');
        ranges.push([lo[0]![0], hi[0]![0]]);
      } else ranges.push(...lo);
    }
    this.at++;
    if (this.caseInsensitive) ranges.push(...ranges.flatMap(otherCase));
    const body = ranges.map(([lo, hi]) => (lo === hi ? classChar(String.fromCodePoint(lo)) : `${classChar(String.fromCodePoint(lo))}-${classChar(String.fromCodePoint(hi))}`)).join('');
    return `[${negated ? '^' : ''}${body}]`;
  }

  /** One member of a class: a character (as a one-point range) or `\d \w \s` (as their ranges). */
  private classAtom(): [number, number][] {
    const c = this.text[this.at++]!;
    if (c === '[' && this.text[this.at] === ':') refuse(this.pattern, 'POSIX classes ([:alpha:]) have no Lucene equivalent: write the range out');
    if (c !== '\\') return [[c.codePointAt(0)!, c.codePointAt(0)!]];
    const e = this.text[this.at++];
    if (e === undefined) return refuse(this.pattern, 'it ends with a lone backslash');
    if (e === 'd' || e === 'w' || e === 's') return CLASS_RANGES[e];
    if ('DWS'.includes(e)) refuse(this.pattern, `\\${e} inside a [ ] class has no Lucene equivalent: write the class out`);
    const char = e === 'b' ? '\b' : this.escapedChar(e);
    return [[char.codePointAt(0)!, char.codePointAt(0)!]];
  }
}

/** `\d \w \s` inside a class, as code point ranges (ASCII). */
const CLASS_RANGES: Record<'d' | 'w' | 's', [number, number][]> = {
  d: [[48, 57]],
  w: [[48, 57], [65, 90], [97, 122], [95, 95]],
  s: [...SPACE].map((c) => [c.codePointAt(0)!, c.codePointAt(0)!] as [number, number]),
};

/** The ASCII letters of a range in the other case: Lucene's case_insensitive folds single characters, not class ranges. */
function otherCase([lo, hi]: [number, number]): [number, number][] {
  const out: [number, number][] = [];
  const lower: [number, number] = [Math.max(lo, 97), Math.min(hi, 122)];
  const upper: [number, number] = [Math.max(lo, 65), Math.min(hi, 90)];
  if (lower[0] <= lower[1]) out.push([lower[0] - 32, lower[1] - 32]);
  if (upper[0] <= upper[1]) out.push([upper[0] + 32, upper[1] + 32]);
  return out;
}

/** `\d \w \s` (ASCII, as Lucene has no Unicode classes) and their negations outside a class. */
function classEscape(c: string): string | undefined {
  switch (c) {
    case 'd':
      return `[${DIGIT}]`;
    case 'w':
      return `[${WORD}]`;
    case 's':
      return `[${SPACE}]`;
    case 'D':
      return `[^${DIGIT}]`;
    case 'W':
      return `[^${WORD}]`;
    case 'S':
      return `[^${SPACE}]`;
    default:
      return undefined;
  }
}

/** A literal character outside a class: the ones Lucene reserves (and Python does not) escaped, others as they are. */
function literal(c: string): string {
  if (LUCENE_ONLY.has(c)) return `\\${c}`;
  if ('.?+*|{}[]()\\^$'.includes(c)) return `\\${c}`;
  return c;
}

/** A literal character inside a class: every ASCII non-alphanumeric escaped (Lucene's `\` makes any character literal). */
function classChar(c: string): string {
  return /[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(c) ? `\\${c}` : c;
}
