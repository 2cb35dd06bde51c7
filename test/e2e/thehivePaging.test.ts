import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { useTheHiveServer } from '../support/theHiveServer.js';
import { uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useTheHiveServer();

/** A project with one TheHive alert (hive-sla) telling Slack, against the fake TheHive. */
function hiveProject(hive: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const project = world.project();
  const config = servers.config(world);
  const writeHive = (extra: Record<string, unknown>) => project.writeConfig({ ...config, thehive: { url: fake.server.base, api_key: '${THEHIVE_API_KEY}', timeout: '3s', ...extra } });
  writeHive(hive);
  Object.assign(project.env, servers.secrets, { THEHIVE_API_KEY: fake.server.apiKey });
  project.writeAlert('hive-sla', { source: 'thehive', thehive: { severity: [3, 4] }, notify: ['soc-slack'], ...alert });
  const slack = () => (world.slack.accepted() as { text: string }[]).map((p) => p.text);
  const queries = () => fake.server.requests.filter((r) => r.path.startsWith('/api/v1/query')).map((r) => (JSON.parse(r.body) as { query: Record<string, unknown>[] }).query);
  return { project, slack, queries, writeHive };
}

/** 2,499 old alerts ("Old noise", silenced so that they need no delivery) and, created last, the newest one. */
async function crowd(project: ReturnType<typeof hiveProject>['project'], T: number) {
  for (let i = 2499; i >= 1; i--) fake.server.addAlert({ title: 'Old noise', severity: 3, _createdAt: T - i * 1000 });
  const newest = fake.server.addAlert({ title: 'Fresh intrusion', severity: 4, _createdAt: T });
  const silence = await project.run(['silence', 'add', 'hive-sla', '--match', 'title=Old noise', '--for', '24h', '--comment', 'bulk noise'], { ALERTCRON_NOW: iso(T) });
  assert.equal(silence.code, 0, silence.stderr);
  return newest;
}

test('with 2,500 matching TheHive alerts every page is read, newest first, and the newest alert (created last) is notified', async () => {
  const T = uniqueBaseTime();
  const { project, slack, queries } = hiveProject();
  const newest = await crowd(project, T);
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.deepEqual(slack(), ['TheHive alert: Fresh intrusion (severity 4, 1m old)']);
  const pages = queries().map((q) => q.slice(-2));
  assert.deepEqual(pages, [0, 1000, 2000].map((from) => [{ _name: 'sort', _fields: [{ _createdAt: 'desc' }] }, { _name: 'page', from, to: from + 1000, extraData: [] }]));
  const decisions = project.audit().filter((e) => e.event === 'decision');
  assert.equal(decisions.length, 2500, 'every alert was seen');
  assert.deepEqual(decisions.filter((e) => e.notify).map((e) => e.key), [newest._id]);
});

test('beyond thehive.max_items the newest are kept, the run says so, and no unseen key is resolved', async () => {
  const T = uniqueBaseTime();
  const { project, slack, writeHive } = hiveProject({}, { resolve_after: 1 });
  const oldest = fake.server.addAlert({ title: 'Oldest intrusion', severity: 4, _createdAt: T - 3000 * 1000 });
  await crowd(project, T);
  const all = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(slack().sort(), ['TheHive alert: Fresh intrusion (severity 4, 1m old)', 'TheHive alert: Oldest intrusion (severity 4, 51m old)']);

  writeHive({ max_items: 1500 });
  const capped = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(capped.code, 0, capped.stderr);
  assert.equal(
    capped.stderr,
    'warning: alert hive-sla: more than 1500 TheHive alerts match: only the newest 1500 were read, and no key was resolved this run (narrow the filter, e.g. max_age, or raise thehive.max_items)\n',
  );
  assert.equal(slack().length, 2, `no "Resolved" notice for ${oldest._id}, which was not read, not gone`);
  assert.deepEqual(project.audit().filter((e) => e.event === 'incomplete').map((e) => e.alert), ['hive-sla']);
  const lastPage = fake.server.requests.at(-1)!;
  assert.deepEqual((JSON.parse(lastPage.body) as { query: Record<string, unknown>[] }).query.at(-1), { _name: 'page', from: 1000, to: 1501, extraData: [] });
});

test('X-Organisation scopes what is read; an organisation the key\'s user is not in is refused with a clear error', async () => {
  const T = uniqueBaseTime();
  const { project, slack, writeHive } = hiveProject({ organisation: 'cert' });
  fake.server.addAlert({ title: 'SOC only', severity: 3, _createdAt: T }, 'soc');
  fake.server.addAlert({ title: 'CERT only', severity: 3, _createdAt: T }, 'cert');
  const cert = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(cert.code, 0, cert.stderr);
  assert.deepEqual(slack(), ['TheHive alert: CERT only (severity 3, 1m old)']);
  assert.ok(fake.server.requests.every((r) => r.headers['x-organisation'] === 'cert'));

  writeHive({ organisation: 'finance' });
  const other = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(other.code, 3);
  assert.equal(
    other.stderr,
    `alert hive-sla: TheHive at ${fake.server.base} answered HTTP 403 AuthorizationError: You are not a member of organisation finance (check thehive.api_key, thehive.organisation, and that the key's user may do this there: tags and promote need the manageAlert/update permission)\n`,
  );
});

test('a read-only API key reads the queue, but its tag write and promote fail with the 403 AuthorizationError named', async () => {
  const T = uniqueBaseTime();
  const { project, slack } = hiveProject({}, { write_back_tag: 'notified:{{reason}}' });
  project.env.THEHIVE_API_KEY = fake.server.readOnlyApiKey;
  const alert = fake.server.addAlert({ title: 'Beaconing', severity: 3, _createdAt: T });
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(run.code, 4);
  assert.deepEqual(slack(), ['TheHive alert: Beaconing (severity 3, 1m old)']);
  assert.match(run.stderr, /-> thehive\.tag: TheHive at .* answered HTTP 403 AuthorizationError: Your are not authorized to update alert, you haven't the permission manageAlert\/update \(check thehive\.api_key, thehive\.organisation, and that the key's user may do this there/);
  assert.deepEqual(alert.tags, []);
  const promote = await project.run(['hive', 'promote', alert._id]);
  assert.equal(promote.code, 3);
  assert.match(promote.stderr, /^alertcron: TheHive at .* answered HTTP 403 AuthorizationError: Your are not authorized to create case from alert, you haven't the permission manageAlert\/update \(check/);
  assert.ok(!(run.stderr + promote.stderr).includes(fake.server.readOnlyApiKey));
});

test('TheHive 4.1 (thehive.version: 4): untreated means unread and not imported, and a tag write sends the full tag list', async () => {
  const T = uniqueBaseTime();
  fake.server.version = 4;
  const { project, slack } = hiveProject({ version: 4 }, { write_back_tag: 'notified:{{reason}}' });
  const fresh = fake.server.addAlert({ title: 'Unread', severity: 3, _createdAt: T, tags: ['source:edr'] });
  fake.server.addAlert({ title: 'Read already', severity: 3, _createdAt: T, read: true });
  const imported = fake.server.addAlert({ title: 'Has a case', severity: 3, _createdAt: T });
  const promote = await project.run(['hive', 'promote', imported._id]);
  assert.equal(promote.code, 0, promote.stderr);
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(slack(), ['TheHive alert: Unread (severity 3, 1m old)']);
  const filter = (JSON.parse(fake.server.requests.find((r) => r.path.startsWith('/api/v1/query'))!.body) as { query: Record<string, unknown>[] }).query[1];
  assert.deepEqual(filter, {
    _name: 'filter',
    _and: [
      { _or: [3, 4].map((s) => ({ _eq: { _field: 'severity', _value: s } })) },
      { _eq: { _field: 'read', _value: false } },
      { _eq: { _field: 'imported', _value: false } },
    ],
  });
  const patch = fake.server.requests.find((r) => r.method === 'PATCH')!;
  assert.deepEqual(JSON.parse(patch.body), { tags: ['source:edr', 'notified:first'] });
  assert.deepEqual(fresh.tags, ['source:edr', 'notified:first']);
});

test('the TheHive version is checked: a 4.1 filter key on version 5, stage on version 4, and a version 5 config against TheHive 4.1', async () => {
  const T = uniqueBaseTime();
  const { project, writeHive } = hiveProject({ version: 4 }, { thehive: { stage: ['New'] } });
  const stage = await project.run(['validate']);
  assert.equal(stage.code, 2);
  assert.match(stage.stderr, /^alerts\/hive-sla\.yaml:\d+:\d+ \/thehive\/stage: TheHive 4\.1 alerts have no stage \(thehive\.version: 4\): filter on read: false and imported: false \(the default\) instead$/m);
  writeHive({});
  project.writeAlert('hive-sla', { source: 'thehive', thehive: { read: false }, notify: ['soc-slack'] });
  const read = await project.run(['validate']);
  assert.equal(read.code, 2);
  assert.match(read.stderr, /^alerts\/hive-sla\.yaml:\d+:\d+ \/thehive\/read: read is a TheHive 4\.1 filter; TheHive 5 \(thehive\.version: 5, the default\) filters on stage/);

  fake.server.version = 4;
  fake.server.addAlert({ title: 'Unread', severity: 3, _createdAt: T });
  project.writeAlert('hive-sla', { source: 'thehive', notify: ['soc-slack'] });
  const wrong = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(wrong.code, 3);
  assert.equal(wrong.stderr, `alert hive-sla: TheHive at ${fake.server.base} answered HTTP 400 BadRequest: Property stage for type Alert not found (this looks like TheHive 4.1: set thehive.version: 4 in alertcron.yaml)\n`);
});
