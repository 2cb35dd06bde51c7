// An in-process evaluation of Sigma's matching semantics, written from the Sigma specification (rules and modifiers
// appendix, v2) and independent of src/sigma: the oracle of the property tests. Given an abstract detection (fields,
// modifier chains, raw YAML values; a condition over named detections) and a JSON document, does the rule match?
import { isIP } from 'node:net';

/** A scalar as YAML gives it. */
export type RawValue = string | number | boolean | null;

/** One `field|mod|mod: value(s)` line of a detection map. */
export interface EvalItem {
  field: string;
  modifiers: string[];
  /** One value, or several (OR; AND with `all`). */
  values: RawValue[];
}

/** A named detection: a map (AND of its items), a list of maps (OR), or a keyword list (search over the whole event). */
export type EvalDetection = { kind: 'map'; items: EvalItem[] } | { kind: 'maps'; maps: EvalItem[][] } | { kind: 'keywords'; values: string[] };

/** A rule as the evaluator sees it: its named detections and its condition text. */
export interface EvalRule {
  detections: Record<string, EvalDetection>;
  condition: string;
}

type Part = { lit: string } | { wild: '*' | '?' };

/** A value after its modifiers: what one field value is compared with. */
type Matcher =
  | { kind: 'string'; parts: Part[]; cased: boolean }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 're'; pattern: string; flags: string }
  | { kind: 'cidr'; network: string }
  | { kind: 'compare'; op: string; value: number }
  | { kind: 'exists'; value: boolean };

/** Parses a Sigma string: `*` and `?` are wildcards; `\*`, `\?`, `\\` are literal; any other backslash is literal. */
export function sigmaStringParts(text: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit) parts.push({ lit });
    lit = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    const next = text.charAt(i + 1);
    if (c === '\\' && next !== '' && '*?\\'.includes(next)) {
      lit += next;
      i++;
    } else if (c === '*' || c === '?') {
      flush();
      parts.push({ wild: c });
    } else {
      lit += c;
    }
  }
  flush();
  return parts;
}

function plainText(parts: Part[], modifier: string): string {
  if (parts.some((p) => 'wild' in p)) throw new Error(`${modifier} of a value with wildcards is not defined`);
  return parts.map((p) => ('lit' in p ? p.lit : '')).join('');
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The three encodings of `base64offset`: the value at byte offset 0, 1 and 2 of a longer text, cut to the stable part. */
function base64Offsets(text: string): string[] {
  const length = Buffer.byteLength(text, 'utf8');
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  return [0, 1, 2].map((i) => base64(' '.repeat(i) + text).slice(starts[i], ends[(length + i) % 3]));
}

/** `windash`: every `-` or `/` that starts a word may be any of `-`, `/`, en dash, em dash, horizontal bar (all combinations). */
function windashVariants(parts: Part[]): Part[][] {
  const dashes = ['-', '/', '\u2013', '\u2014', '\u2015'];
  let out: Part[][] = [[]];
  for (const part of parts) {
    if ('wild' in part) {
      out = out.map((p) => [...p, part]);
      continue;
    }
    const pieces = windashSplit(part.lit);
    let variants = [pieces[0] ?? ''];
    for (const piece of pieces.slice(1)) variants = variants.flatMap((v) => dashes.map((d) => v + d + piece));
    out = out.flatMap((p) => variants.map((v): Part[] => [...p, { lit: v }]));
  }
  return out;
}

/** A word character as Python's `re` sees one in a str pattern (Unicode letters, digits, marks, underscore). */
const WORD = /[\p{L}\p{N}\p{M}_]/u;

/** Splits text at each `-` or `/` that follows no word character and precedes one (pySigma's `\B[-/]\b`, Unicode-aware). */
function windashSplit(text: string): string[] {
  const chars = [...text];
  const pieces: string[] = [];
  let current = '';
  chars.forEach((c, k) => {
    const prev = chars[k - 1];
    const next = chars[k + 1];
    if ((c === '-' || c === '/') && !(prev !== undefined && WORD.test(prev)) && next !== undefined && WORD.test(next)) {
      pieces.push(current);
      current = '';
    } else current += c;
  });
  pieces.push(current);
  return pieces;
}

const wide = (text: string, bigEndian = false): string => [...text].map((c) => (bigEndian ? '\u0000' + c : c + '\u0000')).join('');

/** Applies the modifier chain to one raw value, left to right, giving the alternatives it stands for (OR). */
function applyModifiers(raw: RawValue, modifiers: string[]): Matcher[] {
  if (modifiers.includes('exists')) return [{ kind: 'exists', value: raw === true }];
  const compare = modifiers.find((m) => ['gt', 'gte', 'lt', 'lte'].includes(m));
  if (compare) return [{ kind: 'compare', op: compare, value: Number(raw) }];
  if (modifiers.includes('cidr')) return [{ kind: 'cidr', network: String(raw) }];
  if (modifiers.includes('re')) {
    const flags = modifiers.filter((m) => m === 'i' || m === 'm' || m === 's').join('');
    return [{ kind: 're', pattern: String(raw), flags }];
  }
  if (raw === null) return [{ kind: 'null' }];
  const stringy = modifiers.some((m) => m !== 'all' && m !== 'cased');
  if (typeof raw === 'boolean' && !stringy) return [{ kind: 'bool', value: raw }];
  if (typeof raw === 'number' && !stringy) return [{ kind: 'number', value: raw }];
  const cased = modifiers.includes('cased');
  let values: Part[][] = [typeof raw === 'string' ? sigmaStringParts(raw) : [{ lit: String(raw) }]];
  for (const modifier of modifiers) {
    switch (modifier) {
      case 'contains':
        values = values.map((p) => [...(starWild(p[0]) ? [] : [star()]), ...p, ...(starWild(p[p.length - 1]) ? [] : [star()])]);
        break;
      case 'startswith':
        values = values.map((p) => [...p, ...(starWild(p[p.length - 1]) ? [] : [star()])]);
        break;
      case 'endswith':
        values = values.map((p) => [...(starWild(p[0]) ? [] : [star()]), ...p]);
        break;
      case 'wide':
      case 'utf16le':
        values = values.map((p) => [{ lit: wide(plainText(p, modifier)) }]);
        break;
      case 'utf16be':
        values = values.map((p) => [{ lit: wide(plainText(p, modifier), true) }]);
        break;
      case 'utf16':
        values = values.map((p) => [{ lit: '\u00ff\u00fe' + wide(plainText(p, modifier)) }]);
        break;
      case 'base64':
        values = values.map((p) => [{ lit: base64(plainText(p, modifier)) }]);
        break;
      case 'base64offset':
        values = values.flatMap((p) => base64Offsets(plainText(p, modifier)).map((lit) => [{ lit }]));
        break;
      case 'windash':
        values = values.flatMap(windashVariants);
        break;
      case 'all':
      case 'cased':
        break;
      default:
        throw new Error(`sigmaEvaluate: modifier ${modifier} is not modelled`);
    }
  }
  return values.map((parts) => ({ kind: 'string', parts, cased }));
}

const star = (): Part => ({ wild: '*' });
const starWild = (p: Part | undefined): boolean => p !== undefined && 'wild' in p && p.wild === '*';

/**
 * A Sigma string as an anchored RegExp. Case-insensitive means ASCII letters only: that is what the search engines'
 * `case_insensitive` does (Lucene's automaton folds code points up to 127), so `É` and `é` differ, as documented.
 */
function partsRegExp(parts: Part[], cased: boolean): RegExp {
  const literal = (text: string): string =>
    [...text].map((c) => (!cased && /[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  const body = parts.map((p) => ('lit' in p ? literal(p.lit) : p.wild === '*' ? '[\\s\\S]*' : '[\\s\\S]')).join('');
  return new RegExp(`^${body}$`, 'u');
}

/** Whether one (non-array) field value satisfies a matcher. */
function matchesValue(m: Matcher, x: unknown): boolean {
  switch (m.kind) {
    case 'null':
      return x === undefined || x === null;
    case 'exists':
      return (x !== undefined && x !== null) === m.value;
    case 'number':
      return typeof x === 'number' ? x === m.value : typeof x === 'string' && x === String(m.value);
    case 'bool':
      return typeof x === 'boolean' ? x === m.value : typeof x === 'string' && x === String(m.value);
    case 'compare': {
      if (typeof x !== 'number') return false;
      return m.op === 'gt' ? x > m.value : m.op === 'gte' ? x >= m.value : m.op === 'lt' ? x < m.value : x <= m.value;
    }
    case 'cidr':
      return typeof x === 'string' && inNetwork(x, m.network);
    case 're':
      return typeof x === 'string' && new RegExp(m.pattern, m.flags).test(x);
    case 'string':
      return (typeof x === 'string' || typeof x === 'number') && partsRegExp(m.parts, m.cased).test(String(x));
  }
}

/** The values of a field (dotted names: the flat key first, then the nested path); arrays give each element. */
function fieldValues(doc: Record<string, unknown>, field: string): unknown[] {
  let value: unknown = field in doc ? doc[field] : undefined;
  if (value === undefined) {
    value = field.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' && !Array.isArray(at) ? (at as Record<string, unknown>)[key] : undefined), doc);
  }
  return Array.isArray(value) ? (value.length ? value : [undefined]) : [value];
}

function matchesItem(item: EvalItem, doc: Record<string, unknown>): boolean {
  const all = item.modifiers.includes('all');
  const xs = fieldValues(doc, item.field);
  const one = (raw: RawValue): boolean => applyModifiers(raw, item.modifiers).some((m) => xs.some((x) => matchesValue(m, x)));
  return all ? item.values.every(one) : item.values.some(one);
}

function stringLeaves(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringLeaves(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => stringLeaves(v, out));
  return out;
}

/**
 * Whether a named detection matches the document. A keyword search reads every string of the event except those of
 * `textless` fields (an `ip`-typed field, say: the engine holds an address there, no text a substring search can read).
 */
export function detectionMatches(detection: EvalDetection, doc: Record<string, unknown>, textless: readonly string[] = []): boolean {
  if (detection.kind === 'map') return detection.items.every((item) => matchesItem(item, doc));
  if (detection.kind === 'maps') return detection.maps.some((items) => items.every((item) => matchesItem(item, doc)));
  const leaves = stringLeaves(Object.fromEntries(Object.entries(doc).filter(([key]) => !textless.includes(key))), []);
  return detection.values.some((value) => {
    const re = partsRegExp([star(), ...sigmaStringParts(value), star()], false);
    return leaves.some((leaf) => re.test(leaf));
  });
}

/** Whether the rule (its condition over its detections) matches the document (`textless`: fields keyword searches skip). */
export function sigmaEvaluate(rule: EvalRule, doc: Record<string, unknown>, textless: readonly string[] = []): boolean {
  const tokens = rule.condition.match(/\(|\)|[^\s()]+/g) ?? [];
  let at = 0;
  const peek = (): string | undefined => tokens[at]?.toLowerCase();
  const names = (pattern: string): string[] => {
    if (pattern === 'them') return Object.keys(rule.detections).filter((n) => !n.startsWith('_'));
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    return Object.keys(rule.detections).filter((n) => re.test(n));
  };
  const detection = (name: string): boolean => {
    const d = rule.detections[name];
    if (!d) throw new Error(`sigmaEvaluate: unknown detection ${name}`);
    return detectionMatches(d, doc, textless);
  };
  const primary = (): boolean => {
    const t = tokens[at++] ?? '';
    if (t === '(') {
      const v = or();
      if (tokens[at++] !== ')') throw new Error(`sigmaEvaluate: ) expected in ${rule.condition}`);
      return v;
    }
    if (t === '1' || t.toLowerCase() === 'all') {
      if (peek() !== 'of') throw new Error(`sigmaEvaluate: 'of' expected in ${rule.condition}`);
      at++;
      const matched = names(tokens[at++] ?? '');
      return t === '1' ? matched.some(detection) : matched.every(detection);
    }
    return detection(t);
  };
  const not = (): boolean => {
    if (peek() === 'not') {
      at++;
      return !not();
    }
    return primary();
  };
  const and = (): boolean => {
    let v = not();
    while (peek() === 'and') {
      at++;
      const w = not();
      v = v && w;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek() === 'or') {
      at++;
      const w = and();
      v = v || w;
    }
    return v;
  };
  const result = or();
  if (at !== tokens.length) throw new Error(`sigmaEvaluate: unexpected ${tokens[at]} in ${rule.condition}`);
  return result;
}

/** Whether an IPv4 or IPv6 address lies in a network written `address/prefix`. */
export function inNetwork(address: string, network: string): boolean {
  const [base = '', bitsText] = network.split('/');
  const version = isIP(base);
  if (!version || isIP(address) !== version) return false;
  const bits = bitsText === undefined ? (version === 4 ? 32 : 128) : Number(bitsText);
  const a = ipBits(address, version);
  const b = ipBits(base, version);
  return a.slice(0, bits) === b.slice(0, bits);
}

function ipBits(address: string, version: number): string {
  if (version === 4) return address.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  const [head = '', tail = ''] = address.split('::');
  const groups = (s: string): string[] => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const full = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return full.map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}
