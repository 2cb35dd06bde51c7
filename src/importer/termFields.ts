import { quoteData } from './quote.js';

/** The most fields alertcron's new_term takes in one compound term (its schema's limit). */
const MAX_COMPOUND = 8;

/** The terms of an ElastAlert2 new_term rule: each a list of fields (one field, or several that together are one compound term). */
export type TermsOf = { terms: string[][]; from: 'fields' | 'query_key' } | { problem: string; option: 'fields' | 'query_key' };

/**
 * Reads `fields` (or, without it, `query_key`) as ElastAlert2's NewTermsRule does: a string is one field; in a list,
 * each string is a term of its own and each list of strings is one compound term. Every other shape is a problem
 * that says what to write instead. Repeated terms are kept once.
 */
export function termsOf(fields: unknown, queryKey: unknown): TermsOf {
  if (fields === undefined || fields === null) {
    if (queryKey === undefined || queryKey === null) return { problem: 'a new_term rule needs fields (or query_key): skipped', option: 'fields' };
    if (typeof queryKey === 'string' && queryKey) return { terms: [[queryKey]], from: 'query_key' };
    if (Array.isArray(queryKey) && queryKey.length === 1 && typeof queryKey[0] === 'string' && queryKey[0]) return { terms: [[queryKey[0]]], from: 'query_key' };
    if (Array.isArray(queryKey) && queryKey.length > 1 && queryKey.every((k) => typeof k === 'string')) {
      const joined = quoteData(queryKey.join(','));
      return { problem: `without fields, ElastAlert2 takes the query_key list as one field named ${joined} (it joins the list with commas), which no event has: the rule never alerted; write fields: [[a, b]] for one compound term, or fields: [a, b] for a term per field: skipped`, option: 'query_key' };
    }
    return { problem: 'query_key (used as the term without fields) must be a field name: skipped', option: 'query_key' };
  }
  const entries = Array.isArray(fields) ? fields : [fields];
  if (!entries.length) return { problem: 'fields is an empty list (ElastAlert2 refuses to start such a rule): name at least one field: skipped', option: 'fields' };
  const terms: string[][] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const term = typeof entry === 'string' ? [entry] : Array.isArray(entry) ? entry : undefined;
    if (!term || !term.length || !term.every((f): f is string => typeof f === 'string' && f.trim() !== '')) {
      return { problem: `fields entry ${quoteData(JSON.stringify(entry) ?? String(entry), 80)} is neither a field name nor a list of field names (a compound term, e.g. [user.name, source.ip]): skipped`, option: 'fields' };
    }
    const unique = [...new Set(term)];
    if (unique.length > MAX_COMPOUND) return { problem: `a compound term of ${unique.length} fields: alertcron takes at most ${MAX_COMPOUND}: skipped`, option: 'fields' };
    const id = JSON.stringify(unique);
    if (seen.has(id)) continue;
    seen.add(id);
    terms.push(unique);
  }
  return { terms, from: 'fields' };
}

