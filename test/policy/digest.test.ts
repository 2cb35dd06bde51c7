import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CronExpressionParser } from 'cron-parser';
import type { DigestPolicy } from '../../src/model/alert.js';
import type { Finding } from '../../src/model/finding.js';
import type { DigestBucket } from '../../src/model/state.js';
import { cellsOf, collectFinding, DIGEST_BUCKETS_KEPT, DIGEST_CELL_CHARS, DIGEST_CHARS_KEPT, digestTable, dueBuckets, findingTime, OTHER_VALUES } from '../../src/policy/digest.js';
import { registerSecret } from '../../src/util/redact.js';
import { digestDue, scheduleProblem } from '../../src/policy/digestPeriod.js';
import { checkProperty, fc } from '../support/property.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

const policy = (extra: Partial<DigestPolicy> = {}): DigestPolicy => ({ every: 10 * MIN, per: [], fields: ['user'], max_rows: 50, channels: ['mail'], ...extra });
const finding = (key: string, fields: Record<string, unknown>, extra: Partial<Finding> = {}): Finding => ({ key, count: 1, fields, samples: [], ...extra });

test('digestDue across daylight saving time: 09:00 Berlin is 08:00 UTC before the spring change and 07:00 after; back to 08:00 after the autumn one', () => {
  const berlin = { schedule: '0 9 * * *', timezone: 'Europe/Berlin' };
  assert.equal(new Date(digestDue(berlin, Date.parse('2026-03-28T08:00:00Z'))).toISOString(), '2026-03-29T07:00:00.000Z');
  assert.equal(new Date(digestDue(berlin, Date.parse('2026-10-24T07:00:00Z'))).toISOString(), '2026-10-25T08:00:00.000Z');
  // 02:30 does not exist on the spring day: the digest goes at the next time that does, never before the finding.
  const gap = digestDue({ schedule: '30 2 * * *', timezone: 'Europe/Berlin' }, Date.parse('2026-03-29T00:00:00Z'));
  assert.ok(gap > Date.parse('2026-03-29T00:00:00Z') && gap <= Date.parse('2026-03-30T00:30:00Z'), new Date(gap).toISOString());
  // A finding exactly at a cron time waits for the next one (the period is never empty).
  assert.equal(digestDue({ schedule: '0 * * * *', timezone: 'UTC' }, Date.parse('2026-01-01T10:00:00Z')), Date.parse('2026-01-01T11:00:00Z'));
  // every: rounded down to the whole minute, so the run of that minute (its clock a few hundred ms past it) sends it.
  assert.equal(digestDue({ every: HOUR }, 5), HOUR);
  assert.equal(digestDue({ every: 10 * MIN }, Date.parse('2026-01-01T10:00:00.300Z')), Date.parse('2026-01-01T10:10:00Z'));
  assert.equal(digestDue({ every: 10 * MIN }, Date.parse('2026-01-01T10:00:45Z')), Date.parse('2026-01-01T10:10:00Z'));
  assert.equal(digestDue({ every: 30_000 }, Date.parse('2026-01-01T10:00:10Z')), Date.parse('2026-01-01T10:00:40Z'), 'never at or before its start');
});

test('scheduleProblem: 5 fields that cron reads pass; other forms are named', () => {
  assert.equal(scheduleProblem('0 9 * * 1-5'), undefined);
  assert.equal(scheduleProblem('*/15 8-18 * * MON-FRI'), undefined);
  assert.match(scheduleProblem('0 9 * *')!, /has 4 field\(s\)/);
  assert.match(scheduleProblem('0 0 9 * * *')!, /has 6 field\(s\)/);
  assert.match(scheduleProblem('0 25 * * *')!, /not a cron expression/);
});

/** The local minute, hour and weekday of an instant in a time zone (Intl: not cron-parser). */
function localParts(at: number, timeZone: string): { minute: number; hour: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour12: false, hour: 'numeric', minute: 'numeric', weekday: 'short' }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { minute: Number(get('minute')), hour: Number(get('hour')) % 24, weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday')) };
}

test('digestDue with a schedule is cron-parser\'s next() after the first finding, and the first minute a walk through local time finds (property)', async () => {
  const zones = ['UTC', 'Europe/Moscow', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
  await checkProperty('digest schedule period', fc.property(
    fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 3 }),
    fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 3 }),
    fc.constantFrom(...zones),
    fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }),
    (minutes, hours, timezone, start) => {
      const schedule = `${minutes.join(',')} ${hours.join(',')} * * *`;
      const due = digestDue({ schedule, timezone }, start);
      assert.equal(due, CronExpressionParser.parse(schedule, { currentDate: new Date(start), tz: timezone }).next().getTime());
      assert.ok(due > start && due % MIN === 0);
      // No whole minute in (start, due) is a cron time in that zone, and due is one (DST gaps aside: a skipped local time moves on).
      for (let t = Math.floor(start / MIN) * MIN + MIN; t < due; t += MIN) {
        const local = localParts(t, timezone);
        assert.ok(!(minutes.includes(local.minute) && hours.includes(local.hour)), `${new Date(t).toISOString()} in ${timezone} matches ${schedule} before ${new Date(due).toISOString()}`);
      }
      assert.ok(due - start <= 26 * HOUR, 'a daily schedule is due within a day (and an hour of a DST change)');
    },
  ), 60);
});

test('collectFinding: one bucket per period and per value; a finding at the end of a period opens the next; by_match_time uses the event time', () => {
  const buckets: DigestBucket[] = [];
  const p = policy({ per: ['host'] });
  collectFinding(buckets, p, finding('a', { user: 'a', host: 'h1' }), 0);
  collectFinding(buckets, p, finding('b', { user: 'b', host: 'h2' }), MIN);
  collectFinding(buckets, p, finding('a', { user: 'a', host: 'h1' }, { count: 4 }), 2 * MIN);
  collectFinding(buckets, p, finding('c', { user: 'c', host: 'h1' }), 10 * MIN);
  assert.deepEqual(buckets.map((b) => [b.group, b.from, b.due, b.findings, b.rows.map((r) => `${r.cells[0]}:${r.count}`).join(' ')]), [
    ['h1', 0, 10 * MIN, 2, 'a:5'],
    ['h2', MIN, 11 * MIN, 1, 'b:1'],
    ['h1', 10 * MIN, 20 * MIN, 1, 'c:1'],
  ]);
  const { due, open } = dueBuckets(buckets, 10 * MIN);
  assert.equal(due.length, 1);
  assert.equal(open.length, 2);
  const byTime = policy({ by_match_time: { field: '@timestamp' } });
  assert.equal(findingTime(byTime, finding('x', {}, { samples: [{ '@timestamp': '2026-01-01T00:00:00Z' }] }), 5), Date.parse('2026-01-01T00:00:00Z'));
  assert.equal(findingTime(byTime, finding('x', {}, { createdAt: 7 }), 5), 7);
  assert.equal(findingTime(byTime, finding('x', { '@timestamp': 'not a time' }), 5), 5);
  assert.equal(findingTime(policy(), finding('x', {}, { createdAt: 7 }), 5), 5);
});

test('collectFinding keeps the table bounded whatever the findings hold: at most max_rows rows of clean single-line cells; every finding is either in a row or counted as omitted (property)', async () => {
  const value = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 50 }), fc.integer(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.constantFrom('a\nb', '\u202etxt', '\u001b[31mred', 'x'.repeat(1000)));
  await checkProperty('digest table bounds', fc.property(
    fc.array(fc.record({ key: fc.string({ maxLength: 10 }), user: value, host: value, count: fc.integer({ min: 1, max: 5 }) }), { maxLength: 60 }),
    fc.integer({ min: 1, max: 8 }),
    (findings, maxRows) => {
      const buckets: DigestBucket[] = [];
      const p = policy({ fields: ['user', 'host'], max_rows: maxRows });
      for (const f of findings) collectFinding(buckets, p, finding(f.key, { user: f.user, host: f.host }, { count: f.count }), 0);
      const bucket = buckets[0];
      if (!findings.length) return assert.equal(bucket, undefined);
      assert.ok(bucket!.rows.length <= maxRows);
      assert.equal(bucket!.findings, findings.length);
      const listed = findings.filter((f) => bucket!.rows.some((r) => r.cells.join('\u0000') === cellsOf(['user', 'host'], finding(f.key, { user: f.user, host: f.host })).join('\u0000')));
      assert.equal(bucket!.omitted, findings.length - listed.length);
      assert.equal(bucket!.rows.reduce((n, r) => n + r.count, 0), listed.reduce((n, f) => n + f.count, 0));
      assert.equal(new Set(bucket!.rows.map((r) => r.cells.join('\u0000'))).size, bucket!.rows.length, 'rows are distinct');
      for (const cell of bucket!.rows.flatMap((r) => r.cells)) {
        assert.ok(cell.length <= DIGEST_CELL_CHARS);
        assert.doesNotMatch(cell, /[\n\r\u001b\u202e]/);
      }
      const table = digestTable(bucket!);
      for (let i = 1; i < table.rows.length; i++) assert.ok(table.rows[i - 1]!.count >= table.rows[i]!.count, 'most frequent first');
    },
  ), 300);
});

test('collectFinding never keeps two open buckets of one value whose periods overlap: a schedule bucket is the one due at the same cron time; with every a late event joins the open bucket it would overlap', () => {
  const at = (hhmm: string) => Date.parse(`2026-01-01T${hhmm}:00Z`);
  const byTime = { by_match_time: { field: '@timestamp' } };
  const event = (key: string, hhmm: string) => finding(key, { user: key, '@timestamp': new Date(at(hhmm)).toISOString() });
  // The reviewer's case: run 10:30 collects an event of 10:20, run 10:40 one of 10:10: one digest due 11:00, from 10:10.
  const hourly: DigestBucket[] = [];
  const p = policy({ every: undefined, schedule: '0 * * * *', timezone: 'UTC', ...byTime });
  collectFinding(hourly, p, event('a', '10:20'), at('10:30'));
  collectFinding(hourly, p, event('b', '10:10'), at('10:40'));
  collectFinding(hourly, p, event('c', '09:50'), at('10:40'));
  assert.deepEqual(hourly.map((b) => [b.from, b.due, b.findings]), [[at('10:10'), at('11:00'), 2], [at('09:50'), at('10:00'), 1]]);
  // every 10m: 10:15 would overlap the bucket opened at 10:20, so it joins it; 10:05 fits before it and opens its own.
  const tens: DigestBucket[] = [];
  const q = policy(byTime);
  collectFinding(tens, q, event('a', '10:20'), at('10:30'));
  collectFinding(tens, q, event('b', '10:15'), at('10:30'));
  collectFinding(tens, q, event('c', '10:05'), at('10:30'));
  collectFinding(tens, q, event('d', '10:12'), at('10:30'));
  assert.deepEqual(tens.map((b) => [b.from, b.due, b.findings]), [[at('10:15'), at('10:30'), 2], [at('10:05'), at('10:15'), 2]]);
  for (const list of [hourly, tens]) for (const x of list) for (const y of list) if (x !== y) assert.ok(x.due <= y.from || y.due <= x.from, 'no two buckets overlap');
});

test('collectFinding blanks known secrets in the cells and the per value before they reach the state', () => {
  const secret = 'tok-digest-cell-secret-9f3a';
  registerSecret(secret);
  const buckets: DigestBucket[] = [];
  collectFinding(buckets, policy({ per: ['host'], fields: ['user', 'url'] }), finding('k', { user: 'u', host: `h ${secret}`, url: `https://x/?t=${secret}` }), 0);
  const stored = JSON.stringify(buckets);
  assert.doesNotMatch(stored, /digest-cell-secret/);
  assert.deepEqual(buckets[0]!.group, 'h ***');
  assert.deepEqual(buckets[0]!.rows[0]!.cells, ['u', 'https://x/?t=***']);
});

test('collectFinding keeps an alert\'s digests within DIGEST_CHARS_KEPT: 520,000 findings of 1,000 users x 520 hosts with 256-character values, per host; new hosts beyond the bucket cap go to "(other values)", every finding is counted', () => {
  const buckets: DigestBucket[] = [];
  const p = policy({ per: ['host'], fields: ['user', 'host'], every: HOUR });
  const pad = (s: string) => s.padEnd(256, '.');
  const users = Array.from({ length: 1000 }, (_, i) => pad(`user${i}`));
  const hosts = Array.from({ length: 520 }, (_, i) => pad(`host${i}`));
  for (const host of hosts) for (const user of users) collectFinding(buckets, p, finding(user, { user, host }), 0);
  const size = JSON.stringify(buckets).length;
  assert.ok(size <= DIGEST_CHARS_KEPT + 10_000, `the stored digests take ${size} characters`);
  assert.equal(buckets.reduce((n, b) => n + b.findings, 0), 520_000, 'every finding is counted');
  assert.ok(buckets.length <= DIGEST_BUCKETS_KEPT + 1);
  const other = buckets.filter((b) => b.other);
  assert.equal(other.length, 1);
  assert.equal(other[0]!.group, OTHER_VALUES);
  assert.ok(!JSON.stringify(buckets).includes('"keys":["user'), 'keys are stored as short hashes, not whole');
  for (const b of buckets) assert.ok(b.keys.every((k) => k.length <= 7));
});
