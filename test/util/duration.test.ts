import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSchema, loadSchema } from '../../src/config/schemaCheck.js';
import { DurationError, MAX_DURATION_MS, formatDuration, parseDuration, spokenDuration } from '../../src/util/duration.js';
import { checkProperty, fc } from '../support/property.js';
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

/** Text shaped like a duration, with amounts from small to absurd, or any string at all. */
const durationText = fc.oneof(
  fc.array(fc.tuple(fc.oneof(fc.nat(400), fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String), fc.stringMatching(/^\d{1,320}$/)), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'w', 'x', '')), { minLength: 1, maxLength: 4 }).map((parts) => parts.map(([n, u]) => `${n}${u}`).join('')),
  fc.string(),
);

test('property: any text parses to a duration within the maximum or throws the documented DurationError', async () => {
  await checkProperty('parseDuration bounds', fc.property(durationText, fc.constantFrom(MAX_DURATION_MS, 3_600_000), (text, max) => {
    let ms: number;
    try {
      ms = parseDuration(text, max);
    } catch (error) {
      assert.ok(error instanceof DurationError, `${text}: ${String(error)}`);
      assert.match((error as Error).message, /is not a duration|is longer than the maximum: give a duration of at most (365d|1h)$/);
      return;
    }
    assert.ok(Number.isFinite(ms) && ms >= 0 && ms <= max, `${text} -> ${ms}`);
    assert.ok(Number.isFinite(new Date(Date.now() + ms).getTime()), 'now + the duration is a valid date');
  }), 500);
});

test('property: the schemas\' maxDuration check agrees with parseDuration', async () => {
  await loadSchema('alert');
  // The parser also trims surrounding spaces, which the schema's pattern does not allow: compared on trimmed text.
  await checkProperty('schema and parser agree', fc.property(durationText.filter((t) => t === t.trim()), (text) => {
    let parsed = true;
    try {
      parseDuration(text);
    } catch {
      parsed = false;
    }
    const problems = checkSchema('alert', { file: 'alerts/x.yaml', value: { notify: ['a'], throttle: text, index: 'i', condition: { type: 'any' } }, locate: () => ({ line: 1, col: 1 }) } as never);
    const throttleProblems = problems.filter((p) => p.path === '/throttle');
    assert.equal(throttleProblems.length === 0, parsed || text === 'once', `${JSON.stringify(text)}: ${throttleProblems.map((p) => p.message).join('; ')}`);
  }), 300);
});

test('a timeout past both maxima is told the tighter one, at its line', async () => {
  await loadSchema('alertcron');
  const yaml = { file: 'alertcron.yaml', value: { elasticsearch: { url: 'http://127.0.0.1:9200', timeout: '99999999w' }, delivery: { attempt_timeout: '2h' }, defaults: { throttle: '400d' } }, locate: () => ({ line: 3, col: 12 }) } as never;
  const messages = checkSchema('alertcron', yaml).map((p) => `${p.path}: ${p.message}`);
  assert.deepEqual(messages.filter((m) => /at most/.test(m)).sort(), ['/defaults/throttle: must be a duration of at most 365d (shorten it) or "once"', '/delivery/attempt_timeout: must be a duration of at most 1h (shorten it)', '/elasticsearch/timeout: must be a duration of at most 1h (shorten it)']);
});

test('property: durationFix never throws, and every form it suggests parses to what was meant', async () => {
  const { durationFix } = await import('../../src/util/duration.js');
  const UNITS: Record<string, number> = { sec: 1000, seconds: 1000, min: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000, week: 604_800_000 };
  const DELTA: Record<string, number> = { weeks: 604_800_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000 };
  const words = fc.array(fc.tuple(fc.nat(500), fc.constantFrom(...Object.keys(UNITS)), fc.constantFrom(' ', '', ', ', ' and ')), { minLength: 1, maxLength: 3 }).map((parts) => ({ kind: 'words' as const, parts }));
  const timedelta = fc.dictionary(fc.constantFrom(...Object.keys(DELTA)), fc.nat(1000), { minKeys: 1 }).map((delta) => ({ kind: 'delta' as const, delta }));
  const other = fc.anything().map((value) => ({ kind: 'other' as const, value }));
  await checkProperty('durationFix', fc.property(fc.oneof(words, timedelta, other), (input) => {
    if (input.kind === 'words') {
      const text = input.parts.map(([n, unit, sep], i) => `${n} ${unit}${i < input.parts.length - 1 ? sep : ''}`).join('');
      const fix = durationFix(text)!;
      assert.match(fix, /^write \S+$/, text);
      assert.equal(parseDuration(fix.slice('write '.length), Infinity), input.parts.reduce((t, [n, unit]) => t + n * UNITS[unit]!, 0), text);
    } else if (input.kind === 'delta') {
      const ms = Object.entries(input.delta).reduce((t, [k, n]) => t + n * DELTA[k]!, 0);
      const written = / is written (\S+) here$/.exec(durationFix(input.delta)!)?.[1];
      assert.ok(written, JSON.stringify(input.delta));
      if (ms > 0) assert.equal(parseDuration(written, Infinity), ms);
    } else {
      const fix = durationFix(input.value);
      assert.ok(fix === undefined || typeof fix === 'string');
    }
  }), 300);
});

test('spokenDuration: words for notices, singular and plural, largest units first', () => {
  assert.equal(spokenDuration(15 * 60_000), '15 minutes');
  assert.equal(spokenDuration(3_600_000), '1 hour');
  assert.equal(spokenDuration(5_400_000), '1 hour 30 minutes');
  assert.equal(spokenDuration(86_400_000 + 1000), '1 day 1 second');
  assert.equal(spokenDuration(45_000), '45 seconds');
  assert.equal(spokenDuration(200), '200 ms');
});
