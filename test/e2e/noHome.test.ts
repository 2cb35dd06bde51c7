// A command started with no home to find (HOME unset, no XDG_CACHE_HOME, a numeric uid without a passwd entry, as
// a container or a systemd unit may start it) runs without its caches instead of dying at start; XDG_CACHE_HOME alone
// is enough for them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, type CliResult, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const world = useWorld();

/** A uid that no passwd entry names (node's os.homedir() throws for it) when the tests run as root, else undefined. */
function uidWithoutPasswd(): number | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const taken = new Set(readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => Number(line.split(':')[2])));
  let uid = 54321;
  while (taken.has(uid)) uid++;
  return uid;
}

/** Gives a folder and everything in it to a uid. */
function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) chownTree(join(path, entry.name), uid);
    else chownSync(join(path, entry.name), uid, uid);
  }
}

/** Runs the CLI in the project with only PATH, NODE_ENV, the project's variables and `env`: no HOME, no XDG_CACHE_HOME. */
function runWithoutHome(project: Project, args: string[], uid: number | undefined, env: Record<string, string> = {}): Promise<CliResult> {
  if (uid !== undefined) chownTree(project.dir, uid);
  const child = spawn(process.execPath, [BIN, ...args], { cwd: project.dir, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...project.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(uid === undefined ? {} : { uid, gid: uid }) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('without HOME, XDG_CACHE_HOME or a passwd entry a run still notifies (uncached); with XDG_CACHE_HOME alone it caches there', async (t) => {
  const uid = uidWithoutPasswd();
  // Not root: no uid without a passwd entry can be used, os.homedir() finds the tester's home and caches land there.
  if (uid === undefined) return t.skip('needs root to run as a uid without a passwd entry');
  const T = uniqueBaseTime();
  const index = await world.index('no-home');
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'count', gte: 1 }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}' });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);

  const run = await runWithoutHome(project, ['run'], uid, { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.equal(world.smtp.messages.length, 1, 'the finding was mailed');
  assert.equal(project.state().alerts.admins.keys.root.fired, 1);
  assert.ok(!existsSync(join(project.dir, '.cache')), 'no cache folder was made anywhere in reach');

  // XDG_CACHE_HOME names the cache folder: no home is looked for, both caches are kept there.
  const cache = join(project.dir, '.cache');
  const validate = await runWithoutHome(project, ['validate'], uid, { XDG_CACHE_HOME: cache });
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stdout + validate.stderr, /1 alert\(s\) valid/);
  assert.equal(readdirSync(join(cache, 'alertcron')).filter((name) => name.endsWith('.json')).length, 1, 'the parse cache');
  assert.ok(readdirSync(join(cache, 'alertcron', 'code')).length > 0, 'the code caches');
});
