import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeJavaError } from '../../src/inspect/queryIssues.js';
import { describeClusterError } from '../../src/sources/elasticsearch/esError.js';
import { checkProperty, fc } from '../support/property.js';

/** An error object as a cluster sends one: type, reason (maybe several lines), root causes, nested causes, failed shards. */
const esError: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  error: fc.record(
    {
      type: fc.oneof(fc.constantFrom('parsing_exception', 'search_phase_execution_exception', 'illegal_argument_exception'), fc.string(), fc.constant('a\r\nb\u001b[31m')),
      reason: fc.oneof(fc.string({ maxLength: 400 }), fc.lorem({ maxCount: 3 }).map((l) => `${l}\nWas expecting one of:\n  <EOF>`), fc.anything()),
      caused_by: fc.option(tie('error'), { depthSize: 'small', nil: undefined }),
      root_cause: fc.option(fc.array(tie('error'), { maxLength: 2 }), { nil: undefined }),
      failed_shards: fc.option(fc.array(fc.record({ reason: tie('error') }), { maxLength: 2 }), { nil: undefined }),
    },
    { requiredKeys: [] },
  ),
})).error;

test('property: any error body the cluster sends is described on one line of bounded length, without throwing', async () => {
  const dirty = fc.constantFrom('a\r\nb\u001b[31m', 'line one\nline two\u0007', 'x'.repeat(2000));
  await checkProperty('describeClusterError', fc.property(fc.oneof(esError, fc.anything(), fc.string({ maxLength: 2000 }), dirty), (error) => {
    const text = describeClusterError(error);
    assert.equal(typeof text, 'string');
    // A string error too: one line, no control character, bounded.
    assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f]/);
    assert.ok(text.length <= 3 * 400, `${text.length} characters`);
  }), 300);
});

test('the deepest cause is named: under "all shards failed", and under a parse error with a generic root cause', () => {
  const shards = { type: 'search_phase_execution_exception', reason: 'all shards failed', root_cause: [{ type: 'script_exception', reason: 'runtime error' }], failed_shards: [{ reason: { type: 'script_exception', reason: 'runtime error', caused_by: { type: 'illegal_argument_exception', reason: 'No field found for [x] in mapping' } } }] };
  assert.equal(describeClusterError(shards), 'search_phase_execution_exception: all shards failed (script_exception: runtime error, caused by illegal_argument_exception: No field found for [x] in mapping)');
  const parse = { type: 'x_content_parse_exception', reason: '[1:70] [bool] failed to parse field [filter]', root_cause: [{ type: 'x_content_parse_exception', reason: '[1:70] [bool] failed to parse field [filter]' }], caused_by: { type: 'illegal_argument_exception', reason: 'Invalid fuzziness value: lots' } };
  assert.equal(describeClusterError(parse), 'x_content_parse_exception: [1:70] [bool] failed to parse field [filter] (illegal_argument_exception: Invalid fuzziness value: lots)');
});

test('property: any _validate/query error text is shortened without throwing, to its first and deepest reasons', async () => {
  const java = fc.array(fc.tuple(fc.constantFrom('ParsingException', 'QueryShardException', 'IllegalArgumentException'), fc.string({ maxLength: 200 })), { minLength: 1, maxLength: 4 }).map((parts) => parts.map(([name, reason]) => `${name}[${reason}]`).join('; nested: ') + ';; org.example.Trace');
  const dirty = fc.constantFrom('no exception here\r\n\u001b[31mred', 'ParsingException[bad\u0007 query]; nested: X');
  await checkProperty('summarizeJavaError', fc.property(fc.oneof(java, fc.string({ maxLength: 2000 }), dirty), (text) => {
    const short = summarizeJavaError(text);
    assert.ok(short.length <= 2 * 300 + 20, `${short.length} characters`);
    assert.doesNotMatch(short, /[\u0000-\u001f\u007f-\u009f]/);
  }), 300);
  assert.equal(summarizeJavaError('ParsingException[Failed to parse]; nested: XContentParseException[[1:33] [bool] failed to parse field [must]]; nested: ParsingException[[foo] query malformed];; org.x: y'), 'Failed to parse (caused by: [foo] query malformed)');
});
