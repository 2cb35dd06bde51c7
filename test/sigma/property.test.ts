// Property (issue 27 point 6c): random detections (modifiers x case x wildcards x escapes x lists/all/not/1 of),
// written as Sigma YAML text, parsed and compiled to query DSL, search the real engine over random documents
// (strings keyword-mapped, one ip field for cidr): the hits must be exactly the documents the spec-based evaluation
// (test/support/sigmaEvaluate.ts) says the rule matches. Each case indexes once and checks a batch of rules.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import { toDsl } from '../../src/sigma/output/toDsl.js';
import type { SigmaRule } from '../../src/sigma/types.js';
import { checkProperty, fc } from '../support/property.js';
import { deleteIndices, indexDocs } from '../support/seed.js';
import { sigmaEvaluate, type EvalRule } from '../support/sigmaEvaluate.js';
import { documentsFor, IP_FIELD, randomRule, ruleYaml } from './propertyRules.js';

const ES = process.env.ALERTCRON_TEST_ES_URL ?? 'http://127.0.0.1:9250';
const RULES_PER_CASE = 25;
const DOCS_PER_CASE = 80;
const indices: string[] = [];
after(() => deleteIndices(ES, indices));

/** What one case found, for the failure message: the rule's YAML, its DSL, and the documents on which they disagree. */
function disagreement(yaml: string, query: unknown, docs: Record<string, unknown>[], engine: Set<number>, expected: Set<number>): string {
  const extra = [...engine].filter((i) => !expected.has(i));
  const missing = [...expected].filter((i) => !engine.has(i));
  const show = (ids: number[]): string => ids.slice(0, 3).map((i) => JSON.stringify(docs[i])).join('\n    ');
  return `rule:\n${yaml}\nDSL: ${JSON.stringify(query)}\n  engine matched, the spec does not:\n    ${show(extra) || '-'}\n  the spec matches, the engine did not:\n    ${show(missing) || '-'}`;
}

let pairs = 0;
let matchedPairs = 0;

test('property: the DSL of a random Sigma detection hits exactly the documents the spec says it matches', async () => {
  let caseNo = 0;
  await checkProperty(
    'sigma DSL hits = spec evaluation',
    fc.asyncProperty(fc.noShrink(fc.array(randomRule, { minLength: RULES_PER_CASE, maxLength: RULES_PER_CASE })), fc.integer({ min: 1, max: 2 ** 30 }), async (rules: EvalRule[], seed: number) => {
      const docs = documentsFor(rules, DOCS_PER_CASE, seed);
      const index = `sigma_property_${process.pid}_${caseNo++}`;
      indices.push(index);
      const created = await fetch(`${ES}/${index}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: { dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }], properties: { [IP_FIELD]: { type: 'ip' } } },
        }),
      });
      assert.ok(created.ok, `cannot create ${index}: ${await created.text()}`);
      await indexDocs(ES, index, docs);
      const compiled = rules.map((rule, r) => {
        const yaml = ruleYaml(rule, `r${r}`);
        const parsed = parseSigma(yaml);
        const sigma = parsed.documents.find((d): d is SigmaRule => d.kind === 'rule');
        if (!sigma) throw new Error(`parseSigma refused a valid rule: ${JSON.stringify(parsed.problems)}\n${yaml}`);
        return { yaml, query: toDsl(sigma.condition, { ipFields: [IP_FIELD] }) };
      });
      const body = compiled.flatMap(({ query }) => [JSON.stringify({ index }), JSON.stringify({ size: DOCS_PER_CASE, _source: ['i'], query })]).join('\n') + '\n';
      const response = await fetch(`${ES}/_msearch`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
      const result = (await response.json()) as { responses: { error?: unknown; hits?: { hits: { _source: { i: number } }[] } }[] };
      result.responses.forEach((r, k) => {
        const { yaml, query } = compiled[k]!;
        if (r.error) throw new Error(`the engine refused the DSL: ${JSON.stringify(r.error).slice(0, 400)}\nrule:\n${yaml}\nDSL: ${JSON.stringify(query)}`);
        const engine = new Set(r.hits!.hits.map((h) => h._source.i));
        const expected = new Set(docs.filter((d) => sigmaEvaluate(rules[k]!, d, [IP_FIELD])).map((d) => d.i as number));
        pairs += docs.length;
        matchedPairs += expected.size;
        assert.ok(engine.size === expected.size && [...engine].every((i) => expected.has(i)), disagreement(yaml, query, docs, engine, expected));
      });
      await deleteIndices(ES, [index]);
    }),
    8,
  );
  // Not vacuous: the documents are built from the rules' values, so a fair share of (rule, document) pairs match.
  assert.ok(matchedPairs > pairs * 0.03, `only ${matchedPairs} of ${pairs} rule-document pairs matched: the generator no longer exercises matching`);
});
