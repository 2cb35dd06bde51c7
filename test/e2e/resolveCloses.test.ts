import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { askProject, sudo, useAskServers } from '../support/askProject.js';
import { defaultConfig, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, runOkAt, useWorld } from '../support/world.js';

// Resolved notices close what they opened (issue 25 point 4): every channel that accepted a notice of a key in its
// current firing episode (first, repeat, escalation tier) gets its resolved notice, even when the key was silenced
// or acknowledged since; not a channel with send_resolved: false, one told only in an earlier episode, or one no
// longer configured (audited). Driven through the CLI against OpenSearch, the SMTP sink and the fake Slack.

const MIN = 60_000;
const world = useWorld();
const askServers = useAskServers();

/** A project with one search alert over a fresh index (a key per user that logs on), telling email and Slack. */
async function resolveProject(alert: Record<string, unknown> = {}, channels: Record<string, Record<string, unknown>> = {}) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-resolve');
  const project = world.project();
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }) as { channels: Record<string, Record<string, unknown>> };
  const config = { ...base, channels: { ...base.channels, ...Object.fromEntries(Object.entries(channels).map(([name, extra]) => [name, { ...base.channels[name], ...extra }])) } };
  project.writeConfig(config);
  const definition = { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '1m', resolve_after: 1, notify: ['soc-email', 'soc-slack'], title: 'Logon {{key}} on {{host.name}}', ...alert };
  project.writeAlert('logons', definition);
  const logon = (at: number, user: string, host = 'dc01') => indexDocs(world.esUrl, index, [logonEvent(at, user, { host })]);
  return { T, project, config, definition, logon };
}

/** What each sink received so far: Slack texts and mail subjects. */
function received() {
  return { slack: (world.slack.accepted() as { text: string }[]).map((p) => p.text), mail: world.smtp.messages.map((m) => m.subject) };
}

/** The delivered audit lines as [channel, reason]. */
function deliveredLines(project: Project): [string, string][] {
  return project.audit().filter((e) => e.event === 'delivered').map((e) => [e.channel as string, e.reason as string]);
}


test('trigger, then a --key silence, then the key stops matching: the resolved notice still reaches email and Slack', async () => {
  const { T, project, logon } = await resolveProject();
  await logon(T - 30_000, 'root');
  await runOkAt(project, T);
  assert.deepEqual(received(), { slack: ['Logon root on dc01'], mail: ['Logon root on dc01'] });

  await runOkAt(project, T + 10_000, ['silence', 'add', 'logons', '--key', 'root', '--for', '1h', '--comment', 'maintenance', '--author', 'alice']);
  await runOkAt(project, T + MIN);
  assert.deepEqual(received(), { slack: ['Logon root on dc01', 'Resolved: Logon root on dc01'], mail: ['Logon root on dc01', 'Resolved: Logon root on dc01'] }, 'the silence holds no resolve back');
  assert.deepEqual(project.audit().filter((e) => e.event === 'muted'), []);
  assert.deepEqual(project.state().pending, []);

  // The silence still mutes the key's next occurrence, and no resolve follows one that was never told.
  await logon(T + 3 * MIN - 30_000, 'root');
  await runOkAt(project, T + 3 * MIN);
  await runOkAt(project, T + 4 * MIN);
  assert.equal(received().slack.length, 2, 'nothing more while silenced');
});

test('trigger, then ack, then the key stops matching: the resolved notice reaches both channels', async () => {
  const { T, project, logon } = await resolveProject();
  await logon(T - 30_000, 'svc-backup');
  await runOkAt(project, T);
  await runOkAt(project, T + 10_000, ['ack', 'logons', '--key', 'svc-backup', '--by', 'bob']);
  await logon(T + MIN - 30_000, 'svc-backup');
  await runOkAt(project, T + MIN);
  assert.deepEqual(received().slack, ['Logon svc-backup on dc01'], 'acknowledged: no repeat');
  await runOkAt(project, T + 2 * MIN);
  assert.deepEqual(received(), { slack: ['Logon svc-backup on dc01', 'Resolved: Logon svc-backup on dc01'], mail: ['Logon svc-backup on dc01', 'Resolved: Logon svc-backup on dc01'] });
  assert.deepEqual(deliveredLines(project).filter(([, reason]) => reason === 'resolved').sort(), [['soc-email', 'resolved'], ['soc-slack', 'resolved']]);
});

test('an escalation tier\'s channel that got the page gets the resolved notice too, even under a --match silence', async () => {
  const { T, project, logon } = await resolveProject({ notify: ['soc-slack'], escalation: [{ after: '0s', notify: ['soc-email'] }] });
  await logon(T - 30_000, 'admin', 'dc02');
  await runOkAt(project, T);
  assert.deepEqual(received(), { slack: ['Logon admin on dc02'], mail: ['[tier-1] Logon admin on dc02'] });

  await runOkAt(project, T + 10_000, ['silence', 'add', 'logons', '--match', 'host.name=dc02', '--for', '1h', '--comment', 'rebuild', '--author', 'carol']);
  await runOkAt(project, T + MIN);
  assert.deepEqual(received(), { slack: ['Logon admin on dc02', 'Resolved: Logon admin on dc02'], mail: ['[tier-1] Logon admin on dc02', 'Resolved: Logon admin on dc02'] });
  assert.deepEqual(deliveredLines(project).map(([c, r]) => `${c}:${r}`).sort(), ['soc-email:resolved', 'soc-email:tier-1', 'soc-slack:first', 'soc-slack:resolved']);
});

test('a channel with send_resolved: false gets the trigger but not the resolve; the skip is audited', async () => {
  const { T, project, logon } = await resolveProject({}, { 'soc-slack': { send_resolved: false } });
  const check = await project.run(['validate']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  await logon(T - 30_000, 'root');
  await runOkAt(project, T);
  await runOkAt(project, T + MIN);
  assert.deepEqual(received(), { slack: ['Logon root on dc01'], mail: ['Logon root on dc01', 'Resolved: Logon root on dc01'] });
  assert.deepEqual(project.audit().filter((e) => e.event === 'resolve_skipped').map(({ alert, key, channel, why }) => ({ alert, key, channel, why })), [{ alert: 'logons', key: 'root', channel: 'soc-slack', why: 'send_resolved is false' }]);
});

test('send_resolved that is not true or false is refused by validate, naming the file and the place', async () => {
  const { project } = await resolveProject({}, { 'soc-slack': { send_resolved: 'yes' } });
  const check = await project.run(['validate']);
  assert.notEqual(check.code, 0);
  assert.match(check.stdout + check.stderr, /alertcron\.yaml:\d+:\d+ \/channels\/soc-slack\/send_resolved: must be a boolean\n/);
});

test('a channel told only in an earlier episode is not told of the next one\'s end', async () => {
  const { T, project, logon } = await resolveProject();
  // Episode 1: both channels told, both resolved.
  await logon(T - 30_000, 'root');
  await runOkAt(project, T);
  await runOkAt(project, T + MIN);
  assert.deepEqual(received(), { slack: ['Logon root on dc01', 'Resolved: Logon root on dc01'], mail: ['Logon root on dc01', 'Resolved: Logon root on dc01'] });

  // Episode 2: the mail server refuses the notice for good, so only Slack is told this time.
  world.smtp.refuseWith = 550;
  await logon(T + 5 * MIN - 30_000, 'root');
  const refused = await project.run(['run'], { ALERTCRON_NOW: iso(T + 5 * MIN) });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /soc-email/);
  world.smtp.refuseWith = undefined;
  await runOkAt(project, T + 6 * MIN);
  assert.deepEqual(received(), {
    slack: ['Logon root on dc01', 'Resolved: Logon root on dc01', 'Logon root on dc01', 'Resolved: Logon root on dc01'],
    mail: ['Logon root on dc01', 'Resolved: Logon root on dc01'],
  }, 'the mail channel, told only of episode 1, gets no second resolve');
});

test('a channel removed from alertcron.yaml after the trigger is skipped with an audit line; the others get the resolve', async () => {
  const { T, project, config, definition, logon } = await resolveProject();
  await logon(T - 30_000, 'root');
  await runOkAt(project, T);
  const { 'soc-email': _removed, ...channels } = config.channels;
  project.writeConfig({ ...config, channels });
  project.writeAlert('logons', { ...definition, notify: ['soc-slack'] });
  await runOkAt(project, T + MIN);
  assert.deepEqual(received(), { slack: ['Logon root on dc01', 'Resolved: Logon root on dc01'], mail: ['Logon root on dc01'] });
  assert.deepEqual(project.audit().filter((e) => e.event === 'resolve_skipped').map(({ channel, why }) => ({ channel, why })), [{ channel: 'soc-email', why: 'channel no longer configured in alertcron.yaml' }]);
});

test('a channel dropped from the alert\'s notify but still configured still gets the end of what it was told', async () => {
  const { T, project, definition, logon } = await resolveProject();
  await logon(T - 30_000, 'root');
  await runOkAt(project, T);
  project.writeAlert('logons', { ...definition, notify: ['soc-slack'] });
  await runOkAt(project, T + MIN);
  assert.deepEqual(received(), { slack: ['Logon root on dc01', 'Resolved: Logon root on dc01'], mail: ['Logon root on dc01', 'Resolved: Logon root on dc01'] });
});

test('an ask alert\'s escalation channel that got the escalation gets the resolved notice', async () => {
  const { T, index, project, run } = await askProject(world, askServers, { ask: { escalate: ['soc-bot'] }, alert: { resolve_after: 1 } });
  const posted = () => askServers.slack.channels.get('C0ALERTS')!.map((m) => m.text.split('\n')[0]);
  // mallory is unknown to Slack: the finding escalates at once to the escalation channel.
  await indexDocs(world.esUrl, index, [sudo(T - 30_000, 'mallory')]);
  await run(T);
  assert.deepEqual(posted().filter((line) => /mallory/.test(line!)).length, 1, posted().join('\n'));
  await run(T + MIN);
  assert.ok(posted().some((line) => /^Resolved: sudo by mallory on db-3/.test(line!)), posted().join('\n'));
  assert.deepEqual(world.smtp.messages, [], 'the alert\'s notify channel was told nothing, so it gets no resolve either');
  assert.deepEqual(deliveredLines(project).map(([c, r]) => `${c}:${r}`), ['soc-bot:ask-unknown_person', 'soc-bot:resolved']);
});

for (const backend of ['file', 'cluster'] as const) {
  test(`a resolve Slack refused, still pending when the key fires again, is dropped (${backend} state): the retry cannot close the new incident`, async () => {
    const { T, project, config, logon } = await resolveProject({ notify: ['soc-slack'] });
    const stateIndex = `alertcron-state-resolve-${Math.random().toString(36).slice(2, 8)}`;
    if (backend === 'cluster') project.writeConfig({ ...config, state: { backend: 'cluster', index: stateIndex, host_id: 'host-a', lock_wait: '4s' } });
    const pendingReasons = async (): Promise<string[]> => {
      if (backend === 'file') return project.state().pending.map((p: { reason: string }) => p.reason);
      await fetch(`${world.esUrl}/${stateIndex}/_refresh`, { method: 'POST' });
      const found = (await (await fetch(`${world.esUrl}/${stateIndex}/_search?size=1000`)).json()) as { hits: { hits: { _id: string; _source: { body: { reason: string } } }[] } };
      return found.hits.hits.filter((h) => h._id.startsWith('pending:')).map((h) => h._source.body.reason);
    };
    try {
      await logon(T - 30_000, 'root');
      await runOkAt(project, T);
      // The key stops matching; Slack fails the resolve (5xx) all run long, so it stays pending.
      world.slack.behaviour = 'server-error';
      const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
      assert.notEqual(failed.code, 0);
      assert.deepEqual(await pendingReasons(), ['resolved']);
      // It fires again: its trigger is queued, and the old resolve goes, with an audit line, before anything is sent.
      world.slack.behaviour = 'ok';
      await logon(T + 2 * MIN - 30_000, 'root');
      await runOkAt(project, T + 2 * MIN);
      assert.deepEqual(received().slack, ['Logon root on dc01', 'Logon root on dc01'], 'no resolve beside the reopened incident');
      assert.deepEqual(project.audit().filter((e) => e.event === 'resolve_dropped').map(({ alert, key, channel }) => ({ alert, key, channel })), [{ alert: 'logons', key: 'root', channel: 'soc-slack' }]);
      assert.deepEqual(await pendingReasons(), []);
      // The new episode's own resolve closes it.
      await runOkAt(project, T + 3 * MIN);
      assert.deepEqual(received().slack, ['Logon root on dc01', 'Logon root on dc01', 'Resolved: Logon root on dc01']);
    } finally {
      if (backend === 'cluster') await fetch(`${world.esUrl}/${stateIndex}`, { method: 'DELETE' }).catch(() => undefined);
    }
  });
}

for (const change of ['disabled', 'deleted'] as const) {
  test(`a resolve Slack refused, then its alert ${change}: the retry still closes what Slack was told`, async () => {
    const { T, project, definition, logon } = await resolveProject({ notify: ['soc-slack'] });
    await logon(T - 30_000, 'root');
    await runOkAt(project, T);
    world.slack.behaviour = 'server-error';
    const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
    assert.notEqual(failed.code, 0);
    world.slack.behaviour = 'ok';
    if (change === 'disabled') project.writeAlert('logons', { ...definition, enabled: false });
    else rmSync(join(project.dir, 'alerts', 'logons.yaml'));
    await runOkAt(project, T + 2 * MIN);
    assert.deepEqual(received().slack, ['Logon root on dc01', 'Resolved: Logon root on dc01']);
    assert.deepEqual(project.audit().filter((e) => e.event === 'muted'), []);
    assert.deepEqual(project.state().pending, []);
  });
}

test('an ask alert\'s escalation of a key that fired again takes out its resolve still pending on that channel', async () => {
  const { T, index, project, run } = await askProject(world, askServers, { ask: { escalate: ['soc-bot'] }, alert: { resolve_after: 1 } });
  const posted = () => askServers.slack.channels.get('C0ALERTS')!.map((m) => m.text.split('\n')[0]!).filter((line) => /trudy/.test(line));
  await indexDocs(world.esUrl, index, [sudo(T - 30_000, 'trudy')]);
  await run(T);
  assert.equal(posted().length, 1, posted().join('\n'));
  // The key stops matching; Slack fails the resolve, so it stays pending.
  askServers.slack.failing.set('chat.postMessage', 'internal_error');
  const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.notEqual(failed.code, 0, failed.stderr);
  assert.deepEqual(project.state().pending.map((p: { reason: string }) => p.reason), ['resolved']);
  askServers.slack.failing.delete('chat.postMessage');
  // trudy again: the escalation is queued, the old resolve goes (audited), and Slack is told of the new episode only.
  await indexDocs(world.esUrl, index, [sudo(T + 2 * MIN - 30_000, 'trudy')]);
  await run(T + 2 * MIN);
  assert.ok(!posted().some((line) => /^Resolved:/.test(line)), posted().join('\n'));
  assert.equal(posted().length, 2, posted().join('\n'));
  assert.deepEqual(project.audit().filter((e) => e.event === 'resolve_dropped').map(({ channel }) => channel), ['soc-bot']);
  assert.deepEqual(project.state().pending, []);
});

test('a key that flaps while Slack is down: the resolve taken out for the new trigger is owed, so the close still reaches Slack when that trigger is never sent', async () => {
  const { T, project, logon } = await resolveProject({ notify: ['soc-slack'] });
  await logon(T - 30_000, 'root');
  await runOkAt(project, T);
  world.slack.behaviour = 'server-error';
  // Gone: its resolve fails and stays pending. Back again: the resolve is taken out for the new trigger, which fails too.
  assert.notEqual((await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) })).code, 0);
  await logon(T + 2 * MIN - 30_000, 'root');
  assert.notEqual((await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) })).code, 0);
  assert.deepEqual(project.state().pending.map((p: { reason: string }) => p.reason), ['first']);
  // Gone again before Slack is back: the trigger is muted as resolved since queued, and the resolve closes the incident.
  world.slack.behaviour = 'ok';
  await runOkAt(project, T + 3 * MIN);
  await runOkAt(project, T + 4 * MIN);
  assert.deepEqual(received().slack, ['Logon root on dc01', 'Resolved: Logon root on dc01']);
  assert.deepEqual(project.state().pending, []);
});
