// The status page's sections that need more than one chat: an open conversation of an ask alert waiting for Duo,
// and the hosts sharing a cluster state (with a hostile host id), each run's page opened in headless Chromium.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { askProject, conversationOf, sudo, useAskServers } from '../support/askProject.js';
import { browserSkipReason, openBrowser, type Browser } from '../support/browser.js';
import { HOSTILE_FIELDS } from '../support/hostileText.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useAskServers();
const skip = browserSkipReason();
const EVIL = HOSTILE_FIELDS.script;
let browser: Browser | undefined;
const stateIndices: string[] = [];
before(async () => {
  if (!skip) browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

/** One section of a page file as Chromium shows it: its rows' text (a screenshot kept under `name`), after checking nothing ran or broke. */
async function sectionRows(file: string, id: string, name: string): Promise<string[]> {
  assert.doesNotMatch(readFileSync(file, 'utf8'), /<script/i, 'no script in the page');
  if (!browser) {
    console.log(`browser part skipped: ${skip}`);
    const section = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    return [...section.matchAll(/<tr><td>/g)].map(() => '');
  }
  const page = await browser.open(file, { width: 1400, height: 900 });
  try {
    const rows = await page.evaluate<string[]>(`[...document.querySelectorAll('#${id} table tbody tr')].map((r) => r.innerText)`);
    assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined', 'nothing injected ran');
    assert.deepEqual(page.errors(), [], 'no console error or CSP violation');
    console.log(`screenshot: ${await page.screenshot(name)}`);
    return rows;
  } finally {
    await page.close();
  }
}

test('an ask alert\'s open conversation waiting for a Duo push is on the page written by the run: who is asked, on which chat, its state and the second factor', async () => {
  servers.duo.users.set('nina@example.org', { enrolled: true, push: 'allow' });
  const p = await askProject(world, servers);
  const page = join(p.project.dir, 'status.html');
  const config = JSON.parse(JSON.stringify((await import('yaml')).parse(readFileSync(join(p.project.dir, 'alertcron.yaml'), 'utf8'))));
  p.project.writeConfig({ ...config, monitoring: { status_page: page } });
  servers.slack.addUser('U0NINA', 'nina@example.org');
  await indexDocs(world.esUrl, p.index, [sudo(p.T - 30_000, 'nina')]);
  await p.run(p.T);
  servers.slack.say(servers.slack.dmOf('U0NINA'), 'U0NINA', 'yes');
  await p.run(p.T + MIN);
  assert.equal(conversationOf(p.project, 'nina').state, '2fa_pending');
  const rows = await sectionRows(page, 'conversations', 'status-page-conversations');
  assert.equal(rows.length, 1, 'one open conversation');
  if (browser) assert.match(rows[0]!, /sudo\s+nina\s+nina@example\.org\s+soc-bot\s+2fa_pending\s+nina@example\.org: waiting/);
});

test('with the cluster backend the page lists the hosts sharing the state (a hostile host id inert), their heartbeat, last run and partitions, and this host\'s own run history', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('status-page-hosts');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const shared = `alertcron-state-page-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(shared);
  const project = world.project();
  const page = join(project.dir, 'status.html');
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), run: { deadline: '10s' }, monitoring: { status_page: page }, state: { backend: 'cluster', index: shared, host_id: 'host-a', lease_ttl: '12s', max_clock_skew: '1s', lock_wait: '4s' } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}', throttle: '1h' });
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  // Another host's heartbeat, with an id an attacker chose.
  const now = Date.now();
  const record = { id: `evil ${EVIL}`, holder: 'x', lastSeen: now - 5_000, startedAt: now - 3_600_000, version: '1.2.3', lastRun: { startedAt: now - 8_000, finishedAt: now - 6_000, exitCode: 4, evaluated: 3, partitions: [1, 2, 3], coordinator: false } };
  const put = await fetch(`${world.esUrl}/${shared}/_doc/${encodeURIComponent(`host:${record.id}`)}?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'host', id: `host:${record.id}`, holder: record.holder, last_seen: record.lastSeen, body: record }) });
  assert.ok(put.ok, await put.text());
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);

  const json = JSON.parse((await project.run(['status', '--json'], { ALERTCRON_NOW: iso(T + MIN) })).stdout);
  assert.deepEqual(json.runs.map((r: { started: string }) => r.started), [iso(T + MIN), iso(T)], 'this host\'s history, newest first');
  const rows = await sectionRows(page, 'hosts', 'status-page-hosts');
  assert.equal(rows.length, 2, 'host-a and the other host');
  if (browser) {
    assert.ok(rows.some((r) => r.startsWith(`evil ${EVIL}\tlive`)), `the hostile host id is shown literally: ${rows.join(' | ')}`);
    assert.match(rows.find((r) => r.startsWith('evil'))!, /exit code 4, 3 alert\(s\), holding partitions 1-3 \(3\)/);
    assert.match(rows.find((r) => r.startsWith('host-a'))!, /^host-a\tlive\t[\s\S]*exit code 0, 1 alert\(s\), holding /);
  }
  assert.equal((await sectionRows(page, 'runs', 'status-page-hosts-runs')).length, 2, 'the page shows this host\'s runs');
});
