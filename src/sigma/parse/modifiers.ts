// Sigma's value modifiers (`field|contains|all`), applied in the order written as pySigma applies them: value
// modifiers per value, `all` and `neq` to the item; windash and base64offset expand a value into alternatives.
import { closestWord } from '../../util/closestWord.js';
import { ipNetwork } from '../output/ipNetwork.js';
import { SigmaRefused } from '../refused.js';
import type { SigmaString, SigmaValue, SigmaWildcard } from '../types.js';
import { SigmaRuleError } from './ruleError.js';
import { hasWildcard, sigmaString, sigmaValueText } from './sigmaString.js';

/** A value while modifiers apply: a final value, or the alternatives a modifier expanded one value into (ORed). */
export type ModifiedValue = SigmaValue | SigmaExpansion;

/** Alternatives one value was expanded into by windash or base64offset: always ORed, even under `all`. */
export interface SigmaExpansion {
  type: 'expansion';
  values: ModifiedValue[];
}

/** A detection item's values after its modifiers, and how they are combined. */
export interface ModifiedItem {
  values: ModifiedValue[];
  /** `all`: every value must match (else any). */
  all: boolean;
  /** `neq`: the item is negated. */
  negated: boolean;
}

type Kind = SigmaValue['type'];
interface ValueModifier {
  accepts: Kind[];
  /** Must come first in the chain (it reads the value as written). */
  first?: boolean;
  apply(value: SigmaValue, field: string | null): ModifiedValue;
}

const WINDASH = ['-', '/', '\u2013', '\u2014', '\u2015'];
const REGEX_FLAGS: Record<string, 'i' | 'm' | 's'> = { i: 'i', ignorecase: 'i', m: 'm', multiline: 'm', s: 's', dotall: 's' };
const TIMESTAMP_PARTS = ['minute', 'hour', 'day', 'week', 'month', 'year'];

const VALUE_MODIFIERS: Record<string, ValueModifier> = {
  contains: { accepts: ['string', 're'], apply: (v) => wrap(v, true, true) },
  startswith: { accepts: ['string', 're'], apply: (v) => wrap(v, false, true) },
  endswith: { accepts: ['string', 're'], apply: (v) => wrap(v, true, false) },
  base64: { accepts: ['string'], apply: (v) => sigmaString([base64(bytesOf(v as SigmaString, 'base64'))]) },
  base64offset: { accepts: ['string'], apply: (v) => base64offset(v as SigmaString) },
  wide: { accepts: ['string'], apply: (v) => utf16(v as SigmaString, 'le') },
  utf16le: { accepts: ['string'], apply: (v) => utf16(v as SigmaString, 'le') },
  utf16be: { accepts: ['string'], apply: (v) => utf16(v as SigmaString, 'be') },
  utf16: { accepts: ['string'], apply: (v) => utf16(v as SigmaString, 'bom') },
  windash: { accepts: ['string'], apply: (v) => windash(v as SigmaString) },
  cased: { accepts: ['string'], apply: (v) => ({ ...(v as SigmaString), cased: true }) },
  re: { accepts: ['string'], first: true, apply: () => ({ type: 're', pattern: '', flags: [] }) /* replaced in applyModifiers */ },
  cidr: { accepts: ['string'], first: true, apply: (v) => cidr(v as SigmaString) },
  exists: { accepts: ['bool'], first: true, apply: (v, field) => exists(v, field) },
  gt: { accepts: ['number'], apply: (v) => compare('gt', v) },
  gte: { accepts: ['number'], apply: (v) => compare('gte', v) },
  lt: { accepts: ['number'], apply: (v) => compare('lt', v) },
  lte: { accepts: ['number'], apply: (v) => compare('lte', v) },
  expand: { accepts: ['string', 're'], apply: (v) => expand(v) },
  fieldref: {
    accepts: ['string'],
    apply: () => {
      throw new SigmaRefused("a search can't handle field references (fieldref compares two fields of one event, which Elasticsearch and OpenSearch queries cannot): remove the fieldref item or this rule");
    },
  },
};
for (const [name, flag] of Object.entries(REGEX_FLAGS)) {
  VALUE_MODIFIERS[name] = { accepts: ['re'], apply: (v) => addFlag(v, flag) };
}

/** Every modifier name Sigma (and pySigma) knows. */
export const MODIFIER_NAMES = [...Object.keys(VALUE_MODIFIERS), 'all', 'neq', ...TIMESTAMP_PARTS];

/**
 * Applies a chain of modifiers to the raw YAML values of one detection item (`field` null for a keyword search).
 * `rawValues` are read as Sigma strings unless `re` reads them as patterns. Throws SigmaRuleError for a bad chain or
 * value (with the path `at`), SigmaRefused for what a search cannot express.
 */
export function applyModifiers(
  field: string | null,
  modifiers: string[],
  rawValues: SigmaValue[],
  written: unknown[],
  at: (string | number)[],
  valueAt: (index: number) => (string | number)[] = () => at,
): ModifiedItem {
  const item: ModifiedItem = { values: rawValues, all: false, negated: false };
  const key = [field ?? '', ...modifiers].join('|');
  for (const [index, name] of modifiers.entries()) {
    if (name === 'all') {
      item.all = true;
      continue;
    }
    if (name === 'neq') {
      item.negated = true;
      continue;
    }
    if (TIMESTAMP_PARTS.includes(name)) throw new SigmaRefused(`the '${name}' modifier (a part of a timestamp) can't be expressed in an Elasticsearch or OpenSearch search: remove it from '${key}'`, at);
    const modifier = VALUE_MODIFIERS[name];
    if (!modifier) {
      const near = closestWord(name, MODIFIER_NAMES);
      throw new SigmaRuleError(`unknown modifier '${name}' in '${key}': ${near ? `did you mean '${near}'? ` : ''}Sigma's modifiers are ${MODIFIER_NAMES.join(', ')}`, at, true);
    }
    if (modifier.first && index > 0)
      throw new SigmaRuleError(`the '${name}' modifier in '${key}' applies only to the value as written: put it first (e.g. '${[field ?? '', name, ...modifiers.filter((m) => m !== name)].join('|')}')`, at, true);
    if (name === 'exists' && field === null) throw new SigmaRuleError(`the 'exists' modifier needs a field: write 'FieldName|exists: true' instead of '${key}'`, at, true);
    const one = (value: ModifiedValue, i: number): ModifiedValue => {
      if (value.type === 'expansion') return { type: 'expansion', values: value.values.map((v) => one(v, i)) };
      if (!modifier.accepts.includes(value.type))
        throw new SigmaRuleError(`the '${name}' modifier in '${key}' can't be applied to ${describeKind(value)} ${sigmaValueText(value)}: it takes ${modifier.accepts.map((k) => KIND_NAMES[k]).join(' or ')}`, at);
      if (name === 're') {
        const raw = written[i];
        if (typeof raw !== 'string') throw new SigmaRuleError(`the 're' modifier in '${key}' needs a string (a regular expression), not ${sigmaValueText(value)}: quote it`, at);
        return { type: 're', pattern: raw, flags: [] };
      }
      try {
        return modifier.apply(value, field);
      } catch (error) {
        // A modifier's check of one value knows the value, not where it is: give it the value's place.
        if (error instanceof SigmaRefused && !error.path.length) throw new SigmaRefused(error.message, valueAt(i));
        if (error instanceof SigmaRuleError && !error.path.length) throw new SigmaRuleError(error.message, valueAt(i));
        throw error;
      }
    };
    item.values = item.values.map((value, i) => one(value, i));
    const count = leaves(item.values);
    if (count > MAX_ALTERNATIVES)
      throw new SigmaRuleError(`'${key}' expands its values into ${count.toLocaleString('en')} alternatives, more than the ${MAX_ALTERNATIVES.toLocaleString('en')} a search is built from: split the item, or write the variants with 're'`, at);
  }
  return item;
}

/** The most values one item may expand into (windash and base64offset multiply them): a bound on memory and query size. */
export const MAX_ALTERNATIVES = 10_000;

function leaves(values: ModifiedValue[]): number {
  return values.reduce((sum, value) => sum + (value.type === 'expansion' ? leaves(value.values) : 1), 0);
}

const KIND_NAMES: Record<Kind, string> = {
  string: 'a string',
  number: 'a number',
  bool: 'a boolean',
  null: 'null',
  re: 'a regular expression (re)',
  cidr: 'a network (cidr)',
  compare: 'a comparison',
  exists: 'an exists check',
};

function describeKind(value: SigmaValue): string {
  return KIND_NAMES[value.type];
}

/** contains / startswith / endswith: a `*` at the open ends of a string, `.*` at those of a pattern not anchored there. */
function wrap(value: SigmaValue, before: boolean, after: boolean): SigmaValue {
  if (value.type === 're') {
    let pattern = value.pattern;
    if (before && pattern.slice(0, 2) !== '.*' && pattern[0] !== '^') pattern = `.*${pattern}`;
    if (after && pattern.slice(-2) !== '.*' && pattern[pattern.length - 1] !== '$') pattern = `${pattern}.*`;
    return { ...value, pattern };
  }
  const s = value as SigmaString;
  const parts = [...s.parts];
  const star: SigmaWildcard = { wildcard: '*' };
  if (before && !isStar(parts[0])) parts.unshift(star);
  if (after && !isStar(parts[parts.length - 1])) parts.push(star);
  return sigmaString(parts, s.cased);
}

function isStar(part: string | SigmaWildcard | undefined): boolean {
  return typeof part === 'object' && part.wildcard === '*';
}

/** Strings made by wide/utf16*: each character is one byte of the encoded text (base64 encodes those bytes as they are). */
const BYTE_STRINGS = new WeakSet<SigmaString>();

/** The bytes base64 encodes: a byte string's bytes, else the text as written (literal `*`/`?` escaped, as pySigma does), UTF-8. */
function bytesOf(value: SigmaString, name: string): Buffer {
  if (hasWildcard(value)) throw new SigmaRuleError(`the '${name}' modifier can't encode a value with wildcards (${sigmaValueText(value)}): write the value without * or ?`);
  if (BYTE_STRINGS.has(value)) return Buffer.from(value.parts.join(''), 'latin1');
  const text = value.parts.map((part) => (part as string).replace(/[*?]/g, (c) => `\\${c}`)).join('');
  return Buffer.from(text, 'utf8');
}

function base64(bytes: Buffer): string {
  return bytes.toString('base64');
}

const START_OFFSETS = [0, 2, 3];
const END_OFFSETS = [undefined, -3, -2];

/** The three base64 forms of a value at each offset in a base64 stream, cut to the characters that do not depend on the neighbours. */
function base64offset(value: SigmaString): SigmaExpansion {
  const bytes = bytesOf(value, 'base64offset');
  const values = [0, 1, 2].map((i) => {
    const encoded = base64(Buffer.concat([Buffer.alloc(i, ' '), bytes]));
    const end = END_OFFSETS[(bytes.length + i) % 3];
    return sigmaString([encoded.slice(START_OFFSETS[i], end)]);
  });
  return { type: 'expansion', values };
}

/**
 * wide (= utf16le), utf16be, utf16 (a byte order mark FF FE, then UTF-16LE): the text's UTF-16 code units as bytes, one
 * character per byte, as the specification defines them (pySigma accepts only ASCII and writes the mark as U+FEFF).
 */
function utf16(value: SigmaString, order: 'le' | 'be' | 'bom'): SigmaString {
  const parts = value.parts.map((part) => {
    if (typeof part !== 'string') return part;
    let out = '';
    for (let i = 0; i < part.length; i++) {
      const unit = part.charCodeAt(i);
      const [low, high] = [String.fromCharCode(unit & 0xff), String.fromCharCode(unit >> 8)];
      out += order === 'be' ? high + low : low + high;
    }
    return out;
  });
  const encoded = sigmaString(order === 'bom' ? ['\u00ff\u00fe', ...parts] : parts);
  BYTE_STRINGS.add(encoded);
  return encoded;
}

/** A dash or slash starting a word (`-param`, `/param`) in each of the five forms Windows accepts. */
const DASH = /(?<![\p{L}\p{N}_])[-/](?=[\p{L}\p{N}_])/gu;

/** The most word-starting dashes windash expands (5^4 = 625 alternatives; SigmaHQ's values have at most 2): more would exhaust memory. */
export const WINDASH_MAX_DASHES = 4;

function windash(value: SigmaString): SigmaExpansion {
  // Each literal part is split at its dashes; every combination of dash forms is one alternative (first dash slowest).
  type Piece = string | SigmaWildcard | { dash: true };
  const pieces: Piece[] = [];
  for (const part of value.parts) {
    if (typeof part !== 'string') {
      pieces.push(part);
      continue;
    }
    let last = 0;
    for (const m of part.matchAll(DASH)) {
      if (m.index! > last) pieces.push(part.slice(last, m.index));
      pieces.push({ dash: true });
      last = m.index! + 1;
    }
    if (last < part.length) pieces.push(part.slice(last));
  }
  const dashes = pieces.filter((piece) => typeof piece === 'object' && 'dash' in piece).length;
  if (dashes > WINDASH_MAX_DASHES)
    throw new SigmaRuleError(
      `the 'windash' modifier would expand ${sigmaValueText(value)} into 5^${dashes} alternatives (one per form of each of its ${dashes} dashes); it expands at most ${WINDASH_MAX_DASHES} dashes (${5 ** WINDASH_MAX_DASHES} alternatives): use 're' with the class [-/\u2013\u2014\u2015] where each dash is, or split the value`,
    );
  let combos: (string | SigmaWildcard)[][] = [[]];
  for (const piece of pieces) {
    if (typeof piece === 'object' && 'dash' in piece) combos = combos.flatMap((c) => WINDASH.map((d) => [...c, d]));
    else combos = combos.map((c) => [...c, piece]);
  }
  return { type: 'expansion', values: combos.map((parts) => sigmaString(parts, value.cased)) };
}

/** IPv4 or IPv6 network (an address alone is its /32 or /128), with no host bits set, as Python's ip_network requires. */
function cidr(value: SigmaString): SigmaValue {
  const text = value.parts.map((part) => (typeof part === 'string' ? part.replace(/[*?]/g, (c) => `\\${c}`) : part.wildcard)).join('');
  const [address, prefix, extra] = text.split('/');
  const bad = (why: string) => new SigmaRuleError(`'${text}' is not a valid network for the 'cidr' modifier (${why}): write it as 10.0.0.0/8 or 2001:db8::/32`);
  if (extra !== undefined || !address) throw bad('one address and one prefix length');
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    if (octets.some((o) => o > 255)) throw bad('an octet is above 255');
    const bits = prefix === undefined ? 32 : /^\d{1,2}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits >= 0 && bits <= 32)) throw bad('the prefix length must be 0 to 32');
    const number = octets.reduce((n, o) => n * 256 + o, 0);
    if (bits < 32 && number % 2 ** (32 - bits) !== 0) throw bad('host bits are set');
    return { type: 'cidr', network: text };
  }
  if (/^[0-9a-f:.]+$/i.test(address) && address.includes(':')) {
    const bits = prefix === undefined ? 128 : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits >= 0 && bits <= 128)) throw bad('the prefix length must be 0 to 128');
    try {
      ipNetwork(text);
    } catch (error) {
      // The outputs' own reading (host bits, as Python's strict ip_network), reported here at the value.
      if (error instanceof SigmaRefused) throw bad(error.message.replace(/^cidr value .*? (has|is) /, '$1 '));
      throw error;
    }
    return { type: 'cidr', network: text };
  }
  throw bad('not an IPv4 or IPv6 address');
}

function exists(value: SigmaValue, field: string | null): SigmaValue {
  if (field === null) throw new SigmaRuleError("the 'exists' modifier needs a field");
  return { type: 'exists', value: (value as { value: boolean }).value };
}

function compare(op: 'gt' | 'gte' | 'lt' | 'lte', value: SigmaValue): SigmaValue {
  return { type: 'compare', op, value: (value as { value: number }).value };
}

function addFlag(value: SigmaValue, flag: 'i' | 'm' | 's'): SigmaValue {
  const re = value as Extract<SigmaValue, { type: 're' }>;
  return re.flags.includes(flag) ? re : { ...re, flags: [...re.flags, flag].sort() };
}

/** `expand`: `%name%` placeholders need a pipeline's values; without them the rule can't be searched. */
function expand(value: SigmaValue): SigmaValue {
  const texts = value.type === 're' ? [value.pattern] : (value as SigmaString).parts.filter((p): p is string => typeof p === 'string');
  for (const text of texts) {
    const m = /(?<!\\)%([^%]+)%/.exec(text);
    if (m) throw new SigmaRefused(`unhandled placeholder '${m[1]}': the 'expand' modifier needs a pipeline that gives '%${m[1]}%' its values (a value_placeholders transformation); without one, remove the placeholder`);
  }
  if (value.type === 're') return { ...value, pattern: value.pattern.replace(/\\%/g, '%') };
  const s = value as SigmaString;
  return sigmaString(s.parts.map((p) => (typeof p === 'string' ? p.replace(/\\%/g, '%') : p)), s.cased);
}
