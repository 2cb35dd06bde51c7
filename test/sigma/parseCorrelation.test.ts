// Correlation documents (Sigma 2) on the specification's own examples (test/fixtures/sigma/spec/correlation, public
// domain), and the problems of broken ones.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import type { SigmaCorrelation } from '../../src/sigma/types.js';
import { REPO_ROOT } from '../support/project.js';

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'sigma', 'spec', 'correlation');
const parse = (file: string) => parseSigma(readFileSync(join(DIR, file), 'utf8'));
const correlation = (file: string): Omit<SigmaCorrelation, 'meta'> & { title: string } => {
  const parsed = parse(file);
  assert.deepEqual(parsed.problems, []);
  const { meta, ...rest } = parsed.documents.find((d): d is SigmaCorrelation => d.kind === 'correlation')!;
  return { ...rest, title: meta.title };
};

test("the specification's test correlations parse with their type, rules, group-by, window in ms and condition", () => {
  assert.deepEqual(correlation('event_count.yml'), {
    kind: 'correlation',
    title: 'Many failed logins',
    type: 'event_count',
    rules: ['5638f7c0-ac70-491d-8465-2a65075e0d86'],
    groupBy: ['ComputerName'],
    timespan: 3_600_000,
    condition: { gte: 100 },
    aliases: {},
    generate: false,
    line: 1,
  });
  assert.deepEqual(correlation('event_count_ecs.yml').groupBy, ['dns.question.name']);
  const count = correlation('value_count.yml');
  assert.deepEqual([count.type, count.groupBy, count.timespan, count.condition], ['value_count', ['ComputerName', 'WorkstationName'], 86_400_000, { field: 'User', gte: 100 }]);
  for (const [file, type] of [['temporal.yml', 'temporal'], ['temporal_ordered.yml', 'temporal_ordered']] as const) {
    const temporal = correlation(file);
    assert.deepEqual([temporal.type, temporal.rules, temporal.groupBy, temporal.timespan, temporal.condition], [type, ['recon_cmd_a', 'recon_cmd_b', 'recon_cmd_c'], ['ComputerName', 'User'], 300_000, undefined]);
  }
});

test('value_sum, value_avg and value_percentile are refused as not supported, at their type', () => {
  for (const type of ['value_sum', 'value_avg', 'value_percentile']) {
    const parsed = parse(`${type}.yml`);
    assert.deepEqual(parsed.documents, []);
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0]!.message, new RegExp(`correlation type '${type}' is not supported`));
    assert.deepEqual([parsed.problems[0]!.line, parsed.problems[0]!.col], [3, 11]);
  }
});

test("the specification's chained example keeps its four documents in file order, and aliases map each rule's field", () => {
  const chained = parse('chained_logins.yml');
  assert.deepEqual(chained.problems, []);
  assert.deepEqual(
    chained.documents.map((d) => [d.kind, d.meta.name ?? d.meta.title, d.line]),
    [
      ['correlation', 'Correlation - Multiple Failed Logins Followed by Successful Login', 1],
      ['correlation', 'multiple_failed_login', 21],
      ['rule', 'failed_login', 35],
      ['rule', 'successful_login', 48],
    ],
  );
  assert.equal(chained.documents[0]!.meta.date, '2023-06-16');
  assert.equal(chained.documents[0]!.meta.level, 'high');
  const aliased = correlation('aliases.yml');
  assert.deepEqual(aliased.aliases, {
    internal_ip: { internal_error: 'destination.ip', new_network_connection: 'source.ip' },
    remote_ip: { internal_error: 'source.ip', new_network_connection: 'destination.ip' },
  });
  assert.equal(aliased.timespan, 10_000);
});

test('a range condition keeps both bounds; a single rule and group-by may be strings; generate is read', () => {
  const range = correlation('range.yml');
  assert.deepEqual([range.condition, range.rules, range.groupBy, range.generate, range.timespan], [{ gt: 100, lte: 200 }, ['5638f7c0-ac70-491d-8465-2a65075e0d86'], ['ComputerName'], true, 14 * 86_400_000]);
});

test('broken correlations say what to write, at the offending key', () => {
  const doc = (body: string) => `title: C\ncorrelation:\n  type: event_count\n  rules: [a]\n${body}`;
  const only = (text: string) => {
    const parsed = parseSigma(text);
    assert.deepEqual(parsed.documents, []);
    assert.equal(parsed.problems.length, 1, JSON.stringify(parsed.problems));
    return parsed.problems[0]!;
  };
  const span = only(doc('  timespan: 5 minutes\n  condition: {gte: 3}\n'));
  assert.match(span.message, /timespan '5 minutes' is not valid: write a whole number and a unit/);
  assert.deepEqual([span.line, span.col], [5, 13]);
  assert.match(only(doc('  timespan: 0m\n  condition: {gte: 3}\n')).message, /must be greater than zero/);
  assert.match(only(doc('  timespan: 5m\n')).message, /event_count correlation needs `condition:`/);
  assert.match(only(doc('  timespan: 5m\n  condition: {over: 3}\n')).message, /'over' is not part of a correlation condition/);
  assert.match(only(doc('  timespan: 5m\n  condition: {gte: many}\n')).message, /'many' is not a count/);
  assert.match(only(doc('  timespan: 5m\n  condition: {gte: 3}\n').replace('event_count', 'value_count')).message, /value_count condition needs `field:`/);
  assert.match(only(doc('  timespan: 5m\n').replace('event_count', 'temporal') + '  condition: a and b\n').message, /extended \(string\) condition .* is not supported/);
  assert.match(only(doc('  timespan: 5m\n  condition: {gte: 3}\n').replace('event_count', 'burst')).message, /'burst' is not a correlation type: use one of event_count, value_count, temporal, temporal_ordered/);
  assert.match(only('title: C\ncorrelation:\n  type: temporal\n  timespan: 5m\n').message, /needs `rules:`/);
});
