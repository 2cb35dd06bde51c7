import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertHeldBy, hostRoles, HOSTS, useHostPairs } from '../support/hostPair.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

// A partial run (run --only, test --send) does not make a host join the hosts sharing the alerts: only a full
// run (cron's) writes the heartbeat that makes it live. A machine that is not a cron host evaluates nothing and says
// which host holds the alert; a cron host's manual run evaluates the alerts of its own share.
const world = useWorld();
const pairOf = useHostPairs(world);
const { coordinator } = hostRoles();

test('run --only on a machine that is not a cron host joins no fleet: no heartbeat, no lease, it names the host holding the alert; a cron host\'s run --only runs its own alert', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('hosts-partial');
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'ann')]);
  const mine = alertHeldBy(coordinator, 'mine');
  const alerts = { [mine]: { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], throttle: '1h', title: 'Mine {{key}}' } };
  const base = () => defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
  const pair = await pairOf({ T, alerts, config: base });
  await pair.of(coordinator).run(-1);
  await pair.minute(0);
  // A laptop with the same folder and the shared state, not in any crontab.
  const laptop = world.project();
  laptop.writeConfig({ ...base(), run: { deadline: '10s' }, state: { backend: 'cluster', index: pair.shared, host_id: 'laptop', partition_lease: '4s', host_ttl: '15s', max_clock_skew: '1s', lock_wait: '4s', lease_ttl: '12s' } });
  for (const [name, alert] of Object.entries(alerts)) laptop.writeAlert(name, alert);
  {
    const args = ['run', '--only', mine, '--json'];
    const run = await laptop.run(args, { ALERTCRON_NOW: iso(T + 60_000) });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.alerts.filter((a: { status: string }) => a.status !== 'not-due'), [], `${args[1]}: nothing evaluated on the laptop`);
    assert.deepEqual(report.partitions.held, [], `${args[1]}: no partition taken`);
    assert.ok(report.warnings.some((w: string) => /does not join the hosts sharing the alerts/.test(w)), JSON.stringify(report.warnings));
    assert.ok(report.warnings.some((w: string) => w.includes(`${mine} (partition`) && w.includes(`held by ${coordinator}`)), JSON.stringify(report.warnings));
  }
  const docs = await pair.docs();
  assert.ok(!docs.has('host:laptop'), 'the laptop wrote no heartbeat: it is not one of the hosts sharing the alerts');
  assert.ok(![...docs.values()].some((d) => String(d._source.holder ?? '').startsWith('laptop@')), 'no lease held by the laptop');
  // The cron hosts go on alone: each alert is evaluated by the host owning it.
  const [a, b] = await pair.minute(1);
  const evaluated = [a!, b!].flatMap((r) => JSON.parse(r.stdout).alerts.filter((x: { status: string }) => x.status !== 'not-due').map((x: { name: string }) => x.name));
  assert.deepEqual(evaluated, [mine]);
  // A cron host's manual run --only of an alert of its own share evaluates it.
  const manual = await pair.of(coordinator).cli(['run', '--only', mine, '--json'], 2);
  assert.equal(manual.code, 0, manual.stderr);
  assert.deepEqual(JSON.parse(manual.stdout).alerts.map((x: { name: string }) => x.name), [mine]);
  assert.equal(HOSTS.length, 2);
});
