// Query DSL with Sigma's semantics: strings match case-insensitively (unless `cased`), wildcards and regular
// expressions are translated for Lucene, and the tree becomes bool filter / should / must_not.
import { isIP, isIPv6 } from 'node:net';
import { SigmaRefused } from '../refused.js';
import type { SigmaMatch, SigmaNode, SigmaString, SigmaValue } from '../types.js';
import { ipNetwork } from './ipNetwork.js';
import { regexToLucene } from './regexToLucene.js';
import { unknownValue, wildcard } from './toLucene.js';

type Clause = Record<string, unknown>;

/** What the DSL output knows of the index: the fields mapped as `ip` (a pipeline's `field_types`). */
export interface DslOptions {
  ipFields?: readonly string[];
}

/** The deepest condition tree written: a clear refusal far below a stack overflow. */
export const DSL_MAX_DEPTH = 1000;

/** The query clause (the caller wraps it as `{query: ...}`) matching what the Sigma condition tree matches; throws SigmaRefused. */
export function toDsl(node: SigmaNode, options: DslOptions = {}): Clause {
  return dsl(node, new Set(options.ipFields ?? []), 0);
}

function dsl(node: SigmaNode, ip: ReadonlySet<string>, depth: number): Clause {
  if (depth > DSL_MAX_DEPTH) throw new SigmaRefused(`the condition nests more than ${DSL_MAX_DEPTH} deep: flatten it`);
  const sub = (n: SigmaNode): Clause => dsl(n, ip, depth + 1);
  switch (node.type) {
    case 'and':
      return { bool: { filter: node.items.map(sub) } };
    case 'or':
      if (exactList(node.items, ip)) return { terms: { [node.items[0]!.field!]: node.items.map((item) => exactValue(item.value)) } };
      return { bool: { should: orClauses(node.items, ip, sub), minimum_should_match: 1 } };
    case 'not':
      return negate(sub(node.item));
    case 'match':
      return node.field === null ? keyword(node.value) : fieldMatch(node.field, node.value, ip);
  }
  throw new SigmaRefused(`a condition node of type '${(node as { type?: unknown }).type}' cannot be searched`);
}

/** How deep a condition tree nests (a match alone is 1), counted without recursion. */
export function nodeDepth(node: SigmaNode): number {
  let deepest = 0;
  const stack: [SigmaNode, number][] = [[node, 1]];
  while (stack.length) {
    const [n, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (n.type === 'not') stack.push([n.item, depth + 1]);
    else if (n.type !== 'match') for (const item of n.items) stack.push([item, depth + 1]);
  }
  return deepest;
}

/** The distinct fields a condition tree reads, in the order they first appear (keyword searches read none by name). */
export function nodeFields(node: SigmaNode): string[] {
  const seen = new Set<string>();
  const walk = (n: SigmaNode): void => {
    if (n.type === 'match') {
      if (n.field !== null) seen.add(n.field);
    } else if (n.type === 'not') walk(n.item);
    else n.items.forEach(walk);
  };
  walk(node);
  return [...seen];
}

/** An OR of values of one field that case cannot change (numbers, booleans, strings without letters or `cased`, no wildcards): one `terms`. */
function exactList(items: SigmaNode[], ip: ReadonlySet<string>): items is SigmaMatch[] {
  const first = items[0];
  if (items.length < 2 || first?.type !== 'match' || first.field === null || ip.has(first.field)) return false;
  return items.every((item) => {
    if (item.type !== 'match' || item.field !== first.field) return false;
    const value = item.value;
    if (value.type === 'number' || value.type === 'bool') return true;
    return value.type === 'string' && !hasWildcard(value) && (value.cased === true || !hasCase(plain(value)));
  });
}

/** Same-field string values of one OR beyond this many are folded into regexps (the engine refuses more than 1,024 clauses in a query). */
const FOLD_OVER = 64;
/** The longest regexp a fold writes: the engine's `index.max_regex_length` is 1,000 by default. */
const FOLD_LENGTH = 990;
/** The most clauses the engine accepts in a query by default (`indices.query.bool.max_clause_count`). */
const MAX_CLAUSES = 1024;
/** The longest regexp the engine accepts by default (`index.max_regex_length`). */
const MAX_REGEX_LENGTH = 1000;

/** A long text quoted by its first 40 characters, for a message. */
function shortened(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** The regexp as written, or a refusal naming the engine's length limit: the search would fail at run time otherwise. */
function boundedRegexp(regexp: string, what: string): string {
  if (regexp.length <= MAX_REGEX_LENGTH) return regexp;
  throw new SigmaRefused(
    `${what} becomes a regular expression of ${regexp.length} characters, more than the ${MAX_REGEX_LENGTH} the engine accepts by default (the index setting index.max_regex_length): shorten it`,
  );
}

/**
 * The clauses of an OR. A long list of string values on one field (SigmaHQ's Shai-Hulud rule has 1,100 `contains`)
 * would exceed the engine's clause limit as one wildcard each: values of one shape (a leading and/or trailing `*`)
 * become regexp alternations, `.*(a|b|c).*` (at most FOLD_LENGTH long; factored, as `.*a.*|.*b.*` needs more than the
 * engine's 10,000 determinized states), which match the same values; other items are clauses of their own. A value
 * with a `*` or a run of `?` inside is not folded (`.*(a.*b|c.*d).*` needs more than 10,000 states too); an OR still
 * left with more clauses than the engine accepts is refused.
 */
function orClauses(items: SigmaNode[], ip: ReadonlySet<string>, sub: (node: SigmaNode) => Clause): Clause[] {
  type Foldable = SigmaMatch & { field: string; value: SigmaString };
  const star = (part: SigmaString['parts'][number] | undefined): boolean => typeof part === 'object' && part.wildcard === '*';
  // No `*` and no `??` inside: alternations of such values (`.*(a.*b|...)`, `.*(a.{12}b|...)`) exceed the engine's determinized states.
  const simpleInside = (inner: SigmaString['parts']): boolean => inner.every((part, k) => typeof part === 'string' || (!star(part) && typeof inner[k + 1] !== 'object'));
  const foldable = (item: SigmaNode): item is Foldable =>
    item.type === 'match' && item.field !== null && !ip.has(item.field) && item.value.type === 'string' && item.value.parts.length > 1 && (hasWildcard(item.value) || !isIPv6(plain(item.value))) && simpleInside(item.value.parts.slice(1, -1));
  const shape = (item: Foldable): { key: string; lead: boolean; trail: boolean } => {
    const parts = item.value.parts;
    const lead = star(parts[0]);
    const trail = star(parts[parts.length - 1]);
    return { key: `${item.field}\0${item.value.cased === true}\0${lead}\0${trail}`, lead, trail };
  };
  const counts = new Map<string, number>();
  for (const item of items) if (foldable(item)) counts.set(shape(item).key, (counts.get(shape(item).key) ?? 0) + 1);
  const groups = new Map<string, { field: string; cased: boolean; lead: boolean; trail: boolean; patterns: string[] }>();
  const clauses: Clause[] = [];
  for (const item of items) {
    const { key, lead, trail } = foldable(item) ? shape(item) : { key: '', lead: false, trail: false };
    if (!foldable(item) || counts.get(key)! <= FOLD_OVER) {
      clauses.push(sub(item));
      continue;
    }
    const parts = item.value.parts.slice(lead ? 1 : 0, trail ? -1 : undefined);
    const pattern = wildcardRegexp({ ...item.value, parts }, false);
    if (pattern.length > FOLD_LENGTH / 2) {
      clauses.push(sub(item));
      continue;
    }
    const group = groups.get(key) ?? { field: item.field, cased: item.value.cased === true, lead, trail, patterns: [] };
    groups.set(key, group);
    group.patterns.push(pattern);
  }
  for (const { field, cased, lead, trail, patterns } of groups.values()) {
    const regexp = (alternatives: string[]): string => `${lead ? '.*' : ''}(${alternatives.join('|')})${trail ? '.*' : ''}`;
    let chunk: string[] = [];
    const flush = (): void => {
      if (chunk.length) clauses.push({ regexp: { [field]: { value: regexp(chunk), ...(cased ? {} : { case_insensitive: true }) } } });
      chunk = [];
    };
    for (const pattern of patterns) {
      if (chunk.length && regexp([...chunk, pattern]).length > FOLD_LENGTH) flush();
      chunk.push(pattern);
    }
    flush();
  }
  if (clauses.length > MAX_CLAUSES) {
    throw new SigmaRefused(
      `an OR of ${clauses.length} clauses (values with a '*' inside, which cannot be folded into a regular expression, are one clause each) is more than the ${MAX_CLAUSES} the engine accepts by default (the cluster setting indices.query.bool.max_clause_count): split the list across rules`,
    );
  }
  return clauses;
}

/** NOT of a clause; NOT of a lone must_not (a null test, exists: false) is its positive clause. */
function negate(clause: Clause): Clause {
  const bool = clause.bool as { must_not?: Clause[] } | undefined;
  if (bool && Object.keys(bool).length === 1 && bool.must_not?.length === 1) return bool.must_not[0]!;
  return { bool: { must_not: [clause] } };
}

function exactValue(value: SigmaValue): unknown {
  return value.type === 'string' ? plain(value) : 'value' in value ? value.value : null;
}

function fieldMatch(field: string, value: SigmaValue, ip: ReadonlySet<string>): Clause {
  switch (value.type) {
    case 'string':
      return ip.has(field) ? ipMatch(field, value) : stringMatch(field, value);
    case 'number':
    case 'bool':
      return { term: { [field]: { value: value.value } } };
    case 'null':
      return { bool: { must_not: [{ exists: { field } }] } };
    case 'exists':
      return value.value ? { exists: { field } } : { bool: { must_not: [{ exists: { field } }] } };
    case 'compare':
      return { range: { [field]: { [value.op]: value.value } } };
    case 'cidr': {
      const network = ipNetwork(value.network);
      return { term: { [field]: { value: `${network.address}/${network.prefix}` } } };
    }
    case 're': {
      if (ip.has(field)) throw new SigmaRefused(`'${field}' is an ip field (the pipeline's field_types), which the engine cannot search with a regular expression: use the cidr modifier`);
      const translated = regexToLucene(value.pattern, value.flags);
      return { regexp: { [field]: { value: boundedRegexp(translated.regexp, `the regular expression ${shortened(value.pattern)}`), ...(translated.caseInsensitive ? { case_insensitive: true } : {}) } } };
    }
  }
  return unknownValue(value);
}

/** A string: term when it has no wildcard, prefix when its one wildcard is a trailing `*`, wildcard otherwise. */
function stringMatch(field: string, value: SigmaString): Clause {
  const text = plain(value);
  const insensitive = value.cased !== true && !lowercased(field) && hasCase(value.parts.filter((p): p is string => typeof p === 'string').join(''));
  const flag = insensitive ? { case_insensitive: true } : {};
  if (!hasWildcard(value)) return { term: { [field]: { value: text, ...flag } } };
  const last = value.parts[value.parts.length - 1];
  const wildcards = value.parts.filter((p) => typeof p !== 'string');
  if (wildcards.length === 1 && typeof last === 'object' && last.wildcard === '*' && value.parts.length > 1) {
    return { prefix: { [field]: { value: value.parts.slice(0, -1).join(''), ...flag } } };
  }
  return { wildcard: { [field]: { value: wildcardPattern(value), ...flag } } };
}

/** What matches no document (a string no address can be, on an ip field). */
const MATCH_NONE: Clause = { match_none: {} };

/**
 * A string on an ip field (which the engine compares only as addresses; a term of '-' or any prefix or wildcard query
 * there fails the whole search). Sigma compares the field's text, an address's canonical form, so: an address is a
 * term; text that no address's form can hold (`-`, `*-*`, 16 hex digits in a row) matches nothing; `a.b.*` (whole
 * IPv4 octets, then `*`) is the network of those octets; other wildcards are refused with the cidr fix.
 */
function ipMatch(field: string, value: SigmaString): Clause {
  const text = plain(value);
  if (!hasWildcard(value)) return isIP(text) ? { term: { [field]: { value: text } } } : MATCH_NONE;
  const literals = value.parts.filter((p): p is string => typeof p === 'string');
  if (literals.some((literal) => !couldBeInAddress(literal))) return MATCH_NONE;
  const octets = /^((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){1,3})$/.exec(literals.join(''));
  const last = value.parts[value.parts.length - 1];
  if (octets && value.parts.length === 2 && typeof last === 'object' && last.wildcard === '*') {
    const known = octets[1]!.split('.').filter(Boolean);
    const network = [...known, ...['0', '0', '0'].slice(0, 4 - known.length)].join('.');
    return { term: { [field]: { value: `${network}/${known.length * 8}` } } };
  }
  throw new SigmaRefused(
    `'${field}' is an ip field (the pipeline's field_types): the engine compares it only as an address, so ${JSON.stringify(text)} cannot be searched as text there; write the network with the cidr modifier (e.g. '${field}|cidr: 10.1.0.0/16') or an exact address`,
  );
}

/** Whether some address's canonical text (IPv4 dotted, IPv6 lower-case compressed, as the engine prints them) can contain the text. */
function couldBeInAddress(text: string): boolean {
  const lower = text.toLowerCase();
  if (!/^[0-9a-f.:]*$/.test(lower)) return false;
  // Groups have at most 4 hex digits (3 decimal digits in IPv4) and no leading zero: `0200` or 5 hex digits cannot occur.
  return !/[0-9a-f]{5}|0[0-9a-f]{3}|:::|\.\.|\d{4}\./.test(lower);
}

/**
 * A field-less (keyword) search: a query_string regexp (slashes around `.*`, the value, `.*`) over every field, `lenient` so fields of other
 * types are skipped. query_string has no case_insensitive, so each ASCII letter is a two-case class (`[cC]`) unless
 * `cased` (a `*` or `?` of the value is `.*` or `.`, everything else is escaped).
 */
function keyword(value: SigmaValue): Clause {
  if (value.type === 'string') {
    const regexp = boundedRegexp(`.*${wildcardRegexp(value, value.cased !== true)}.*`, `the keyword ${shortened(plain(value))} (each letter a two-case class, as query_string cannot ignore case)`);
    return { query_string: { query: `/${regexp}/`, lenient: true } };
  }
  // Every character but digits and the decimal point escaped: `-5` must not become NOT 5 (nor `1e+21` an operator).
  if (value.type === 'number') return { query_string: { query: String(value.value).replace(/[^0-9.]/g, (c) => `\\${c}`), lenient: true } };
  throw new SigmaRefused(`a keyword search (a value without a field) cannot be ${value.type === 're' ? 'a regular expression' : `a ${value.type} value`}: name the field it applies to`);
}

/** A Sigma string as a Lucene regexp of the whole value: wildcards `.*` and `.`, every other character escaped, ASCII letters as `[aA]` when folding. */
function wildcardRegexp(value: SigmaString, foldCase: boolean): string {
  const literal = (text: string): string => [...text].map((c) => (foldCase && /[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : /[0-9A-Za-z]/.test(c) ? c : `\\${c}`)).join('');
  return value.parts.map((part) => (typeof part === 'string' ? literal(part) : wildcard(part) === '*' ? '.*' : '.')).join('');
}

/** Lucene wildcard syntax: `\`, `*` and `?` of the text escaped, Sigma's wildcards as they are. */
function wildcardPattern(value: SigmaString): string {
  return value.parts.map((part) => (typeof part === 'string' ? part.replace(/[\\*?]/g, (c) => `\\${c}`) : wildcard(part))).join('');
}

function plain(value: SigmaString): string {
  return value.parts.map((part) => (typeof part === 'string' ? part : wildcard(part))).join('');
}

function hasWildcard(value: SigmaString): boolean {
  return value.parts.some((part) => typeof part !== 'string');
}

/**
 * ECS's `.caseless` sub-fields are keywords with a lowercase normalizer, which folds the query's value as it folded the
 * indexed one: there term, prefix and wildcard need no case_insensitive (whose automaton is what costs on large indices).
 */
function lowercased(field: string): boolean {
  return field.endsWith('.caseless');
}

/** Whether case could change a match of this text: it has a letter with another case. */
function hasCase(text: string): boolean {
  return text.toLowerCase() !== text.toUpperCase();
}
