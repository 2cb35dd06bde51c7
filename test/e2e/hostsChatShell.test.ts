import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertHeldBy, hostRoles, keysOf, useHostPairs } from '../support/hostPair.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

// Acks and silences from the shell of either host, for alerts held by either host: a command holds no partition,
// so an ack is queued for the alert's holder (who applies it at its next run) and a silence is a shared document.
const world = useWorld();
const pairOf = useHostPairs(world);
const { coordinator, other } = hostRoles();

test('ack and silence from the shell of the host that does not hold the alert take effect at the holder\'s next run; an ack of a key that is not firing is refused', { timeout: 180_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('hosts-shell');
  const users = ['u0', 'u1', 'u2'];
  await indexDocs(world.esUrl, index, users.map((u) => logonEvent(T - 30_000, u)));
  const far = alertHeldBy(other, 'far');
  const near = alertHeldBy(coordinator, 'near');
  const alert = (title: string) => ({ index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], throttle: '2m', lookback: '15m', title, samples: 0 });
  const pair = await pairOf({ T, alerts: { [far]: alert('Far {{key}}'), [near]: alert('Near {{key}}') }, config: () => defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }) });
  await pair.of(coordinator).run(-1);
  await pair.of(other).run(-1);
  await pair.minute(0);
  const mailed = (subject: string) => world.smtp.messages.filter((m) => m.subject === subject).length;
  for (const u of users) assert.equal(mailed(`Far ${u}`) + mailed(`Near ${u}`), 2, `${u} mailed once per alert`);

  // The coordinator's shell acks the other host's alert, and the other host's shell the coordinator's: both queued.
  const farAck = await pair.of(coordinator).cli(['ack', far, '--key', 'u0', '--by', 'carol'], 0);
  assert.equal(farAck.code, 0, farAck.stderr);
  assert.match(farAck.stdout, new RegExp(`queued: applied by the host holding alert ${far} at its next run \\(within a minute\\)`));
  const nearAck = await pair.of(other).cli(['ack', near, '--key', 'u0', '--by', 'dave'], 0);
  assert.equal(nearAck.code, 0, nearAck.stderr);
  assert.match(nearAck.stdout, /queued: applied by the host holding alert/);
  const refused = await pair.of(coordinator).cli(['ack', far, '--key', 'nobody'], 0);
  assert.equal(refused.code, 64, 'a key that is not firing is refused, judged on the state the command read');
  assert.match(refused.stderr, /is not firing: nothing to acknowledge/);
  for (const [host, alertName] of [[coordinator, far], [other, near]] as const) {
    const silenced = await pair.of(host).cli(['silence', 'add', alertName, '--key', 'u1', '--for', '1h', '--comment', 'maintenance'], 0);
    assert.equal(silenced.code, 0, silenced.stderr);
  }
  for (const minute of [1, 2, 3, 4]) await pair.minute(minute);
  for (const which of ['Far', 'Near']) {
    assert.equal(mailed(`${which} u0`), 1, `${which} u0: acknowledged from the other host's shell, no repeat`);
    assert.equal(mailed(`${which} u1`), 1, `${which} u1: silenced from the other host's shell, no repeat`);
    assert.ok(mailed(`${which} u2`) >= 3, `${which} u2 kept repeating (${mailed(`${which} u2`)})`);
  }
  assert.deepEqual((await keysOf(pair, far)).u0.acknowledged?.by, 'carol');
  assert.deepEqual((await keysOf(pair, near)).u0.acknowledged?.by, 'dave');
  const applied = pair.audit().filter((e) => e.event === 'op_applied');
  assert.deepEqual(applied.map((e) => e.alert).sort(), [far, near].sort(), 'each queued ack applied once, by its holder');
  const listed = JSON.parse((await pair.of(other).cli(['silence', 'list', '--json'], 4)).stdout) as { alert: string }[];
  assert.deepEqual(listed.map((s) => s.alert).sort(), [far, near].sort(), 'both silences seen from either host');
});
