// An alert that cannot fire says so in production: cron's plain `run` tells it on stderr once a day, in the audit
// log, in `status` and to the monitoring channels, and says it fixed when it is gone; the exit code stays 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkProperty, fc } from '../support/property.js';
import { createIndex, indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { defaultConfig } from '../support/project.js';
import { startBulkFaultProxy } from '../support/bulkFaultProxy.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const world = useWorld();

/** A project whose monitoring notices go to the SMTP sink, with one alert. */
function projectWith(name: string, alert: Record<string, unknown>) {
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), monitoring: { notify: ['soc-email'] } });
  project.writeAlert(name, { condition: { type: 'any' }, notify: ['soc-slack'], ...alert });
  return project;
}

/** Runs `alertcron run` at a time; it must exit 0 whatever it tells. */
async function runAt(project: ReturnType<typeof projectWith>, at: number): Promise<string> {
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(at) });
  assert.equal(result.code, 0, result.stderr);
  return result.stderr;
}

const told = (stderr: string, alert: string) => stderr.split('\n').filter((line) => line.startsWith(`warning: alert ${alert} cannot fire: `) || line.startsWith(`warning: alert ${alert} notifies with empty template fields: `));
const subjects = () => world.smtp.messages.map((m) => m.subject);

test('an index pattern that matches no index is told after an hour, once a day, in status, the audit log and by mail, and told fixed', async () => {
  const T = uniqueBaseTime();
  const suffix = Math.random().toString(36).slice(2, 8);
  const pattern = `problems-late-${suffix}*`;
  const project = projectWith('nowhere', { index: pattern });
  // The first hour says nothing: a daily index may not exist yet at midnight.
  assert.equal(await runAt(project, T), '');
  assert.equal(await runAt(project, T + 30 * MIN), '');
  assert.deepEqual(subjects(), []);
  const first = await runAt(project, T + HOUR);
  assert.deepEqual(told(first, 'nowhere'), [
    `warning: alert nowhere cannot fire: index pattern "${pattern}" matches no index, alias or data stream on the cluster: the alert searches nothing (check the name, or create the index) (seen since ${iso(T)}; said again once a day while it lasts)`,
  ]);
  assert.equal(first.trim().split('\n').length, 1, first);
  assert.deepEqual(subjects(), ['alertcron: alert nowhere cannot fire']);
  assert.match(world.smtp.messages[0]!.raw, /index pattern "problems-late-\w+\*" matches no index/);
  // Not again the same day.
  assert.equal(await runAt(project, T + 2 * HOUR), '');
  assert.equal(await runAt(project, T + 23 * HOUR), '');
  assert.deepEqual(subjects(), ['alertcron: alert nowhere cannot fire']);
  const audit = project.audit().filter((e) => e.event.startsWith('alert_problem'));
  assert.deepEqual(audit.map((e) => [e.event, e.alert, e.problem, e.since]), [['alert_problem', 'nowhere', 'index', iso(T)]]);

  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + 23 * HOUR) });
  assert.match(status.stdout, new RegExp(`^ {2}cannot fire \\(index, since ${iso(T).replace(/[.]/g, '\\.')}, told ${iso(T + HOUR).replace(/[.]/g, '\\.')}\\): index pattern "problems-late-\\w+\\*" matches no index`, 'm'));
  const json = JSON.parse((await project.run(['status', '--json'], { ALERTCRON_NOW: iso(T + 23 * HOUR) })).stdout);
  const alert = json.alerts.find((a: { name: string }) => a.name === 'nowhere');
  assert.deepEqual(alert.problems.map((p: Record<string, unknown>) => [p.kind, p.since, p.told]), [['index', iso(T), iso(T + HOUR)]]);

  // Again the next day.
  assert.equal(told(await runAt(project, T + HOUR + DAY), 'nowhere').length, 1);
  assert.deepEqual(subjects(), ['alertcron: alert nowhere cannot fire', 'alertcron: alert nowhere cannot fire']);

  // The index appears: told fixed (audit, mail), not on stderr, and gone from status.
  await createIndex(world.esUrl, `problems-late-${suffix}-1`);
  try {
    assert.equal(await runAt(project, T + 2 * HOUR + DAY), '');
    assert.deepEqual(subjects().slice(2), ['alertcron: alert nowhere can fire again']);
    assert.deepEqual(project.audit().filter((e) => e.event.startsWith('alert_problem')).map((e) => e.event), ['alert_problem', 'alert_problem', 'alert_problem_fixed']);
    const after = JSON.parse((await project.run(['status', '--json'], { ALERTCRON_NOW: iso(T + 2 * HOUR + DAY) })).stdout);
    assert.deepEqual(after.alerts.find((a: { name: string }) => a.name === 'nowhere').problems, []);
  } finally {
    await fetch(`${world.esUrl}/problems-late-${suffix}-1`, { method: 'DELETE' });
  }
});

test('hits none of which has a group_by value are told after an hour of runs showing it, and told fixed once a key shows', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('problems-nokey');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'alice'), logonEvent(T + 29 * MIN, 'bob'), logonEvent(T + 59 * MIN, 'carol')]);
  const project = projectWith('by-user', { index, group_by: 'user.name' });
  assert.equal(await runAt(project, T), '');
  assert.equal(await runAt(project, T + 30 * MIN), '');
  const stderr = await runAt(project, T + HOUR);
  assert.deepEqual(told(stderr, 'by-user'), [
    `warning: alert by-user cannot fire: 1 event(s) matched in the window, none with a value in group_by user.name: they belong to no key, so nothing can fire (is the field named as the events name it, and mapped as keyword, not text?) (seen since ${iso(T)}; said again once a day while it lasts)`,
  ]);
  assert.deepEqual(subjects(), ['alertcron: alert by-user cannot fire']);
  // A quiet window proves nothing either way; the same day says nothing more.
  assert.equal(await runAt(project, T + 2 * HOUR), '');
  await indexDocs(world.esUrl, index, [{ ...logonEvent(T + 2 * HOUR + MIN, 'dave'), user: { name: 'dave' } }]);
  assert.equal(await runAt(project, T + 2 * HOUR + 2 * MIN), '');
  assert.deepEqual(subjects(), ['alertcron: alert by-user cannot fire', 'alertcron: alert by-user can fire again']);
  assert.deepEqual(project.audit().filter((e) => e.event.startsWith('alert_problem')).map((e) => [e.event, e.problem]), [['alert_problem', 'group_by'], ['alert_problem_fixed', 'group_by']]);
});

test('alerts fused into one search over a pattern that matches nothing are each told (a buckets condition among them finds no bucket, not a failed search); a buckets condition whose terms field no hit has is told', async () => {
  const T = uniqueBaseTime();
  const pattern = `problems-none-${Math.random().toString(36).slice(2, 8)}-*`;
  const index = await world.index('problems-buckets');
  // Three runs over the hour show each problem (two an hour apart would not be evidence enough).
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'alice'), logonEvent(T + 29 * MIN, 'bob'), logonEvent(T + 59 * MIN, 'bob')]);
  const project = projectWith('nowhere-a', { index: pattern });
  project.writeAlert('nowhere-b', { index: pattern, condition: { type: 'count', gte: 3 }, notify: ['soc-slack'] });
  project.writeAlert('nowhere-c', { index: pattern, query: { aggs: { by_ip: { terms: { field: 'source.ip' } } } }, condition: { type: 'buckets', path: 'by_ip', gte: 1 }, notify: ['soc-slack'] });
  project.writeAlert('per-user', { index, query: { aggs: { by_user: { terms: { field: 'user.name' } } } }, condition: { type: 'buckets', path: 'by_user', gte: 1 }, notify: ['soc-slack'] });
  const first = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).clusterRequests, 1, 'one _msearch (the two alerts over the pattern fused into one search of it)');
  assert.equal(await runAt(project, T + 30 * MIN), '');
  const stderr = await runAt(project, T + HOUR);
  assert.deepEqual(stderr.trim().split('\n').sort(), [
    `warning: alert nowhere-a cannot fire: index pattern "${pattern}" matches no index, alias or data stream on the cluster: the alert searches nothing (check the name, or create the index) (seen since ${iso(T)}; said again once a day while it lasts)`,
    `warning: alert nowhere-b cannot fire: index pattern "${pattern}" matches no index, alias or data stream on the cluster: the alert searches nothing (check the name, or create the index) (seen since ${iso(T)}; said again once a day while it lasts)`,
    `warning: alert nowhere-c cannot fire: index pattern "${pattern}" matches no index, alias or data stream on the cluster: the alert searches nothing (check the name, or create the index) (seen since ${iso(T)}; said again once a day while it lasts)`,
    `warning: alert per-user cannot fire: 1 event(s) matched in the window, but the aggregation "by_user" (condition path) has no bucket: its field is in no hit, so nothing can fire (is the field named as the events name it, and mapped as keyword?) (seen since ${iso(T)}; said again once a day while it lasts)`,
  ]);
  assert.deepEqual(subjects().sort(), ['alertcron: alert nowhere-a cannot fire', 'alertcron: alert nowhere-b cannot fire', 'alertcron: alert nowhere-c cannot fire', 'alertcron: alert per-user cannot fire']);
  await indexDocs(world.esUrl, index, [{ ...logonEvent(T + HOUR + MIN, 'carol'), user: { name: 'carol' } }]);
  assert.equal(await runAt(project, T + HOUR + 2 * MIN), '');
  assert.deepEqual(subjects().slice(4), ['alertcron: alert per-user can fire again']);
});

test('a timestamp_field no event has is found by the daily field check: told at once, not again that day, again the next', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('problems-time');
  await indexDocs(world.esUrl, index, [logonEvent(T - DAY, 'alice'), logonEvent(T - MIN, 'bob')]);
  const project = projectWith('misnamed', { index, timestamp_field: 'event.created' });
  project.writeAlert('quiet', { index, condition: { type: 'any' }, query: { query: { term: { 'host.name': 'nowhere' } } }, notify: ['soc-slack'] });
  project.writeAlert('fine', { index, condition: { type: 'any' }, notify: ['soc-slack'] });
  const first = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.stderr.trim().split('\n'), [
    `warning: alert misnamed cannot fire: no event in the indices matching "${index}" has a value in timestamp_field "event.created": the time window matches nothing (name the field the events carry their time in, e.g. @timestamp) (seen since ${iso(T)}; said again once a day while it lasts)`,
  ]);
  const report = JSON.parse(first.stdout);
  assert.equal(report.fieldCheckRequests, 1, 'one _msearch checks every alert that found nothing (misnamed, quiet), none that found something (fine)');
  assert.equal(report.clusterRequests, 1, 'the run\'s own searches are counted apart');
  assert.deepEqual(subjects(), ['alertcron: alert misnamed cannot fire']);
  // The same day: no check, nothing said.
  const second = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + 5 * MIN) });
  assert.equal(second.stderr, '');
  assert.equal(JSON.parse(second.stdout).fieldCheckRequests, undefined);
  // The next day: checked and told again.
  const third = await project.run(['run'], { ALERTCRON_NOW: iso(T + DAY) });
  assert.equal(third.code, 0, third.stderr);
  assert.equal(told(third.stderr, 'misnamed').length, 1, third.stderr);
  assert.deepEqual(subjects(), ['alertcron: alert misnamed cannot fire', 'alertcron: alert misnamed cannot fire']);
  const status = JSON.parse((await project.run(['status', '--json'], { ALERTCRON_NOW: iso(T + DAY) })).stdout);
  assert.deepEqual(status.alerts.find((a: { name: string }) => a.name === 'misnamed').problems.map((p: { kind: string }) => p.kind), ['timestamp_field']);
  assert.deepEqual(project.audit().filter((e) => e.event === 'alert_problem').map((e) => [e.alert, e.problem]), [['misnamed', 'timestamp_field'], ['misnamed', 'timestamp_field']]);
});

test('hits in the window stamp the time field as proven once in half a day, not at every run (each stamp rewrites the alert\'s state)', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('problems-stamp');
  // An event in the window of each run: at T, T + 5 min and T + 13 h (half a day after the first stamp and more).
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN / 2, 'alice'), logonEvent(T + 4 * MIN, 'bob'), logonEvent(T + 13 * HOUR - MIN / 2, 'carol')]);
  const project = projectWith('busy', { index, condition: { type: 'count', gte: 100 } });
  const stampAt = async (at: number) => {
    assert.equal(await runAt(project, at), '');
    return project.state().alerts.busy.fieldsCheckedAt;
  };
  assert.equal(await stampAt(T), T, 'the first hits stamp it');
  assert.equal(await stampAt(T + 5 * MIN), T, 'hits five minutes later leave the stamp (and the alert\'s state) as it was');
  assert.equal(await stampAt(T + 13 * HOUR), T + 13 * HOUR, 'hits more than half a day later stamp it again');
});

test('a field check whose search failed is not counted as done: tried again an hour later, not a day', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('problems-checkfail');
  await indexDocs(world.esUrl, index, [logonEvent(T - DAY, 'alice')]);
  const proxy = await startBulkFaultProxy(world.esUrl);
  try {
    let failChecks = true;
    // The field check's own search (its aggregation's name is in the body) fails; the run's own searches pass.
    proxy.cut = (r) => (failChecks && r.body.includes('alertcron_newest') ? { status: 503, body: '{"error":"busy"}' } : undefined);
    const project = world.project();
    project.writeConfig({ ...defaultConfig({ esUrl: proxy.url, smtpPort: world.smtp.port, slackUrl: world.slack.url }), monitoring: { notify: ['soc-email'] } });
    project.writeAlert('misnamed', { index, timestamp_field: 'event.created', condition: { type: 'any' }, notify: ['soc-slack'] });
    const checks = async (at: number) => {
      const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(at) });
      assert.equal(result.code, 0, result.stderr);
      return { requests: JSON.parse(result.stdout).fieldCheckRequests ?? 0, stderr: result.stderr };
    };
    assert.equal((await checks(T)).requests, 1);
    assert.equal(project.state().alerts.misnamed.fieldsCheckedAt, undefined, 'a failed check is not stamped as done');
    failChecks = false;
    assert.equal((await checks(T + 5 * MIN)).requests, 0, 'not retried every run');
    const retried = await checks(T + HOUR);
    assert.equal(retried.requests, 1, 'tried again an hour later');
    assert.equal(told(retried.stderr, 'misnamed').length, 1, retried.stderr);
  } finally {
    await proxy.close();
  }
});

test('a problem whose cause the user changed in the alert (a renamed timestamp_field) is forgotten at the next run, not kept in status until hits or a day', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('problems-renamed');
  await indexDocs(world.esUrl, index, [logonEvent(T - DAY, 'alice')]);
  const project = projectWith('misnamed', { index, timestamp_field: 'event.created' });
  assert.equal(told(await runAt(project, T), 'misnamed').length, 1);
  const problems = async (at: number) => JSON.parse((await project.run(['status', '--json'], { ALERTCRON_NOW: iso(at) })).stdout).alerts.find((a: { name: string }) => a.name === 'misnamed').problems.map((p: { kind: string }) => p.kind);
  assert.deepEqual(await problems(T), ['timestamp_field']);
  // Unchanged: a quiet minute keeps it.
  assert.equal(await runAt(project, T + MIN), '');
  assert.deepEqual(await problems(T + MIN), ['timestamp_field']);
  // The user names the right field; the next minute is quiet (no hit proves the field) and no check is due.
  project.writeAlert('misnamed', { index, timestamp_field: '@timestamp', condition: { type: 'any' }, notify: ['soc-slack'] });
  assert.equal(await runAt(project, T + 2 * MIN), '');
  assert.deepEqual(await problems(T + 2 * MIN), []);
  assert.deepEqual(project.audit().filter((e) => e.event === 'alert_problem_forgotten').map((e) => [e.alert, e.problem]), [['misnamed', 'timestamp_field']]);
});

test('a template path no finding has is told once it has lasted an hour of findings, and fixed when a finding has it', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('problems-template');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'alice'), logonEvent(T + 29 * MIN, 'bob'), logonEvent(T + 59 * MIN, 'bob')]);
  const project = projectWith('logons', { index, title: 'Logon by {{winlog.event_data.TargetUsr}}' });
  assert.equal(await runAt(project, T), '');
  assert.equal(await runAt(project, T + 30 * MIN), '');
  const stderr = await runAt(project, T + HOUR);
  assert.deepEqual(told(stderr, 'logons'), [
    `warning: alert logons notifies with empty template fields: title {{winlog.event_data.TargetUsr}}: none of the 1 finding(s) has it, so notices show it empty (check the field's name: alertcron test logons lists the fields) (seen since ${iso(T)}; said again once a day while it lasts)`,
  ]);
  assert.deepEqual(subjects(), ['alertcron: alert logons notifies with empty template fields']);
  project.writeAlert('logons', { index, condition: { type: 'any' }, notify: ['soc-slack'], title: 'Logon by {{winlog.event_data.TargetUserName}}' });
  await indexDocs(world.esUrl, index, [logonEvent(T + HOUR + MIN, 'carol')]);
  assert.equal(await runAt(project, T + HOUR + 2 * MIN), '');
  assert.deepEqual(subjects(), ['alertcron: alert logons notifies with empty template fields', 'alertcron: alert logons fills its template fields again']);
});

test('generated events: the group_by problem is told exactly when no event of the hour has a value, on one clean line', async () => {
  const event = fc.record({
    user: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !/[.\s]|^_|^@|^user$/.test(k)), fc.string({ maxLength: 30 }), { maxKeys: 3 }),
  });
  await checkProperty(
    'group_by problem follows the events',
    fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 4 }), fc.array(event, { minLength: 1, maxLength: 4 }), fc.boolean(), async (drawnEarly, drawnLate, keyed) => {
      // Half the cases have no user at all (the problem), half at least one (a key: no problem).
      const strip = (events: typeof drawnEarly) => events.map((e) => ({ extra: e.extra }));
      const early = keyed ? drawnEarly : strip(drawnEarly);
      const late = keyed ? [{ ...drawnLate[0]!, user: drawnLate[0]!.user ?? '' }, ...drawnLate.slice(1)] : strip(drawnLate);
      const T = uniqueBaseTime();
      const index = await world.index('problems-gen');
      const doc = (at: number, e: { user?: string | undefined; extra: Record<string, string> }) => ({ ...e.extra, ...logonEvent(at, 'x'), ...(e.user !== undefined ? { user: { name: e.user } } : {}) });
      // The early events twice (three runs over the hour show them), the late ones last.
      await indexDocs(world.esUrl, index, [...early.map((e) => doc(T - MIN, e)), ...early.map((e) => doc(T + 29 * MIN, e)), ...late.map((e) => doc(T + 59 * MIN, e))]);
      const project = world.project();
      project.writeAlert('gen', { index, group_by: 'user.name', condition: { type: 'count', gte: 1000 }, notify: ['soc-slack'] });
      await runAt(project, T);
      await runAt(project, T + 30 * MIN);
      const stderr = await runAt(project, T + HOUR);
      const expected = keyed ? 0 : 1;
      assert.equal(told(stderr, 'gen').length, expected, stderr);
      assert.equal(stderr.split('\n').filter(Boolean).length, expected, stderr);
      assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(stderr));
    }),
    12,
  );
});
