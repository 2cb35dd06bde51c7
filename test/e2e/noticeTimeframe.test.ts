import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mailText } from '../support/askProject.js';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { event, runAt } from '../support/ruleRuns.js';
import { iso, useWorld } from '../support/world.js';

const S = 1000;
const MIN = 60_000;
const world = useWorld();

test('the default notice of each type that counts over a timeframe pairs the count with that timeframe, not with the one-minute run window', async () => {
  const T0 = Math.floor(uniqueBaseTime() / MIN) * MIN;
  const index = await world.index('notice-timeframe');
  const request = (at: number, user: string) => event(at, { 'host.name': 'web01', 'user.name': user, status: 500, bytes: 10 });
  await indexDocs(world.esUrl, index, [
    // 10 events 30 to 21 minutes ago: the key is known (flatline) and warmed up (spike's reference timeframe).
    ...Array.from({ length: 10 }, (_, i) => request(T0 - 30 * MIN + i * MIN, 'alice')),
    // 40 events in the last 15 minutes: 33 from 14 to 2 minutes ago, then 7 in the run's minute.
    ...Array.from({ length: 33 }, (_, i) => request(T0 - 14 * MIN + i * 20 * S, i % 2 ? 'alice' : 'bob')),
    ...Array.from({ length: 7 }, (_, i) => request(T0 - 50 * S + i * 8 * S, 'alice')),
  ]);
  const project = world.project();
  const base = { index, every: '1m', first_lookback: '1m', throttle: '0s', group_by: 'host.name', notify: ['soc-email'] };
  const alerts: Record<string, Record<string, unknown>> = {
    frequency: { type: 'frequency', num_events: 40, timeframe: '15m' },
    flatline: { type: 'flatline', threshold: 50, timeframe: '15m' },
    metric: { type: 'metric_aggregation', metric_agg_key: 'bytes', metric_agg_type: 'sum', max_threshold: 300, timeframe: '15m' },
    cardinality: { type: 'cardinality', cardinality_field: 'user.name', max_cardinality: 1, timeframe: '15m' },
    spike: { type: 'spike', timeframe: '15m', spike_height: 3, spike_type: 'up' },
    percentage: { type: 'percentage_match', match_bucket_filter: { term: { status: 500 } }, max_percentage: 50, timeframe: '15m' },
  };
  for (const [name, condition] of Object.entries(alerts)) project.writeAlert(name, { ...base, condition });
  // A count alert counts the run's window: its default text still names that window.
  project.writeAlert('minute', { ...base, condition: { type: 'count', gte: 1 } });
  // {{from}} and {{to}} are the span {{count}} covers.
  project.writeAlert('custom', { ...base, condition: alerts.flatline, message: '{{count}} events from {{from}} to {{to}}' });
  // change reads a timeframe before the window to find the previous event, but counts the window's events.
  project.writeAlert('changed', { ...base, condition: { type: 'change', compare_key: 'user.name', timeframe: '15m' }, message: '{{count}} events from {{from}} to {{to}}' });
  const report = await runAt(project, T0);
  assert.deepEqual(report.alerts.filter((a: { findings: unknown[] }) => a.findings.length).map((a: { name: string }) => a.name).sort(), [...Object.keys(alerts), 'changed', 'custom', 'minute'].sort());
  const body = (name: string) => {
    const mail = world.smtp.messages.find((m) => m.subject === `${name}: web01`);
    assert.ok(mail, `a notice of ${name}`);
    return mailText(mail.raw);
  };
  for (const name of Object.keys(alerts)) {
    assert.match(body(name), new RegExp(`^40 matching events for web01 in the last 15 minutes \\(until ${iso(T0).replace(/\./g, '\\.')}\\)$`, 'm'), name);
    assert.doesNotMatch(body(name), /between/, name);
  }
  assert.match(body('minute'), new RegExp(`^7 matching events for web01 between ${iso(T0 - MIN).replace(/\./g, '\\.')} and ${iso(T0).replace(/\./g, '\\.')}$`, 'm'));
  assert.match(body('changed'), new RegExp(`^7 events from ${iso(T0 - MIN).replace(/\./g, '\\.')} to ${iso(T0).replace(/\./g, '\\.')}$`, 'm'));
  assert.match(body('custom'), new RegExp(`^40 events from ${iso(T0 - 15 * MIN).replace(/\./g, '\\.')} to ${iso(T0).replace(/\./g, '\\.')}$`, 'm'));
});

test('frequency: a key that fired before the run\'s end is told the window that fired, with its length and end', async () => {
  const T0 = Math.floor(uniqueBaseTime() / MIN) * MIN;
  const index = await world.index('notice-frequency');
  // 5 events between 9 and 5 minutes ago, then nothing: with num_events 5 in 10m the key fires when the fifth
  // comes in, 4m30s before the run's end (a 10-minute run window after downtime).
  await indexDocs(world.esUrl, index, Array.from({ length: 5 }, (_, i) => event(T0 - 9 * MIN + i * MIN, { 'host.name': 'web02' })));
  const project = world.project();
  project.writeAlert('burst', { index, every: '1m', first_lookback: '10m', throttle: '0s', group_by: 'host.name', notify: ['soc-email'], condition: { type: 'frequency', num_events: 5, timeframe: '10m', resolution: '30s' } });
  await runAt(project, T0);
  const mail = world.smtp.messages.find((m) => m.subject === 'burst: web02');
  assert.ok(mail);
  assert.match(mailText(mail.raw), new RegExp(`^5 matching events for web02 in the 10 minutes until ${iso(T0 - 4 * MIN - 30 * S).replace(/\./g, '\\.')}$`, 'm'));
});

test('windows are [from, to): an event exactly on a minute boundary is told by the run that starts there', async () => {
  const T0 = Math.floor(uniqueBaseTime() / MIN) * MIN;
  const index = await world.index('notice-boundary');
  await indexDocs(world.esUrl, index, [event(T0, { 'host.name': 'web03' })]);
  const project = world.project();
  project.writeAlert('edge', { index, every: '1m', first_lookback: '1m', throttle: '0s', group_by: 'host.name', notify: ['soc-email'], condition: { type: 'any' } });
  await runAt(project, T0);
  assert.equal(world.smtp.messages.length, 0, 'the run ending at the event does not see it (ElastAlert2 would: (start, end])');
  await runAt(project, T0 + MIN);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['edge: web03']);
  assert.match(mailText(world.smtp.messages[0]!.raw), new RegExp(`^1 matching events for web03 between ${iso(T0).replace(/\./g, '\\.')} and ${iso(T0 + MIN).replace(/\./g, '\\.')}$`, 'm'));
});
