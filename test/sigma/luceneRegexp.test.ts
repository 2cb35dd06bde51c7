// Generated regular expressions (a grammar Python's re and JavaScript's RegExp read alike) translated for Lucene and
// run as regexp queries on the real engine, against a JavaScript RegExp search over the same values.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { regexToLucene } from '../../src/sigma/output/regexToLucene.js';
import { SigmaRefused } from '../../src/sigma/refused.js';
import { toDsl } from '../../src/sigma/output/toDsl.js';
import { startEngine, type EngineHandle } from '../support/engine.js';
import { checkProperty, PROPERTY_SEED } from '../support/property.js';
import { deleteIndices, indexDocs } from '../support/seed.js';

const INDEX = `sigma-regexp-d2-${process.pid}`;
/**
 * Letters of both cases, digits, space, a line break (what `.`, `\s`, and the m and s flags are about) and punctuation
 * Lucene reserves. The model is a JavaScript search, whose `$` without m matches only at the very end, as the DSL's
 * does (Python's also matches before a final line break: a documented difference, docs/sigma-matching.md).
 */
const ALPHABET = ['a', 'b', 'A', 'B', 'x', '0', '1', ' ', '\n', '.', '-', '_', '/', '<', '"', '#', '&', '~', '@', '(', '*', '\\'];
let engine: EngineHandle;
let values: string[] = [];

const char = fc.constantFrom(...ALPHABET);
const valueArb = fc.array(char, { minLength: 0, maxLength: 8 }).map((cs) => cs.join(''));

/** A literal character written as both dialects read it (metacharacters escaped). */
const literal = char.map((c) => (/[.\\*(?+[\]{}|^$/]/.test(c) ? `\\${c}` : c));
const atom: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: literal },
  { weight: 1, arbitrary: fc.constant('.') },
  { weight: 1, arbitrary: fc.constantFrom('\\d', '\\w', '\\s', '\\D', '\\W', '\\S') },
  { weight: 2, arbitrary: fc.constantFrom('[ab]', '[^a]', '[a-c]', '[A-Z0]', '[\\d.]', '[\\w-]', '[<#]', '[^\\s]') },
);
const quantifier = fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{1,2}', '{0,}', '*?', '+?');
const piece = fc.tuple(atom, quantifier).map(([a, q]) => a + q);
const sequence = fc.array(piece, { minLength: 1, maxLength: 4 }).map((ps) => ps.join(''));
// An alternative may be empty (`(?:\s|)`, as SigmaHQ's invoke_obfuscation_var rules write).
const group = fc.tuple(fc.constantFrom('(', '(?:'), fc.array(fc.oneof({ weight: 4, arbitrary: sequence }, { weight: 1, arbitrary: fc.constant('') }), { minLength: 1, maxLength: 3 }), quantifier).map(([open, alts, q]) => `${open}${alts.join('|')})${q}`);
const body = fc.array(fc.oneof(sequence, group), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
const regex = fc.record({
  alternatives: fc.array(fc.tuple(fc.boolean(), body, fc.boolean()), { minLength: 1, maxLength: 2 }),
  flags: fc.subarray(['i', 'm', 's'] as const),
});

before(async () => {
  engine = await startEngine();
  const created = await fetch(`${engine.url}/${INDEX}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { properties: { v: { type: 'keyword' }, n: { type: 'integer' } } } }),
  });
  assert.ok(created.ok, await created.text());
  values = [...new Set(['', 'ab', 'AB', 'a b', 'x<#"&~@', ...fc.sample(valueArb, { seed: PROPERTY_SEED, numRuns: 150 })])];
  await indexDocs(engine.url, INDEX, values.map((v, n) => ({ v, n })));
});

after(async () => {
  await deleteIndices(engine.url, [INDEX]);
  await engine.stop();
});

/** The engine's refusal of a regexp whose automaton is too big to determinize (a documented limit: validate --cluster names such queries). */
const TOO_COMPLEX = 'too_complex_to_determinize_exception';

/** The values a query matches on the engine, or TOO_COMPLEX when the engine refuses the regexp as too complex to determinize. */
async function matching(query: Record<string, unknown>): Promise<string[] | typeof TOO_COMPLEX> {
  const response = await fetch(`${engine.url}/${INDEX}/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, size: 1000 }) });
  const result = (await response.json()) as { hits?: { hits: { _source: { v: string } }[] }; error?: unknown };
  if (!response.ok && JSON.stringify(result.error).includes(TOO_COMPLEX)) return TOO_COMPLEX;
  assert.ok(response.ok, `${JSON.stringify(query)}: ${JSON.stringify(result.error)}`);
  return result.hits!.hits.map((hit) => hit._source.v).sort();
}

test('a translated regexp matches on the engine exactly the values a regular-expression search matches', async () => {
  let tooComplex = 0;
  await checkProperty(
    'sigma re -> Lucene regexp',
    fc.asyncProperty(regex, async ({ alternatives, flags }) => {
      const pattern = alternatives.map(([start, text, end]) => `${start ? '^' : ''}${text}${end ? '$' : ''}`).join('|');
      const js = new RegExp(pattern, flags.join(''));
      const expected = values.filter((v) => js.test(v)).sort();
      const query = toDsl({ type: 'match', field: 'v', value: { type: 're', pattern, flags: [...flags] } });
      const got = await matching(query);
      // The engine refuses some generated patterns as too complex (10,000 determinization steps): counted, not judged.
      if (got === TOO_COMPLEX) {
        tooComplex++;
        return;
      }
      assert.deepEqual(got, expected, `${pattern} /${flags.join('')} -> ${JSON.stringify(query)}`);
    }),
    120,
  );
  // A rare refusal, never most of the cases: the comparison still judges nearly every generated pattern.
  assert.ok(tooComplex <= 12, `${tooComplex} of 120 generated patterns were too complex for the engine`);
});

test('the translation spells out classes, anchors and flags', () => {
  assert.deepEqual(regexToLucene('^a\\d+$', []), { regexp: 'a[0-9]+', caseInsensitive: false });
  assert.deepEqual(regexToLucene('(?i)b.c', []), { regexp: '.*b[^\n]c.*', caseInsensitive: true });
  assert.deepEqual(regexToLucene('b.c', ['s']), { regexp: '.*b.c.*', caseInsensitive: false });
  assert.deepEqual(regexToLucene('^a|b$', ['m']), { regexp: '(.*\n)?a.*|.*b(\n.*)?', caseInsensitive: false });
  assert.deepEqual(regexToLucene('(^|/)x', []), { regexp: '(.*/)?x.*', caseInsensitive: false });
  assert.deepEqual(regexToLucene('a(?:b|)c', []), { regexp: '.*a(b)?c.*', caseInsensitive: false });
  assert.deepEqual(regexToLucene('a<b>"@', []), { regexp: '.*a\\<b\\>\\"\\@.*', caseInsensitive: false });
});

test('an empty alternative ending a group (SigmaHQ\'s invoke_obfuscation_var rules) is a regexp the engine accepts and matches as a search does', async () => {
  // From rules/windows/powershell/powershell_script/posh_ps_invoke_obfuscation_var.yml (and its posh_pm_ and proc_creation_ twins).
  const obfuscation = 'cmd.{0,5}(?:/c|/r)(?:\\s|)"set\\s[a-zA-Z]{3,6}.*(?:\\{\\d\\}){1,}\\\\"\\s+?-f(?:.*\\)){1,}.*"';
  const candidates = ['cmd /c"set abc=x{0}\\" -f a) b"', 'cmd/c"set abc=x{0}\\" -f a)"', 'cmd /c"set ab=x{0}\\" -f a)"', 'ac', 'abc', 'xb', 'x', 'a c'];
  await indexDocs(engine.url, INDEX, candidates.map((v, n) => ({ v, n: 1000 + n })));
  values = [...values, ...candidates];
  for (const pattern of [obfuscation, 'a(?:b|)c', '^x(b|)+$']) {
    const query = toDsl({ type: 'match', field: 'v', value: { type: 're', pattern, flags: [] } });
    const js = new RegExp(pattern);
    assert.deepEqual(await matching(query), values.filter((v) => js.test(v)).sort(), `${pattern} -> ${JSON.stringify(query)}`);
  }
  assert.ok(new RegExp(obfuscation).test(candidates[0]!));
});

test('groups nested 20,000 deep are refused with the limit, not a stack overflow; 100 deep still translate', () => {
  assert.throws(
    () => regexToLucene(`${'('.repeat(20_000)}a${')'.repeat(20_000)}`, []),
    (error: unknown) => error instanceof SigmaRefused && /nest more than 100 deep/.test(error.message),
  );
  assert.equal(regexToLucene(`${'(?:'.repeat(100)}a${')'.repeat(100)}`, []).regexp.includes('a'), true);
});
