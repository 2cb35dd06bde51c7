// The status page as cron sees it, through bin/alertcron.js: its file mode under a strict umask, `status --html`
// silent on success, the page of a run that failed, and a page of many firing keys cut to a readable size.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** A project whose alert fires per user name, its page under www/ written by each run. */
async function pageProject(name: string) {
  const T = uniqueBaseTime();
  const index = await world.index(name);
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const p = world.project();
  const page = join(p.dir, 'www', 'status.html');
  const config = (esUrl: string) => ({ ...defaultConfig({ esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), monitoring: { status_page: page } });
  p.writeConfig(config(world.esUrl));
  p.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], throttle: '1h', title: 'Admin {{key}}' });
  return { T, p, page, index, config };
}

test('under umask 077 the page a run writes and the one status --html writes are 0644; status --html prints nothing unless --verbose', async () => {
  const { T, p, page } = await pageProject('status-umask');
  const byHand = join(p.dir, 'by-hand', 'status.html');
  const umask = process.umask(0o077);
  let ran, quiet, verbose;
  try {
    ran = await p.run(['run'], { ALERTCRON_NOW: iso(T) });
    quiet = await p.run(['status', '--html', byHand], { ALERTCRON_NOW: iso(T) });
    verbose = await p.run(['status', '--html', join(p.dir, 'verbose.html'), '--verbose'], { ALERTCRON_NOW: iso(T) });
  } finally {
    process.umask(umask);
  }
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(statSync(page).mode & 0o777, 0o644, 'the page a run wrote is readable by a web server');
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stderr, '', 'nothing on stderr: no cron mail');
  assert.equal(quiet.stdout, '');
  assert.equal(statSync(byHand).mode & 0o777, 0o644, 'the page status --html wrote is readable by a web server');
  assert.equal(verbose.code, 0, verbose.stderr);
  assert.match(verbose.stderr, /^status page written to .*verbose\.html$/m);
});
