// Digests (issue 25 point 2): findings collected in the state over runs, one notice per period (and per value)
// with the summary table, on the digest channels only; throttle, silences and acks keep findings out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const USER = 'winlog.event_data.TargetUserName';
const world = useWorld();

/** A mail's text as sent (quoted-printable soft breaks joined). */
function mailText(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
}

/** A project with one `logons` alert keyed by user, to email (digested) and Slack (at once). */
function logonsProject(index: string, digest: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const project = world.project();
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: USER, notify: ['soc-email', 'soc-slack'], title: 'Logon by {{key}}', digest: { channels: ['soc-email'], ...digest }, ...extra });
  return project;
}

const env = (at: number) => ({ ALERTCRON_NOW: iso(at), SLACK_WEBHOOK_URL: world.slack.url });

test('digest every 10m: findings of several runs are collected and sent as one mail with every row at the end of the period; Slack still gets each notice at once; a throttled key is not counted again', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-digest');
  const project = logonsProject(index, { every: '10m', fields: [USER, 'host.name'] });
  // Minute m: a logon of user<m> on host dc0<m%2>; alice logs on at minutes 0 and 3 (the second is throttled).
  for (let m = 0; m <= 10; m++) {
    const docs = m < 6 ? [logonEvent(T + m * MIN - 30_000, `user${m}`, { host: `dc0${m % 2}` })] : [];
    if (m === 0 || m === 3) docs.push(logonEvent(T + m * MIN - 20_000, 'alice', { host: 'dc09' }));
    await indexDocs(world.esUrl, index, docs);
    const run = await project.run(['run'], env(T + m * MIN));
    assert.equal(run.code, 0, run.stderr);
    if (m < 10) assert.equal(world.smtp.messages.length, 0, `no mail before the period ends (minute ${m})`);
    if (m === 5) {
      const status = await project.run(['status'], env(T + m * MIN));
      assert.match(status.stdout, new RegExp(`open digest: 7 finding\\(s\\) in 7 row\\(s\\), 7 key\\(s\\), collecting since ${iso(T).replace(/\./g, '\\.')}, due ${iso(T + 10 * MIN).replace(/\./g, '\\.')}`));
      const json = JSON.parse((await project.run(['status', '--json'], env(T + m * MIN))).stdout);
      assert.deepEqual(json.alerts[0].digests, [{ per: null, from: iso(T), due: iso(T + 10 * MIN), findings: 7, rows: 7, omitted: 0, keys: 7 }]);
    }
  }
  assert.equal(world.slack.accepted().length, 7, 'Slack got user0..user5 and alice once, as they came');
  assert.equal(world.smtp.messages.length, 1, 'one digest mail');
  const mail = world.smtp.messages[0]!;
  assert.equal(mail.subject, 'logons: 7 findings in the last 10 minutes (7 keys)');
  const text = mailText(mail.raw);
  if (process.env.D1_SHOW) console.log(text);
  assert.match(text, /count {2}winlog\.event_data\.TargetUserName {2}host\.name/);
  for (let m = 0; m < 6; m++) assert.match(text, new RegExp(`\\n +1  user${m} +dc0${m % 2}\\r?\\n`));
  assert.match(text, /\n +1  alice +dc09/, 'alice counted once: her second logon was throttled');
  const state = project.state();
  assert.equal(state.alerts.logons.digests, undefined, 'the bucket left the state when its digest was queued');
  assert.deepEqual(state.pending, []);
  // The next period starts with the next finding, not before.
  await indexDocs(world.esUrl, index, [logonEvent(T + 14 * MIN - 30_000, 'zoe')]);
  assert.equal((await project.run(['run'], env(T + 14 * MIN))).code, 0);
  assert.equal(project.state().alerts.logons.digests[0].due, T + 24 * MIN);
});
