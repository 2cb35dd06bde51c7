// Saying why nothing matched: test <alert> and run --verbose show the hits before condition and grouping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const USER = 'winlog.event_data.TargetUserName';

test('test <alert> shows the hits per index and the keys before the condition, and the hits that have no key', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-explain');
  const { winlog: _omitted, ...withoutUser } = logonEvent(T - 2 * MIN, 'nobody');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'alice'), logonEvent(T - MIN, 'alice'), logonEvent(T - MIN, 'bob'), withoutUser]);
  const project = world.project();
  project.writeAlert('bursts', { index, condition: { type: 'count', gte: 5 }, group_by: USER, notify: ['soc-email'] });
  project.writeAlert('any-logon', { index, condition: { type: 'count', gte: 10 }, notify: ['soc-email'] });
  const grouped = await project.run(['test', 'bursts', '--from', '10m'], { ALERTCRON_NOW: iso(T) });
  assert.equal(grouped.code, 0, grouped.stderr);
  // Evaluated over the minute a run searches (3 hits); the summary counts the 10 minutes --from asked for (4 hits).
  assert.match(grouped.stdout, /^bursts \[.*\): 0 finding\(s\)\n {2}evaluated as a run would, over the window a run searches: the last 1m .*\n {2}this alert has not run yet: its first run searches the last 10m \(first_lookback\) once, .*\n {2}hits in the run's search before condition and grouping: 3\n {2}hit summary over \[.*\) \(--from\/--to; only counted, not evaluated\):\n {4}hits before condition and grouping: 4 \(auth-explain-\w+: 4\)\n {4}keys: 2 distinct value\(s\) of winlog\.event_data\.TargetUserName\n {4}1 hit\(s\) have no winlog\.event_data\.TargetUserName: they belong to no key\n/m);
  const ungrouped = await project.run(['test', 'any-logon', '--from', '10m', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(ungrouped.code, 0, ungrouped.stderr);
  const [explanation] = JSON.parse(ungrouped.stdout).explanations;
  assert.deepEqual(explanation, { alert: 'any-logon', span: { from: iso(T - 10 * MIN), to: iso(T) }, windowHits: 3, hits: { total: 4, perIndex: [{ index, hits: 4 }] }, warnings: [] });
  assert.equal(project.state(), undefined, 'test touches no state');
});

test('test <alert> warns when the index pattern matches nothing, the time field is absent, group_by is text or in no hit', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-explain-warn');
  // user.name is mapped (by an old event outside the window) but no hit in the window has it.
  await indexDocs(world.esUrl, index, [{ ...logonEvent(T - 600 * MIN, 'old'), user: { name: 'old' } }, logonEvent(T - MIN, 'alice')]);
  const texts = `auth-explain-text-${Math.random().toString(36).slice(2, 8)}`;
  const created = await fetch(`${world.esUrl}/${texts}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mappings: { properties: { '@timestamp': { type: 'date' }, message: { type: 'text' } } } }) });
  assert.equal(created.status, 200);
  const project = world.project();
  const alert = (extra: Record<string, unknown>) => ({ index, condition: { type: 'any' }, notify: ['soc-email'], ...extra });
  project.writeAlert('nowhere', alert({ index: 'no-such-logs-zz-*' }));
  project.writeAlert('no-time', alert({ timestamp_field: 'event.created' }));
  project.writeAlert('text-group', alert({ index: texts, group_by: 'message' }));
  project.writeAlert('absent-group', alert({ group_by: 'user.name' }));
  const expected: Record<string, RegExp> = {
    nowhere: /hits before condition and grouping: 0\n {2}warning: index pattern "no-such-logs-zz-\*" matches no index, alias or data stream on the cluster\n/,
    'no-time': /hits before condition and grouping: 0\n {2}warning: timestamp_field "event\.created" is not a field of the indices matching ".*": the time window would match nothing\n/,
    'text-group': /warning: group_by "message" is a text field: it cannot be grouped by \(not aggregatable\)\n/,
    'absent-group': /hits before condition and grouping: 1 \(.*: 1\)\n {4}keys: 0 distinct value\(s\) of user\.name\n {2}warning: no hit has a value in group_by "user\.name": every hit is outside any key\n/,
  };
  for (const [name, pattern] of Object.entries(expected)) {
    const result = await project.run(['test', name, '--from', '10m'], { ALERTCRON_NOW: iso(T) });
    assert.match(result.stdout, pattern, `${name}: ${result.stdout}${result.stderr}`);
  }
});

test('run --verbose says where each notification went, and why an alert with zero hits found nothing', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-explain-run');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: USER, notify: ['soc-email', 'soc-slack'], title: 'Admin {{key}}' });
  project.writeAlert('silent', { index: 'no-such-logs-zz-*', condition: { type: 'any' }, notify: ['soc-email'] });
  const result = await project.run(['run', '--verbose'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^admins \[.*\): 1 finding\(s\)\n {2}key "root" count 1: NOTIFY \(first, next repeat after .*\)\n/m);
  assert.match(result.stdout, /^silent \[.*\): 0 finding\(s\)\n {2}hits before condition and grouping: 0\n {2}warning: index pattern "no-such-logs-zz-\*" matches no index, alias or data stream on the cluster\n/m);
  assert.match(result.stdout, /^delivered: admins "root" -> soc-email \(first\)$/m);
  assert.match(result.stdout, /^delivered: admins "root" -> soc-slack \(first\)$/m);
});

test('test <alert> warns of a channel without its secret: --send would leave its deliveries pending', async () => {
  const project = world.project();
  delete project.env.SLACK_WEBHOOK_URL;
  project.writeAlert('admins', { index: await world.index('auth-explain-secret'), condition: { type: 'any' }, notify: ['soc-slack'] });
  const result = await project.run(['test', 'admins']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^ {2}warning: channel soc-slack: environment variable SLACK_WEBHOOK_URL is not set \(.*\): with --send its deliveries would stay pending$/m);
});
