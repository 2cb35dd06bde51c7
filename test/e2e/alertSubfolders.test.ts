import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import type { Project } from '../support/project.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** Writes an alert file at a path below alerts/ (folders made as needed). */
function writeAlertAt(project: Project, relative: string, alert: Record<string, unknown> | string): void {
  const path = join(project.dir, 'alerts', relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof alert === 'string' ? alert : stringify(alert));
}

/** A count alert over one index that mails each logon's user. */
function logonAlert(index: string, title: string): Record<string, unknown> {
  return { index, query: { query: { match_all: {} } }, condition: { type: 'count', gte: 1 }, group_by: 'winlog.event_data.TargetUserName', throttle: '30m', notify: ['soc-email'], title: `${title}: {{key}}` };
}

test('alert files in subfolders of alerts/ are alerts named by their file: run, --only, test, list, silence, ack and status take the name', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('subfolders');
  const project = world.project();
  writeAlertAt(project, 'top.yaml', logonAlert(index, 'Top'));
  writeAlertAt(project, 'auth/ssh.yaml', logonAlert(index, 'SSH'));
  writeAlertAt(project, 'web/deep/er/errors.yml', logonAlert(index, 'Errors'));
  // Hidden folders (a checkout's .git) and a state/ folder are not alerts.
  writeAlertAt(project, '.git/hooks.yaml', 'not: an alert\n');
  writeAlertAt(project, 'state/backup.yaml', 'not: an alert\n');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'alice')]);

  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stdout, /^OK: 3 alert\(s\) valid/m);
  const list = await project.run(['list']);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(list.stdout.trim().split('\n').map((line) => line.split(/\s+/)[0]).sort(), ['errors', 'ssh', 'top']);

  const only = await project.run(['run', '--only', 'ssh'], { ALERTCRON_NOW: iso(T) });
  assert.equal(only.code, 0, only.stderr);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['SSH: alice']);
  const tested = await project.run(['test', 'errors'], { ALERTCRON_NOW: iso(T) });
  assert.equal(tested.code, 0, tested.stderr);
  assert.match(tested.stdout, /alice/);

  const silence = await project.run(['silence', 'add', 'errors', '--for', '1h', '--comment', 'maintenance']);
  assert.equal(silence.code, 0, silence.stderr);
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject).sort(), ['SSH: alice', 'Top: alice'], 'errors is silenced; ssh was told already');
  const ack = await project.run(['ack', 'ssh', '--key', 'alice']);
  assert.equal(ack.code, 0, ack.stderr);
  const status = await project.run(['status']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /errors/);
  assert.ok(project.state().alerts.ssh.keys.alice, 'the state keeps the alert by its name');
});

test('two alert files with one name in different folders are a problem naming both; the first stays an alert', async () => {
  const project = world.project();
  const index = await world.index('subfolders-dup');
  writeAlertAt(project, 'team-a/logons.yaml', logonAlert(index, 'A'));
  writeAlertAt(project, 'team-b/logons.yaml', logonAlert(index, 'B'));
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 2);
  assert.match(validate.stderr, /^alerts\/team-b\/logons\.yaml: another file already defines alert "logons" \(alerts\/team-a\/logons\.yaml\): the file name is the alert's name in every folder, rename one$/m);
  assert.match(validate.stdout + validate.stderr, /1 alert\(s\) valid/);
});

test('folders too deep are named, not skipped silently; a link to a folder is read once, a link loop does not hang', async () => {
  const project = world.project();
  const index = await world.index('subfolders-deep');
  writeAlertAt(project, 'a/b/c/d/e/f/g/h/eight.yaml', logonAlert(index, 'Eight'));
  writeAlertAt(project, 'a/b/c/d/e/f/g/h/i/nine.yaml', logonAlert(index, 'Nine'));
  mkdirSync(join(project.dir, 'shared'));
  writeFileSync(join(project.dir, 'shared', 'linked.yaml'), stringify(logonAlert(index, 'Linked')));
  symlinkSync(join(project.dir, 'shared'), join(project.dir, 'alerts', 'shared'));
  symlinkSync(join(project.dir, 'alerts'), join(project.dir, 'alerts', 'a', 'loop'));
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 2);
  assert.equal(validate.stderr.trim().split('\n').filter((l) => l.startsWith('alerts/')).join('\n'), 'alerts/a/b/c/d/e/f/g/h/i: more than 8 folders below the alerts folder: its alert files are not read (move them up)');
  assert.match(validate.stdout + validate.stderr, /2 alert\(s\) valid/);
  const list = await project.run(['list']);
  assert.match(list.stdout, /^alerts\/a\/b\/c\/d\/e\/f\/g\/h\/i {2}\(INVALID: run alertcron validate\)$/m, 'list names the folder it did not read');
  assert.deepEqual(list.stdout.trim().split('\n').filter((line) => !line.startsWith('alerts/')).map((line) => line.split(/\s+/)[0]).sort(), ['eight', 'linked']);
});

test('a hidden folder or a folder named state that holds YAML files is skipped with one warning each; .git and folders without YAML are not', async () => {
  const project = world.project();
  const index = await world.index('subfolders-hidden');
  writeAlertAt(project, 'team/shown.yaml', logonAlert(index, 'Shown'));
  writeAlertAt(project, '.old/rules/forgotten.yaml', logonAlert(index, 'Forgotten'));
  writeAlertAt(project, 'state/kept.yml', logonAlert(index, 'Kept'));
  writeAlertAt(project, '.git/hooks/config.yaml', 'not: an alert\n');
  mkdirSync(join(project.dir, 'alerts', '.cache'));
  writeFileSync(join(project.dir, 'alerts', '.cache', 'x.json'), '{}');
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.deepEqual(validate.stderr.trim().split('\n').sort(), [
    'alerts/.old: warning: a hidden folder is not read: the YAML files in it are not alerts (move them to a folder of another name if they are)',
    'alerts/state: warning: a folder named state is not read: the YAML files in it are not alerts (move them to a folder of another name if they are)',
  ]);
  assert.match(validate.stdout, /1 alert\(s\) valid.*; 2 warning\(s\)/);
});

test('the parse cache sees a new, a changed and a removed file in a subfolder on the next run', async () => {
  const project = world.project();
  const index = await world.index('subfolders-cache');
  writeAlertAt(project, 'team/one.yaml', logonAlert(index, 'One'));
  const names = async () => {
    const list = await project.run(['list']);
    return list.stdout.trim().split('\n').map((line) => line.split(/\s+/).slice(0, 4).join(' ')).sort();
  };
  assert.deepEqual(await names(), ['one every 1m count']);
  writeAlertAt(project, 'team/sub/two.yaml', logonAlert(index, 'Two'));
  assert.deepEqual(await names(), ['one every 1m count', 'two every 1m count']);
  writeAlertAt(project, 'team/sub/two.yaml', { ...logonAlert(index, 'Two'), every: '5m' });
  assert.deepEqual(await names(), ['one every 1m count', 'two every 5m count']);
  rmSync(join(project.dir, 'alerts', 'team', 'sub', 'two.yaml'));
  assert.deepEqual(await names(), ['one every 1m count']);
  writeAlertAt(project, 'team/one.yaml', { ...logonAlert(index, 'One'), condition: { type: 'count', gte: 'many' } });
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 2);
  assert.match(validate.stderr, /^alerts\/team\/one\.yaml:\d+:\d+ \/condition\/gte: must be a number$/m);
});
