// Templates see what they should: alertcron's own values, every event field (even one named like an own value),
// nothing from the prototype chain; and names no finding has are reported by test and validate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTheHiveServer } from '../support/theHiveServer.js';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const fake = useTheHiveServer();

/** The plain text of each Slack message accepted: title, newline, message. */
const slackTexts = () => (world.slack.accepted() as { blocks: { text: { text: string } }[] }[]).map((p) => p.blocks[0]!.text.text);

/** An email event whose fields are named like alertcron's own values, plus Filebeat-style custom fields. */
function mailEvent(at: number): Record<string, unknown> {
  return {
    '@timestamp': new Date(at).toISOString(),
    user: 'bob',
    from: 'mallory@evil.example',
    to: 'ceo@corp.example',
    key: 'event-key',
    count: 42,
    description: 'the event description',
    alert: 'the event alert',
    fields: { env: 'prod' },
    source: { ip: '203.0.113.7' },
  };
}

test('own values keep their bare names, event fields of the same names are reached under fields., prototype names render nothing', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('mail-templates');
  await indexDocs(world.esUrl, index, [mailEvent(T - MIN)]);
  const project = world.project();
  project.writeAlert('mail', {
    description: 'Mail from outside',
    index,
    condition: { type: 'any' },
    group_by: 'user',
    notify: ['soc-slack'],
    samples: 0,
    title: '{{alert}} {{key}}',
    message: [
      'own: {{alert}}|{{key}}|{{count}}|{{from}}|{{to}}|{{description}}|{{alertcron.key}}|{{alertcron.description}}',
      'event: {{fields.alert}}|{{fields.key}}|{{fields.count}}|{{fields.from}}|{{fields.to}}|{{fields.description}}|{{source.ip}}',
      'filebeat: {{fields.env}}|{{fields.fields.env}}',
      'proto: [{{__proto__}}{{constructor}}{{toString}}{{hasOwnProperty}}{{fields.constructor}}{{fields.__proto__}}{{source.toString}}{{alertcron.constructor}}{{fields.key.length}}]',
    ].join('\n'),
  });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(slackTexts(), [
    [
      'mail bob',
      `own: mail|bob|1|${iso(T - 10 * MIN)}|${iso(T)}|Mail from outside|bob|Mail from outside`,
      'event: the event alert|event-key|42|mallory@evil.example|ceo@corp.example|the event description|203.0.113.7',
      'filebeat: prod|prod',
      'proto: []',
    ].join('\n'),
  ]);
});

test('the default TheHive notice shows the TheHive alert\'s own description, not the alertcron alert\'s', async () => {
  const T = uniqueBaseTime();
  const project = world.project();
  project.writeConfig(defaultHiveConfig(project.env));
  project.writeAlert('hive-queue', { source: 'thehive', description: 'Our SOC queue watcher', thehive: { severity: [3] }, notify: ['soc-slack'] });
  fake.server.addAlert({ title: 'Suspicious logon', description: 'Logon from 203.0.113.9 at 03:12', severity: 3, _createdAt: T });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(result.code, 0, result.stderr);
  const [text] = slackTexts();
  assert.match(text!, /^TheHive alert: Suspicious logon \(severity 3, 1m old\)\nLogon from 203\.0\.113\.9 at 03:12\n\nOpen: /);
  assert.doesNotMatch(text!, /Our SOC queue watcher/);
});

/** alertcron.yaml of a project reading the fake TheHive and notifying the world's Slack. */
function defaultHiveConfig(env: Record<string, string>): Record<string, unknown> {
  env.THEHIVE_API_KEY = fake.server.apiKey;
  return {
    thehive: { url: fake.server.base, api_key: '${THEHIVE_API_KEY}', timeout: '3s' },
    channels: { 'soc-slack': { type: 'slack', webhook_url: '${SLACK_WEBHOOK_URL}', timeout: '3s' } },
    state: { lock_wait: '15s' },
  };
}

test('test warns about each template name that none of the findings has; fields that exist are not reported', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('mail-templates');
  await indexDocs(world.esUrl, index, [mailEvent(T - MIN)]);
  const project = world.project();
  project.writeAlert('mail', {
    index,
    condition: { type: 'any' },
    group_by: 'user',
    notify: ['soc-slack'],
    title: 'Mail to {{fields.to}} from {{source.ip}}',
    message: '{{source.ipp}} {{fields.nope}} {{alertcron.nope}} {{key}} {{fields.env}}',
  });
  const result = await project.run(['test', 'mail', '--from', '30m'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning: '));
  assert.deepEqual(warnings.map((w) => /names (\{\{[^}]+\}\})/.exec(w)?.[1]), ['{{source.ipp}}', '{{fields.nope}}', '{{alertcron.nope}}']);
  assert.match(warnings[0]!, /^warning: alert mail: message names \{\{source\.ipp\}\}, but none of the 1 finding\(s\) has it, so it renders empty \(the first finding has @timestamp, user, from, to, /);

  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '', 'a cron run stays quiet about templates');
});

test('validate reports template names a buckets finding cannot have, and unknown alertcron. names in any alert, at their lines', async () => {
  const project = world.project();
  project.writeQuery('users-per-host.json', { size: 0, aggs: { by_host: { terms: { field: 'host.name' }, aggs: { users: { cardinality: { field: 'user' } } } } } });
  project.writeAlert(
    'spray',
    [
      'index: logs-*',
      'query: users-per-host.json',
      'condition: { type: buckets, path: by_host, value: users, gte: 3 }',
      'notify: [soc-slack]',
      'title: "{{key}}: {{users}} users ({{value}}, {{doc_count}} events)"',
      'message: "last from {{source.ip}} {{alertcron.window}} {{fields.key}} {{fields.users}}"',
      '',
    ].join('\n'),
  );
  // An alert of another condition: only an unknown alertcron. name is wrong there (any event field may exist).
  project.writeAlert('plain', ['index: logs-*', 'condition: { type: any }', 'notify: [soc-slack]', 'message: "{{ alertcron.nope }} from {{source.ip}}"', ''].join('\n'));
  const result = await project.run(['validate']);
  assert.equal(result.code, 2, result.stderr);
  assert.deepEqual(result.stderr.trim().split('\n'), [
    'alerts/plain.yaml:4:10 /message: names {{alertcron.nope}}, but alertcron\'s own values are alert, description, key, count, from, to, match_message, top_counts',
    'alerts/spray.yaml:6:10 /message: names {{source.ip}}, but a finding of this buckets condition has only the bucket\'s fields: key, key_as_string, doc_count, value, users (not an event\'s fields)',
    'alerts/spray.yaml:6:10 /message: names {{alertcron.window}}, but alertcron\'s own values are alert, description, key, count, from, to, match_message, top_counts',
    '3 problem(s) in 2 file(s); 2 alert(s) valid, 0 disabled, 2 channel(s)',
  ]);
});
