import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { checkProperty, fc } from '../support/property.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useTheHiveServer } from '../support/theHiveServer.js';
import { iso, useWorld } from '../support/world.js';

// Issue 22 point 2/5: times and ids TheHive answers with never make a run exit 1; only the bad item is set aside.
const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useTheHiveServer();

/** A project with one TheHive alert (hive-sla) telling Slack, against the fake TheHive. */
function hiveProject() {
  const project = world.project();
  project.writeConfig({ ...servers.config(world), thehive: { url: fake.server.base, api_key: '${THEHIVE_API_KEY}', timeout: '3s' } });
  Object.assign(project.env, servers.secrets, { THEHIVE_API_KEY: fake.server.apiKey });
  project.writeAlert('hive-sla', { source: 'thehive', thehive: { severity: [3, 4] }, notify: ['soc-slack'], escalation: [{ after: '30m', notify: ['soc-email'] }] });
  const slack = () => (world.slack.accepted() as { text: string }[]).map((p) => p.text);
  return { project, slack };
}

test('TheHive items with a _createdAt that is not a time, or an _id that is not a safe path segment, are set aside and named; run and status go on', async () => {
  const T = uniqueBaseTime();
  const { project, slack } = hiveProject();
  for (const [title, createdAt] of [['A string', 'yesterday'], ['Negative', -5], ['Beyond the Date range', 1e300], ['Null', null]] as const) fake.server.addAlert({ title, severity: 3, _createdAt: createdAt as never });
  fake.server.addAlert({ title: 'Dot dot', severity: 3, _createdAt: T - MIN, _id: '..' });
  fake.server.addAlert({ title: 'Fine', severity: 4, _createdAt: T - MIN });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /internal error|Invalid time value/);
  assert.match(result.stderr, /5 TheHive item\(s\) set aside: .*with _createdAt (1e\+300|null|"yesterday"|-5), which is not a time/);
  assert.match(result.stderr, /an item with _id "\.\.", which is not a safe path segment/);
  assert.ok(slack().some((t) => t.includes('Fine')), slack().join(' | '));
  assert.ok(!slack().some((t) => /A string|Negative|Beyond|Null|Dot dot/.test(t)), 'only the good item is told');
  const later = await project.run(['run'], { ALERTCRON_NOW: iso(T + 40 * MIN) });
  assert.equal(later.code, 0, later.stderr);
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + 40 * MIN) });
  assert.equal(status.code, 0, status.stderr);
});

test('property: TheHive pages with dates out of range, negative or not numbers never stop a run; good items are told', async () => {
  const created = fc.oneof(
    fc.integer({ min: 1, max: 60 }).map((minutes) => ({ ago: minutes * MIN })),
    fc.constantFrom<unknown>('yesterday', '', null, 0, -1, -8.64e15, 8.64e15 + 1, 1e300, true, [1], { $date: 1 }, '1700000000000').map((raw) => ({ raw })),
  );
  await checkProperty('thehive pages', fc.asyncProperty(fc.array(created, { minLength: 1, maxLength: 6 }), async (items) => {
    fake.server.alerts.length = 0;
    const T = uniqueBaseTime();
    const { project, slack } = hiveProject();
    const already = slack().length;
    const good: string[] = [];
    items.forEach((item, n) => {
      const title = `Item ${n}`;
      if ('ago' in item) good.push(title);
      fake.server.addAlert({ title, severity: 3, _createdAt: ('ago' in item ? T - (item.ago as number) : item.raw) as never });
    });
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /internal error|Invalid time value/);
    const sent = slack().slice(already);
    for (const title of good) assert.ok(sent.some((t) => t.includes(`${title}`)), `${title} told: ${sent.join(' | ')} ${result.stderr}`);
    assert.equal(sent.length, good.length, `only the good items: ${sent.join(' | ')}`);
    project.cleanup();
  }), 12);
});
