// Keys beyond group_size are told: a group_by search that leaves keys out fetches the next ones, page by page, up
// to a stated bound. Each test drives the CLI against the real engine and a fake Slack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** `n` users, each with `events(i)` logons in the minute before T. */
function logons(T: number, n: number, events: (i: number) => number = () => 1) {
  return Array.from({ length: n }, (_, i) => Array.from({ length: events(i) }, (_, e) => logonEvent(T - 50_000 + e * 1000, `user${String(i).padStart(3, '0')}`))).flat();
}

test('150 keys with group_size 100: every one is told, fused or not, and the run says nothing is left out', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('group-pages');
  // Counts from 1 to 3, so that the order of the keys (by count) is not the order of their names.
  await indexDocs(world.esUrl, index, logons(T, 150, (i) => 1 + (i % 3)));
  for (const fuse of [100, 1]) {
    const before = world.slack.accepted().length;
    const project = world.project({ extraConfig: { run: { max_findings: 1000 }, elasticsearch: { url: world.esUrl, timeout: '10s', fuse_alerts: fuse } } });
    project.writeAlert('users', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], title: 'Logon {{key}}', lookback: '1m' });
    project.writeAlert('busy', { index, condition: { type: 'count', gte: 2 }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], title: 'Busy {{key}} ({{count}})', lookback: '1m' });
    const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '', 'no key is left out: nothing to warn about');
    const report = JSON.parse(result.stdout);
    assert.equal(report.clusterRequests, 2, 'one _msearch for the first searches (fused or not), one more for the keys beyond group_size of both alerts');
    const titles = (world.slack.accepted() as { text: string }[]).slice(before).map((p) => p.text);
    const users = Array.from({ length: 150 }, (_, i) => `user${String(i).padStart(3, '0')}`);
    assert.deepEqual(titles.filter((t) => t.startsWith('Logon')).sort(), users.map((u) => `Logon ${u}`), `fuse_alerts ${fuse}: every key told once`);
    const busy = users.flatMap((u, i) => (i % 3 ? [`Busy ${u} (${1 + (i % 3)})`] : []));
    assert.deepEqual(titles.filter((t) => t.startsWith('Busy')).sort(), busy, `fuse_alerts ${fuse}: every key over the threshold, with its whole count`);
  }
});

test('a compound key (two group_by fields) beyond group_size is told too', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('group-pages-compound');
  // 4 hosts x 3 users, one of the host names with a comma: 12 compound keys, group_size 5.
  const hosts = ['web01', 'web02', 'db, 1', 'db02'];
  await indexDocs(world.esUrl, index, hosts.flatMap((host) => ['alice', 'bob', 'carol'].map((user) => logonEvent(T - 30_000, user, { host }))));
  const project = world.project();
  project.writeAlert('pairs', { index, condition: { type: 'any' }, group_by: ['host.name', 'winlog.event_data.TargetUserName'], group_size: 5, notify: ['soc-slack'], title: '{{key}}', lookback: '1m' });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const expected = hosts.flatMap((host) => ['alice', 'bob', 'carol'].map((user) => `${host.replace(',', '\\,')}, ${user}`)).sort();
  assert.deepEqual((world.slack.accepted() as { text: string }[]).map((p) => p.text).sort(), expected);
});

test('a key beyond the first page is resolved once it is gone, as any other key', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('group-pages-resolve');
  await indexDocs(world.esUrl, index, logons(T, 12));
  const project = world.project();
  project.writeAlert('users', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', group_size: 5, resolve_after: 1, notify: ['soc-slack'], title: 'Logon {{key}}', lookback: '1m' });
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);
  assert.equal(world.slack.accepted().length, 12, 'all 12 keys told with group_size 5');
  // A minute later only the first 11 users log on again: user011 is resolved, the others are not.
  await indexDocs(world.esUrl, index, logons(T + MIN, 11));
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(next.stderr, '');
  assert.deepEqual((world.slack.accepted() as { text: string }[]).slice(12).map((p) => p.text), ['Resolved: Logon user011']);
});

test('keys beyond the bound (ten pages of group_size) are said on stderr and in one notice saying how many and how to raise the limit', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('group-pages-bound');
  // 25 users, user000 the quietest: with group_size 2 a run examines the 20 busiest.
  await indexDocs(world.esUrl, index, logons(T, 25, (i) => (i === 0 ? 1 : 2)));
  const project = world.project();
  project.writeAlert('users', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', group_size: 2, resolve_after: 1, notify: ['soc-slack'], title: 'Logon {{key}}', lookback: '1m' });
  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).clusterRequests, 10, 'the first search and nine more pages, no more');
  assert.match(result.stderr, /warning: alert users: 9 matching event\(s\) fall under more than group_size \(2\) values of winlog\.event_data\.TargetUserName: those keys were not seen \(raise group_size\)/);
  const sent = world.slack.accepted() as { text: string }[];
  assert.equal(sent.length, 21, 'the 20 keys examined, and one notice about the others');
  const notice = sent.find((p) => p.text === 'users: not every key was examined this run');
  assert.ok(notice, sent.map((p) => p.text).join(', '));
  assert.match(JSON.stringify(notice), /9 matching event\(s\) fall under more than group_size \(2\) values of winlog\.event_data\.TargetUserName: those keys were not seen \(raise group_size\)/);
  // The next run finds the same: the notice is throttled like a key (the alert's throttle, 30m by default), and never "resolved".
  const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + 30_000) });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(world.slack.accepted().length, 21);
});
