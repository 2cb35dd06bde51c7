import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCorrelation } from '../../src/sigma/correlation/compileCorrelation.js';
import { applyPipeline } from '../../src/sigma/pipeline/applyPipeline.js';
import type { SigmaPipeline } from '../../src/sigma/pipeline/types.js';
import { toDsl } from '../../src/sigma/output/toDsl.js';
import { luceneQuery, toLucene } from '../../src/sigma/output/toLucene.js';
import { SigmaRefused } from '../../src/sigma/refused.js';
import type { SigmaCorrelation, SigmaCorrelationCondition, SigmaDocument, SigmaRule } from '../../src/sigma/types.js';
import { testPipeline } from './correlationPipeline.js';

function rule(id: string, name: string, image: string): SigmaRule {
  return {
    kind: 'rule',
    meta: { title: name, id, name, tags: [], falsepositives: [], references: [] },
    logsource: { category: 'process_creation', product: 'windows' },
    condition: { type: 'match', field: 'Image', value: { type: 'string', parts: [{ wildcard: '*' }, image] } },
    fields: [],
    line: 1,
  };
}

const whoami = rule('7e1f0ef0-0000-4000-8000-000000000001', 'whoami', '\\whoami.exe');
const net = rule('7e1f0ef0-0000-4000-8000-000000000002', 'net', '\\net.exe');

function correlation(type: SigmaCorrelation['type'], condition?: SigmaCorrelationCondition, extra: Partial<SigmaCorrelation> = {}): SigmaCorrelation {
  return {
    kind: 'correlation',
    meta: { title: 'c', tags: [], falsepositives: [], references: [] },
    type,
    rules: ['whoami'],
    groupBy: ['User'],
    timespan: 3_600_000,
    ...(condition ? { condition } : {}),
    aliases: {},
    generate: false,
    line: 1,
    ...extra,
  };
}

const docs: SigmaDocument[] = [whoami, net, correlation('event_count', { gte: 2 }, { meta: { title: 'inner', name: 'inner', tags: [], falsepositives: [], references: [] } })];
const lookup = (ref: string) => docs.find((d) => d.meta.id === ref || d.meta.name === ref);
const pipeline: SigmaPipeline = testPipeline();
const dslOf = (r: SigmaRule) => toDsl(applyPipeline(pipeline, r).condition);

function refusal(c: SigmaCorrelation, pattern: RegExp): void {
  assert.throws(() => compileCorrelation(c, lookup, pipeline, 'dsl'), (e: unknown) => e instanceof SigmaRefused && pattern.test(e.message));
}

test('event_count: a lower bound is frequency (gt N: N+1), an upper bound flatline (lte N: below N+1); group-by through the pipeline', () => {
  const c = compileCorrelation(correlation('event_count', { gte: 10 }), lookup, pipeline, 'dsl');
  assert.deepEqual(c.condition, { type: 'frequency', num_events: 10, timeframe: '1h' });
  assert.deepEqual(c.group_by, ['user.name']);
  assert.deepEqual(c.query, { query: dslOf(whoami) });
  assert.ok(c.fields.includes('user.name') && c.fields.includes('process.executable'));
  assert.deepEqual(compileCorrelation(correlation('event_count', { gt: 10 }), lookup, pipeline, 'dsl').condition, { type: 'frequency', num_events: 11, timeframe: '1h' });
  assert.deepEqual(compileCorrelation(correlation('event_count', { lt: 10 }), lookup, pipeline, 'dsl').condition, { type: 'flatline', threshold: 10, timeframe: '1h' });
  assert.deepEqual(compileCorrelation(correlation('event_count', { lte: 10 }), lookup, pipeline, 'dsl').condition, { type: 'flatline', threshold: 11, timeframe: '1h' });
  // No group-by: no key.
  assert.equal(compileCorrelation(correlation('event_count', { gte: 3 }, { groupBy: [] }), lookup, pipeline, 'dsl').group_by, undefined);
  refusal(correlation('event_count', { gt: 100, lte: 200 }), /condition gt: 100, lte: 200 is not supported for event_count/);
  refusal(correlation('event_count', { eq: 5 }), /eq: 5 is not supported/);
  refusal(correlation('event_count', { neq: 5 }), /neq: 5 is not supported/);
  refusal(correlation('event_count', {}), /needs a condition/);
});

test('value_count: cardinality with the exact bounds (gte N: max N-1, gt N: max N, lt N: min N, lte N: min N+1, neq N: both N)', () => {
  const at = (condition: SigmaCorrelationCondition) => compileCorrelation(correlation('value_count', { field: 'Computer', ...condition }), lookup, pipeline, 'dsl').condition;
  const base = { type: 'cardinality', cardinality_field: 'host.name', timeframe: '1h' };
  assert.deepEqual(at({ gte: 3 }), { ...base, max_cardinality: 2 });
  assert.deepEqual(at({ gt: 3 }), { ...base, max_cardinality: 3 });
  assert.deepEqual(at({ lt: 3 }), { ...base, min_cardinality: 3 });
  assert.deepEqual(at({ lte: 3 }), { ...base, min_cardinality: 4 });
  assert.deepEqual(at({ neq: 3 }), { ...base, max_cardinality: 3, min_cardinality: 3 });
  assert.throws(() => at({ gte: 3, lte: 5 }), /cardinality fires above a maximum or below a minimum, never inside a range/);
  assert.throws(() => at({ eq: 3 }), /eq: 3 is not supported for value_count/);
  refusal(correlation('value_count', { gte: 3 }), /needs condition.field/);
});

test('temporal and temporal_ordered: one named filter per rule, all must match (the default condition)', () => {
  const c = compileCorrelation(correlation('temporal_ordered', undefined, { rules: ['whoami', net.meta.id!], timespan: 300_000 }), lookup, pipeline, 'dsl');
  assert.deepEqual(c.condition, { type: 'temporal', timeframe: '5m', ordered: true, rules: { whoami: { query: dslOf(whoami) }, [net.meta.id!]: { query: dslOf(net) } } });
  assert.deepEqual(c.query, { query: { bool: { should: [dslOf(whoami), dslOf(net)], minimum_should_match: 1 } } });
  const unordered = compileCorrelation(correlation('temporal', { gte: 2 }, { rules: ['whoami', 'net'] }), lookup, pipeline, 'dsl');
  assert.equal((unordered.condition as { ordered: boolean }).ordered, false);
  refusal(correlation('temporal', { gte: 1 }, { rules: ['whoami', 'net'] }), /fires when all its 2 rules match/);
  refusal(correlation('temporal', undefined, { rules: ['whoami', 'whoami'] }), /listed twice/);
});

test('lucene output: each rule as pySigma\'s query_string clause', () => {
  const c = compileCorrelation(correlation('event_count', { gte: 2 }, { rules: ['whoami', 'net'] }), lookup, pipeline, 'lucene');
  const lucene = (r: SigmaRule) => luceneQuery(toLucene(applyPipeline(pipeline, r).condition));
  assert.deepEqual(c.query, { query: { bool: { should: [lucene(whoami), lucene(net)], minimum_should_match: 1 } } });
});

test('refused: an unknown rule, a chained correlation, a group-by that maps to several fields or differs per rule; aliases that agree work', () => {
  refusal(correlation('event_count', { gte: 2 }, { rules: ['nope'] }), /refers to rule 'nope', which is not in this file/);
  refusal(correlation('event_count', { gte: 2 }, { rules: ['inner'] }), /chained correlations are not supported/);
  refusal(correlation('event_count', { gte: 2 }, { groupBy: ['SeveralPlaces'] }), /maps to several fields \(a\.one, b\.two\)/);
  const aliases = { host: { whoami: 'Computer', net: 'Workstation' } };
  refusal(correlation('event_count', { gte: 2 }, { rules: ['whoami', 'net'], groupBy: ['host'], aliases }), /'host' is the field host\.name in one rule, workstation\.name in another/);
  const agree = { host: { whoami: 'Computer', net: 'ComputerName' } };
  assert.deepEqual(compileCorrelation(correlation('event_count', { gte: 2 }, { rules: ['whoami', 'net'], groupBy: ['host'], aliases: agree }), lookup, pipeline, 'dsl').group_by, ['host.name']);
  refusal(correlation('event_count', { gte: 2 }, { rules: ['whoami', 'net'], groupBy: ['host'], aliases: { host: { whoami: 'Computer' } } }), /alias 'host' names no field for rule 'net'/);
});

test('the fixture files: own multi-document files compile; the spec\'s lone correlations and its chained example are refused with the reason', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { parseSigma } = await import('../../src/sigma/parse/parseSigma.js');
  const { CORRELATION_FIXTURES } = await import('./correlationPipeline.js');
  const compileFile = (file: string, which = 0) => {
    const parsed = parseSigma(readFileSync(join(CORRELATION_FIXTURES, file), 'utf8'));
    assert.deepEqual(parsed.problems, []);
    const find = (ref: string) => parsed.documents.find((d) => d.meta.id === ref || d.meta.name === ref);
    return compileCorrelation(parsed.documents[which] as SigmaCorrelation, find, pipeline, 'dsl');
  };
  const outcome = (file: string, which = 0) => {
    try {
      const c = compileFile(file, which);
      return { condition: c.condition, group_by: c.group_by };
    } catch (e) {
      assert.ok(e instanceof SigmaRefused, String(e));
      return { refused: e.message };
    }
  };
  assert.deepEqual(outcome('whoami_burst.yml'), { condition: { type: 'frequency', num_events: 3, timeframe: '5m' }, group_by: ['user.name'] });
  assert.deepEqual(outcome('users_per_host.yml'), { condition: { type: 'cardinality', cardinality_field: 'user.name', timeframe: '5m', max_cardinality: 2 }, group_by: ['host.name'] });
  assert.deepEqual(Object.keys((outcome('recon_ordered.yml').condition as { rules: object }).rules), ['recon_whoami', 'recon_net']);
  assert.match(outcome('range.yml').refused!, /condition gt: 100, lte: 200 is not supported for event_count/);
  assert.match(outcome('spec/event_count.yml').refused!, /refers to rule '5638f7c0-ac70-491d-8465-2a65075e0d86', which is not in this file/);
  assert.match(outcome('spec/temporal.yml').refused!, /refers to rule 'recon_cmd_a', which is not in this file/);
  // The spec's example chains a temporal_ordered to an event_count correlation: refused; the inner one alone compiles.
  assert.match(outcome('spec/failed_logins_then_success.yml').refused!, /refers to another correlation \('multiple_failed_login'\): chained correlations are not supported/);
  assert.deepEqual(outcome('spec/failed_logins_then_success.yml', 1), { condition: { type: 'frequency', num_events: 10, timeframe: '10m' }, group_by: ['user.name'] });
});

test('temporal filter names are the references as written: __proto__ stays a name, a whole number is refused when ordered', () => {
  const odd = [rule('1', '__proto__', '\\a.exe'), rule('2', '7', '\\b.exe')];
  const find = (ref: string) => odd.find((d) => d.meta.name === ref);
  const c = compileCorrelation(correlation('temporal', undefined, { rules: ['__proto__', '7'] }), find, pipeline, 'dsl');
  const rules = (c.condition as { rules: Record<string, unknown> }).rules;
  assert.deepEqual(Object.keys(rules).sort(), ['7', '__proto__']);
  assert.equal(Object.getPrototypeOf(rules), Object.prototype);
  assert.throws(() => compileCorrelation(correlation('temporal_ordered', undefined, { rules: ['__proto__', '7'] }), find, pipeline, 'dsl'), /rule '7' is referred to by a whole number, which loses its place in the order/);
});
