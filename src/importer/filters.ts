import { quoteData } from './quote.js';

/** A filter that could not be carried over, with the path inside it and why. */
export interface FilterProblem {
  path: (string | number)[];
  message: string;
}

/** Query clauses that pass through unchanged (the query DSL both ElastAlert2 and alertcron send). */
const MODERN = new Set([
  'term', 'terms', 'range', 'match', 'match_phrase', 'match_phrase_prefix', 'match_all', 'match_none', 'multi_match', 'bool', 'query_string',
  'simple_query_string', 'exists', 'prefix', 'wildcard', 'regexp', 'fuzzy', 'ids', 'nested', 'geo_distance', 'geo_bounding_box', 'script',
]);

/**
 * Turns one ElastAlert2 filter item into a query clause: an item wrapped in `query:` is unwrapped (as ElastAlert2
 * does), the legacy Elasticsearch 1.x/2.x forms are rewritten (`and`/`or`/`not` into `bool`, `missing` into
 * `must_not exists`), modern clauses pass unchanged. Returns undefined, with problems, for what cannot be carried
 * over (`type:` mapping filters, EQL/ES|QL, unknown clauses).
 */
export function convertFilter(item: unknown, path: (string | number)[] = [], problems: FilterProblem[] = []): unknown {
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    problems.push({ path, message: 'a filter item must be a query clause such as {term: {field: value}}' });
    return undefined;
  }
  const entries = Object.entries(item as Record<string, unknown>);
  if (entries.length !== 1) {
    problems.push({ path, message: `a filter item must hold one clause, not ${entries.length} (${quoteData(entries.map(([k]) => k).join(', '))}): write one item each` });
    return undefined;
  }
  const [name, body] = entries[0]!;
  const list = (value: unknown, at: (string | number)[]) => {
    const items = Array.isArray(value) ? value : (value as { filters?: unknown[] })?.filters ?? [value];
    const converted = items.map((v, i) => convertFilter(v, [...at, ...(Array.isArray(value) ? [i] : (value as { filters?: unknown }).filters ? ['filters', i] : [])], problems));
    return converted.every((c) => c !== undefined) ? converted : undefined;
  };
  switch (name) {
    case 'query':
      // ElastAlert2 unwraps a filter item that has a query: key ("an old way of writing filters").
      return convertFilter(body, [...path, 'query'], problems);
    case 'and': {
      const all = list(body, [...path, 'and']);
      return all && { bool: { filter: all } };
    }
    case 'or': {
      const any = list(body, [...path, 'or']);
      return any && { bool: { should: any, minimum_should_match: 1 } };
    }
    case 'not': {
      const inner = (body as { filter?: unknown })?.filter !== undefined ? convertFilter((body as { filter: unknown }).filter, [...path, 'not', 'filter'], problems) : convertFilter(body, [...path, 'not'], problems);
      return inner && { bool: { must_not: [inner] } };
    }
    case 'missing': {
      const field = (body as { field?: unknown })?.field;
      if (typeof field !== 'string') {
        problems.push({ path: [...path, 'missing'], message: 'missing: needs field: <name>' });
        return undefined;
      }
      return { bool: { must_not: [{ exists: { field } }] } };
    }
    case 'type':
      problems.push({ path: [...path, 'type'], message: 'a type: filter matches a mapping type, which Elasticsearch 7+ and OpenSearch no longer have: drop it, or filter on a field' });
      return undefined;
    case 'eql':
    case 'esql':
      problems.push({ path: [...path, name], message: `${name.toUpperCase()} queries cannot go into a search body: rewrite the rule as a query` });
      return undefined;
    default:
      if (MODERN.has(name)) return { [name]: body };
      problems.push({ path: [...path, name], message: `unknown filter clause ${quoteData(name)}: write it in the query DSL (term, terms, range, bool, query_string ...)` });
      return undefined;
  }
}
