import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertFilter, type FilterProblem } from '../../src/importer/filters.js';
import { convertJinja, convertTemplate } from '../../src/importer/templates.js';
import { alertNameOf } from '../../src/importer/convertRule.js';
import { durationOf } from '../../src/importer/elastalertTime.js';

test('templates: positional, automatic and named arguments; rule values; alertcron\'s own names go under fields.', () => {
  assert.deepEqual(convertTemplate('{0} on {1}: {0}', ['user.name', 'host.name'], undefined), { template: '{{user.name}} on {{host.name}}: {{user.name}}', problems: [] });
  assert.deepEqual(convertTemplate('{} hits for {}', ['num_hits', 'name'], undefined), { template: '{{count}} hits for {{alert}}', problems: [] });
  assert.deepEqual(convertTemplate('from {src}', undefined, { src: 'source.ip' }), { template: 'from {{source.ip}}', problems: [] });
  assert.deepEqual(convertTemplate('{0} -> {1}', ['from', 'to.addr'], undefined), { template: '{{fields.from}} -> {{fields.to.addr}}', problems: [] });
});

test('templates: what cannot be carried over is said, and the rest is kept', () => {
  const spec = convertTemplate('avg {0:.2f} ms', ['rt'], undefined);
  assert.equal(spec.template, 'avg {{rt}} ms');
  assert.match(spec.problems[0]!, /format spec/);
  const missing = convertTemplate('{0} and {1}', ['a'], undefined);
  assert.equal(missing.template, '{{a}} and ');
  assert.match(missing.problems[0]!, /\{1\} has no argument/);
  assert.deepEqual(convertTemplate('a {{literal}} b', [], undefined).template, 'a {literal} b');
});

test('filters: query: unwrapped, legacy and/or/not/missing into bool, modern clauses unchanged', () => {
  assert.deepEqual(convertFilter({ query: { query_string: { query: 'a:b' } } }), { query_string: { query: 'a:b' } });
  assert.deepEqual(convertFilter({ or: [{ term: { a: 1 } }, { terms: { b: [2, 3] } }] }), { bool: { should: [{ term: { a: 1 } }, { terms: { b: [2, 3] } }], minimum_should_match: 1 } });
  assert.deepEqual(convertFilter({ and: { filters: [{ range: { n: { gte: 1 } } }] } }), { bool: { filter: [{ range: { n: { gte: 1 } } }] } });
  assert.deepEqual(convertFilter({ not: { filter: { term: { a: 1 } } } }), { bool: { must_not: [{ term: { a: 1 } }] } });
  assert.deepEqual(convertFilter({ missing: { field: 'x' } }), { bool: { must_not: [{ exists: { field: 'x' } }] } });
  assert.deepEqual(convertFilter({ bool: { must: [{ match: { m: 'x' } }] } }), { bool: { must: [{ match: { m: 'x' } }] } });
});

test('filters: type:, EQL, unknown clauses and two clauses in one item are refused at their path', () => {
  const refused = (item: unknown) => {
    const problems: FilterProblem[] = [];
    assert.equal(convertFilter(item, [], problems), undefined);
    return problems[0]!;
  };
  assert.deepEqual(refused({ type: { value: 'doc' } }).path, ['type']);
  assert.deepEqual(refused({ and: [{ term: { a: 1 } }, { eql: 'x' }] }).path, ['and', 1, 'eql']);
  assert.match(refused({ geo_shape_whatever: {} }).message, /unknown filter clause geo_shape_whatever/);
  assert.match(refused({ term: { a: 1 }, range: { b: {} } }).message, /one clause, not 2/);
});

test('durations and names', () => {
  assert.equal(durationOf({ minutes: 5 }), '5m');
  assert.equal(durationOf({ hours: 1, minutes: 30 }), '1h30m');
  assert.equal(durationOf({ hours: 0.5 }), '30m');
  assert.equal(durationOf({ minutes: 0 }), '0s');
  assert.equal(durationOf({ fortnights: 1 }), undefined);
  assert.equal(durationOf('5m'), undefined);
  assert.equal(alertNameOf('SSH brute force (prod)'), 'ssh-brute-force-prod');
});

test('jinja: plain fields and _data[...] carry over; blocks, filters and expressions do not', () => {
  assert.deepEqual(convertJinja("{{ _data['user.name'] }} on {{host.name}}"), { template: '{{user.name}} on {{host.name}}' });
  assert.deepEqual(convertJinja('{{ doc["source.ip"] }}', 'doc'), { template: '{{source.ip}}' });
  assert.match(convertJinja('{% if x %}y{% endif %}').problem!, /\{% %\} blocks/);
  assert.match(convertJinja('{{ user.name | upper }}').problem!, /\{\{ user\.name \| upper \}\} is more than a field/);
});
