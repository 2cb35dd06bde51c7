import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from '../../src/util/duration.js';
import { renderTemplate } from '../../src/util/template.js';

test('durations parse from their short forms and reject anything else', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration('250ms'), 250);
  for (const bad of ['5', '5x', 'm5', '', '1.5h', '-1m']) assert.throws(() => parseDuration(bad), /is not a duration/, bad);
  assert.equal(formatDuration(5_400_000), '1h30m');
});

test('templates read field paths, including dotted keys, and render missing values as empty', () => {
  const context = { key: 'bob', count: 3, source: { ip: '10.0.0.1' }, 'host.name': 'dc01', list: ['a', 'b'] };
  assert.equal(renderTemplate('{{key}} x{{count}} from {{source.ip}} on {{host.name}} [{{missing}}] {{list}}', context), 'bob x3 from 10.0.0.1 on dc01 [] a, b');
});
