import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeLabelValue, promText, readSamples, type MetricFamily } from '../../src/render/promText.js';
import { parseWithPrometheusClient, promtoolCheckMetrics, promtoolMissing } from '../support/promCheck.js';
import { checkProperty, fc } from '../support/property.js';

/**
 * Strings of any code points, and strings made mostly of what the format escapes (alert names are restricted today;
 * the escaper must not depend on it).
 */
function labelText(maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(fc.string({ unit: 'grapheme', maxLength }), fc.string({ unit: fc.constantFrom('\\', '"', '\n', '\r', '\t', '}', ',', '=', 'n', 'é', ' '), maxLength }));
}

test('the text: HELP and TYPE before the samples, labels quoted and escaped, special values, a trailing newline, empty families left out', () => {
  const families: MetricFamily[] = [
    { name: 'x_up', help: 'Up.\nSecond line \\ "quoted"', type: 'gauge', samples: [{ value: 1 }] },
    { name: 'x_none', help: 'Nothing.', type: 'gauge', samples: [] },
    { name: 'x_seconds', help: 'Time.', type: 'gauge', samples: [{ labels: { alert: 'a"b\\c\nd', channel: 'c' }, value: 0.5 }, { labels: { alert: 'n' }, value: NaN }, { value: Infinity }, { value: -Infinity }] },
  ];
  assert.equal(
    promText(families),
    [
      '# HELP x_up Up.\\nSecond line \\\\ "quoted"',
      '# TYPE x_up gauge',
      'x_up 1',
      '# HELP x_seconds Time.',
      '# TYPE x_seconds gauge',
      'x_seconds{alert="a\\"b\\\\c\\nd",channel="c"} 0.5',
      'x_seconds{alert="n"} NaN',
      'x_seconds +Inf',
      'x_seconds -Inf',
      '',
    ].join('\n'),
  );
  assert.equal(promText([]), '');
});

test('names outside the format, reserved label names and a family named twice are refused', () => {
  assert.throws(() => promText([{ name: 'alertcron-run', help: 'h', type: 'gauge', samples: [{ value: 1 }] }]), /not a metric name/);
  assert.throws(() => promText([{ name: 'x', help: 'h', type: 'gauge', samples: [{ labels: { 'a-b': 'v' }, value: 1 }] }]), /not a label name/);
  assert.throws(() => promText([{ name: 'x', help: 'h', type: 'gauge', samples: [{ labels: { __name__: 'v' }, value: 1 }] }]), /not a label name/);
  const family: MetricFamily = { name: 'x', help: 'h', type: 'gauge', samples: [{ value: 1 }] };
  assert.throws(() => promText([family, family]), /twice/);
});

test('property: any label value and HELP text round-trips through the escapes and prometheus_client, and promtool accepts the text', async (t) => {
  const skip = promtoolMissing();
  if (skip) t.diagnostic(skip);
  const text = labelText(30);
  await checkProperty(
    'label values and help round-trip',
    fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 40 }), text, async (values, help) => {
      const families: MetricFamily[] = [{ name: 'alertcron_test_value', help: `Help ${help}`, type: 'gauge', samples: values.map((value, i) => ({ labels: { alert: value, i: String(i) }, value: i })) }];
      const written = promText(families);
      const [parsed] = await parseWithPrometheusClient(written);
      // prometheus_client strips the line's trailing white space (Python's); a line feed is escaped, so not trailing.
      assert.equal(parsed!.help, `Help ${help}`.replace(/[\t\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u, ''));
      assert.deepEqual(parsed!.samples.map((s) => [s.labels.alert, s.value]), values.map((value, i) => [value, i]));
      if (!skip) {
        const checked = await promtoolCheckMetrics(written);
        assert.equal(checked.code, 0, checked.stderr + checked.stdout);
      }
    }),
    20,
  );
});

test('property: the escaped label value holds no raw line feed, and every quote and backslash in it is escaped', async () => {
  await checkProperty(
    'escaped label value shape',
    fc.property(labelText(60), (value) => {
      const escaped = escapeLabelValue(value);
      assert.ok(!escaped.includes('\n'));
      // Reading it back the way the format says gives the value.
      assert.equal(escaped.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c)), value);
      assert.ok(!/(^|[^\\])(\\\\)*"/.test(escaped), 'no unescaped quote');
    }),
    300,
  );
});

test('property: readSamples gives back the samples promText wrote (any label value, special values), only for the families asked', async () => {
  await checkProperty(
    'promText → readSamples round trip',
    fc.property(
      fc.array(fc.record({ source: labelText(20), alert: labelText(20) }).map((labels) => ({ ...labels })), { maxLength: 5 }),
      fc.array(fc.oneof(fc.double().map((v) => (Object.is(v, -0) ? 0 : v)), fc.constantFrom(0, 1, 1.5e9)), { minLength: 6, maxLength: 6 }),
      (labelSets, values) => {
        const families: MetricFamily[] = [
          { name: 'a_one', help: 'x', type: 'gauge', samples: [{ value: values[0]! }] },
          { name: 'a_labelled', help: 'y', type: 'gauge', samples: labelSets.map((labels, i) => ({ labels, value: values[1 + i]! })) },
          { name: 'a_other', help: 'z', type: 'gauge', samples: [{ value: 3 }] },
        ];
        const read = readSamples(promText(families), new Set(['a_one', 'a_labelled']));
        assert.deepEqual([...read.keys()].sort(), labelSets.length ? ['a_labelled', 'a_one'] : ['a_one']);
        assert.deepEqual(read.get('a_one'), [{ value: values[0]! }]);
        assert.deepEqual(read.get('a_labelled') ?? [], families[1]!.samples);
      },
    ),
    300,
  );
  // A damaged line is skipped, never an error.
  assert.deepEqual(readSamples('a_one{x="1" 2\na_one{x="\\"} 3\na_one{x="ok"} 4\na_one nope\n', new Set(['a_one'])), new Map([['a_one', [{ labels: { x: 'ok' }, value: 4 }]]]));
});
