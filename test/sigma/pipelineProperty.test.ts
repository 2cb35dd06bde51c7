// Generated pipelines and rules: any pipeline data gives a pipeline or located problems (never a crash), and random
// field mappings, prefixes, added conditions and value changes give pySigma's tree for random rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPipeline } from '../../src/sigma/pipeline/applyPipeline.js';
import { readPipeline } from '../../src/sigma/pipeline/readPipeline.js';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import type { SigmaRule } from '../../src/sigma/types.js';
import { bareTree, orFlat, runPipelineOracle } from '../support/pipelineOracle.js';
import { checkProperty, fc } from '../support/property.js';

const TYPES = ['field_name_mapping', 'field_name_prefix', 'add_condition', 'convert_type', 'map_string', 'drop_detection_item', 'bogus'];

test('property: any pipeline data is read into items or into problems with a path and a message, never a crash', async () => {
  const item = fc.record(
    {
      type: fc.oneof(fc.constantFrom(...TYPES), fc.jsonValue()),
      mapping: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()))), fc.jsonValue()),
      prefix: fc.oneof(fc.string(), fc.jsonValue()),
      conditions: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), fc.jsonValue()),
      rule_conditions: fc.oneof(fc.array(fc.record({ type: fc.constantFrom('logsource', 'tag', 'nope'), product: fc.string() })), fc.jsonValue()),
      field_name_conditions: fc.array(fc.record({ type: fc.constantFrom('include_fields', 'exclude_fields'), fields: fc.array(fc.string()), mode: fc.constantFrom('plain', 're', 'x') })),
      field_name_cond_expr: fc.string(),
      target_type: fc.constantFrom('str', 'num', 'int'),
    },
    { requiredKeys: [] },
  );
  const pipeline = fc.oneof(fc.record({ name: fc.string(), priority: fc.oneof(fc.integer(), fc.jsonValue()), transformations: fc.array(item, { maxLength: 4 }) }, { requiredKeys: [] }), fc.jsonValue());
  await checkProperty(
    'readPipeline never throws',
    fc.property(pipeline, (value) => {
      const read = readPipeline(value, 'generated');
      if ('problems' in read) {
        assert.ok(read.problems.length > 0);
        for (const p of read.problems) assert.ok(Array.isArray(p.path) && typeof p.message === 'string' && p.message.length > 0);
      } else for (const i of read.items) assert.ok(TYPES.includes(i.type) && typeof i.id === 'string');
    }),
    300,
  );
});

const name = fc.stringMatching(/^[A-Z][a-z]{1,5}$/);
const word = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const text = fc.oneof(word, word.map((w) => `*${w}`), word.map((w) => `${w}?x`));
const value = fc.oneof(text, fc.integer({ min: 0, max: 9999 }));

/** A random rule: a few detections of random fields, modifiers and values, and a condition over them. */
const rule = fc
  .record({
    category: fc.constantFrom('process_creation', 'network_connection'),
    detections: fc.array(
      fc.array(
        fc.oneof(
          fc.record({ field: name, modifier: fc.constant(''), values: fc.array(value, { minLength: 1, maxLength: 3 }) }),
          fc.record({ field: name, modifier: fc.constantFrom('|contains', '|endswith', '|startswith'), values: fc.array(text, { minLength: 1, maxLength: 3 }) }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      { minLength: 1, maxLength: 3 },
    ),
    condition: fc.constantFrom('1 of sel*', 'all of sel*', 'sel0 and not 1 of sel*'),
  })
  .map(({ category, detections, condition }) => {
    const body = detections
      .map((items, i) => {
        const seen = new Set<string>();
        const lines = items
          .filter((it) => !seen.has(it.field + it.modifier) && seen.add(it.field + it.modifier))
          .map((it) => `    ${it.field}${it.modifier}: [${it.values.map((v) => JSON.stringify(v)).join(', ')}]`);
        return `  sel${i}:\n${lines.join('\n')}`;
      })
      .join('\n');
    return `title: generated\nlevel: medium\nlogsource: {category: ${category}, product: windows}\ndetection:\n${body}\n  condition: ${condition}\n`;
  });

/** A random pipeline over the same field names: mappings (some one-to-many), a prefix, an added condition, value changes. */
const pipeline = fc
  .record({
    mapping: fc.dictionary(name, fc.oneof(word.map((w) => `ecs.${w}`), fc.array(word.map((w) => `alt.${w}`), { minLength: 2, maxLength: 2 })), { maxKeys: 4 }),
    category: fc.constantFrom('process_creation', 'network_connection'),
    added: fc.dictionary(word, value, { minKeys: 1, maxKeys: 2 }),
    negated: fc.boolean(),
    mapped: fc.dictionary(word, word, { maxKeys: 2 }),
    toStr: fc.boolean(),
  })
  .map(({ mapping, category, added, negated, mapped, toStr }) => ({
    oneToMany: Object.values(mapping).some(Array.isArray),
    yaml: JSON.stringify({
      name: 'generated',
      priority: 20,
      transformations: [
        { id: 'map', type: 'field_name_mapping', mapping },
        { id: 'cond', type: 'add_condition', conditions: added, negated, rule_conditions: [{ type: 'logsource', category }] },
        { id: 'strings', type: 'map_string', mapping: mapped },
        { id: 'prefix', type: 'field_name_prefix', prefix: 'winlog.', field_name_conditions: [{ type: 'processing_item_applied', processing_item_id: 'map' }], field_name_cond_not: true },
        ...(toStr ? [{ id: 'str', type: 'convert_type', target_type: 'str', field_name_conditions: [{ type: 'include_fields', fields: ['^ecs\\.', '^alt\\.'], mode: 're' }] }] : []),
      ],
    }),
  }));

test('property: random field mappings, prefixes, added conditions and value changes give pySigma’s tree', async () => {
  await checkProperty(
    'pipeline equals pySigma',
    fc.asyncProperty(fc.array(fc.tuple(rule, pipeline), { minLength: 4, maxLength: 6 }), async (cases) => {
      const answers = await runPipelineOracle(cases.map(([r, p]) => ({ rule: r, pipelines: [{ yaml: p.yaml }] })));
      cases.forEach(([text, p], i) => {
        const read = readPipeline(JSON.parse(p.yaml), 'generated');
        assert.ok(!('problems' in read), JSON.stringify(read));
        const ours = applyPipeline({ names: [read.name], items: read.items, ipFields: [] }, parseSigma(text).documents[0] as SigmaRule);
        const answer = answers[i]!;
        assert.equal(answer.error, undefined, `${text}\n${p.yaml}`);
        const shape = p.oneToMany ? orFlat : (t: unknown) => t;
        assert.deepStrictEqual(shape(bareTree(ours.condition)), shape(answer.tree), `${text}\n${p.yaml}`);
        assert.deepEqual(JSON.parse(JSON.stringify(ours.logsource)), answer.logsource);
      });
    }),
    10,
  );
});
