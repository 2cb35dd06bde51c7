// pySigma's Lucene output (pySigma-backend-elasticsearch 2.1.1's LuceneBackend, no pipeline of its own), byte for
// byte: the query_string text a user's other Sigma tools search with. Matching semantics are toDsl's business.
import { SigmaRefused } from '../refused.js';
import type { SigmaMatch, SigmaNode, SigmaString, SigmaValue } from '../types.js';
import { ipNetwork } from './ipNetwork.js';

/** Characters the backend escapes with `\` in a value (its wildcards, the quote and query_string's operators). */
const ESCAPED = new Set('*?"+-=&|!(){}[]<>^"~*?:\\/ ');
/** The same inside a phrase-quoted value: everything but the space. */
const ESCAPED_IN_PHRASE = new Set([...ESCAPED].filter((c) => c !== ' '));

/** The Lucene query_string pySigma's LuceneBackend writes for this condition tree; throws SigmaRefused where it fails. */
export function toLucene(node: SigmaNode): string {
  switch (node.type) {
    case 'and':
      return node.items.map((item) => child(item)).join(' AND ');
    case 'or':
      if (node.expansion || inList(node.items)) return inExpression(node.items as SigmaMatch[]);
      return node.items.map((item) => child(item)).join(' OR ');
    case 'not':
      if (node.item.type === 'match' && node.item.field !== null && node.item.value.type === 'null') return `_exists_:${node.item.field}`;
      return node.item.type === 'match' || (node.item.type === 'or' && node.item.expansion) ? `NOT ${toLucene(node.item)}` : `NOT (${toLucene(node.item)})`;
    case 'match':
      return node.field === null ? keyword(node.value) : fieldMatch(node.field, node.value);
  }
  throw new SigmaRefused(`a condition node of type '${(node as { type?: unknown }).type}' cannot be searched`);
}

/** The dsl_lucene wrapper pySigma puts around a Lucene query: `{query: luceneQuery(toLucene(node))}` is its output. */
export function luceneQuery(lucene: string): Record<string, unknown> {
  return { bool: { must: [{ query_string: { query: lucene, analyze_wildcard: true } }] } };
}

/** An operand of AND/OR: matches bare (a null test always grouped, a negated one never), everything else in parentheses. */
function child(node: SigmaNode): string {
  const text = toLucene(node);
  if (node.type === 'match') return node.value.type === 'null' && node.field !== null ? `(${text})` : text;
  if (node.type === 'or' && node.expansion) return text;
  if (node.type === 'not' && node.item.type === 'match' && node.item.field !== null && node.item.value.type === 'null') return text;
  return `(${text})`;
}

/** pySigma writes an OR as `field:(a OR b)` when every operand compares the same field with a string or a number. */
function inList(items: SigmaNode[]): items is SigmaMatch[] {
  const first = items[0];
  if (first?.type !== 'match' || first.field === null) return false;
  return items.every((item) => item.type === 'match' && item.field === first.field && (item.value.type === 'string' || item.value.type === 'number'));
}

function inExpression(items: SigmaMatch[]): string {
  const values = items.map((item) => {
    if (item.value.type === 'string') return fieldString(item.value);
    if (item.value.type === 'number') return pyNumber(item.value.value);
    throw new SigmaRefused('Field in list expression requires string or number values');
  });
  return `${field(items[0]!.field ?? '')}:(${values.join(' OR ')})`;
}

function fieldMatch(name: string, value: SigmaValue): string {
  switch (value.type) {
    case 'string':
      if (value.cased) throw new SigmaRefused('Case-sensitive string matching is not supported by backend. (pySigma\'s Lucene output has no case-sensitive match: use output: dsl, or drop the cased modifier)');
      return `${field(name)}:${fieldString(value)}`;
    case 'number':
      return `${field(name)}:${pyNumber(value.value)}`;
    case 'bool':
      return `${field(name)}:${value.value ? 'true' : 'false'}`;
    case 'null':
      return `NOT _exists_:${field(name)}`;
    case 'exists':
      return value.value ? `_exists_:${field(name)}` : `NOT _exists_:${field(name)}`;
    case 'compare':
      return `${field(name)}:${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[value.op]}${pyNumber(value.value)}`;
    case 're':
      return `${field(name)}:/${value.flags.length > 0 ? `(?${[...new Set(value.flags)].sort().join('')})` : ''}${value.pattern.replace(/\//g, '\\/')}/`;
    case 'cidr': {
      const network = ipNetwork(value.network);
      const text = `${name}:${network.address}\\/${network.prefix}`;
      if (!value.network.includes(':')) return text;
      const escaped = text.replace(/:/g, '\\:');
      return escaped.replace('\\:', ':');
    }
  }
  return unknownValue(value);
}

/** A field-less (keyword) value: a string anywhere in the event as `*value*` (spaces escaped, never a phrase), a number as is. */
function keyword(value: SigmaValue): string {
  if (value.type === 'string') return `*${luceneKeyword(value)}*`;
  if (value.type === 'number') return pyNumber(value.value);
  if (value.type === 're') throw new SigmaRefused('Regular expression template is not supported by the backend. (a keyword search cannot use re: name the field the expression applies to)');
  throw new SigmaRefused(`${value.type} values can't appear as standalone value without a field name: name the field the value applies to`);
}

/** A string compared with a field: a plain value with a space becomes a phrase (2.1.1), otherwise every operator is escaped. */
function fieldString(value: SigmaString): string {
  const wild = value.parts.some((part) => typeof part !== 'string');
  const text = value.parts.map((part) => (typeof part === 'string' ? part : wildcard(part))).join('');
  if (!wild && text.includes(' ')) return `"${escape(value, ESCAPED_IN_PHRASE)}"`;
  return luceneKeyword(value);
}

/** A string escaped for query_string with every operator and space escaped (`""` when empty), as in a keyword search. */
export function luceneKeyword(value: SigmaString): string {
  return value.parts.length === 0 ? '""' : escape(value, ESCAPED);
}

function escape(value: SigmaString, escaped: Set<string>): string {
  return value.parts.map((part) => (typeof part === 'string' ? [...part].map((c) => (escaped.has(c) ? `\\${c}` : c)).join('') : wildcard(part))).join('');
}

/** A wildcard part; anything else there (an unresolved placeholder) cannot be searched. */
export function wildcard(part: SigmaString['parts'][number]): string {
  if (typeof part === 'object' && (part.wildcard === '*' || part.wildcard === '?')) return part.wildcard;
  throw new SigmaRefused(`a string value holds ${JSON.stringify(part)}, which is no text or wildcard (an unhandled placeholder?): resolve it with a pipeline or remove it`);
}

/** What the outputs say of a value type they do not know (a field reference, say), instead of writing nonsense. */
export function unknownValue(value: { type?: unknown }): never {
  throw new SigmaRefused(`a value of type '${String(value.type)}' cannot be searched (${JSON.stringify(value).slice(0, 120)})`);
}

/** A field name with whitespace and `*` escaped, as the backend escapes it. */
function field(name: string): string {
  return name.replace(/[\s*]/g, (c) => `\\${c}`);
}

/** A number as Python's str() writes it for what YAML reads as an integer (all digits) or a float. */
function pyNumber(value: number): string {
  return Number.isSafeInteger(value) ? String(value) : Number.isInteger(value) ? BigInt(value).toString() : String(value);
}
