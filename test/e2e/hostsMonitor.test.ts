import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertHeldBy, hostRoles, useHostPairs } from '../support/hostPair.js';
import { sleep, startGateProxy } from '../support/hosts.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

// alertcron watching itself across hosts sharing the cluster state: each host's self-monitoring notices name it.
const world = useWorld();
const pairOf = useHostPairs(world);
const { coordinator, other } = hostRoles();

/** alertcron.yaml of a host of the pair (over this engine URL), its self-monitoring told by mail at the first failure. */
function config(esUrl = world.esUrl): Record<string, unknown> {
  return { ...defaultConfig({ esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), monitoring: { notify: ['soc-email'], after_failures: 1 } };
}

test('the clock of both hosts went back: two notices, each naming its host in the title and the message', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('hosts-monitor');
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'ann')]);
  const alert = (title: string) => ({ index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], throttle: '1h', title });
  const mine = alertHeldBy(coordinator, 'mine');
  const theirs = alertHeldBy(other, 'theirs');
  const pair = await pairOf({ T, alerts: { [mine]: alert('Mine {{key}}'), [theirs]: alert('Theirs {{key}}') }, config: () => config() });
  await pair.of(coordinator).run(-1);
  await pair.of(other).run(-1);
  for (const minute of [0, 6]) for (const host of [coordinator, other]) await pair.of(host).run(minute);
  // Both hosts' clocks go back three minutes: each finds the windows of its own alert ahead of it.
  for (const minute of [3, 3]) for (const host of [coordinator, other]) await pair.of(host).run(minute);
  const clock = world.smtp.messages.filter((m) => /clock/.test(m.subject));
  for (const host of [coordinator, other]) {
    const told = clock.filter((m) => m.subject === `alertcron's clock on ${host} went back behind its search windows`);
    assert.equal(told.length, 1, `${host}'s clock told once: ${JSON.stringify(clock.map((m) => m.subject))}`);
    assert.match(told[0]!.raw.replace(/=\r\n/g, ''), new RegExp(`host ${host}`));
  }
});

test('a host whose runs are killed mid-run keeps a fresh heartbeat: its leases taken over twice are told once, naming it', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('hosts-takeover');
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'ann')]);
  const alert = (title: string) => ({ index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], throttle: '1h', title });
  const proxy = await startGateProxy(world.esUrl);
  try {
    // The victim (not the coordinator) reaches the engine through a gate: its search can be held while it holds its leases.
    const pair = await pairOf({ T, alerts: { [alertHeldBy(coordinator, 'mine')]: alert('Mine {{key}}'), [alertHeldBy(other, 'theirs')]: alert('Theirs {{key}}') }, config: (host) => config(host === other ? proxy.url : world.esUrl) });
    await pair.of(coordinator).run(-1);
    await pair.of(other).run(-1);
    await pair.minute(0);
    for (const minute of [1, 2]) {
      // The victim starts (a fresh heartbeat), takes its leases and dies in its search; the coordinator takes them over.
      const held = proxy.hold(/_msearch/);
      const victim = pair.of(other).p.spawn(['run', '--json'], { ALERTCRON_NOW: iso(T + minute * 60_000) });
      const gate = await held;
      victim.kill('SIGKILL');
      await new Promise((resolve) => victim.on('close', resolve));
      gate.open();
      await sleep(6_000);
      const took = JSON.parse((await pair.of(coordinator).run(minute)).stdout);
      assert.ok(took.partitions.took.length > 0, `minute ${minute}: the coordinator took the victim's leases over: ${JSON.stringify(took.partitions)}`);
    }
    // The victim runs again (its heartbeat newer than the second takeover), then both go on.
    await pair.of(other).run(3);
    await pair.of(coordinator).run(3);
    await pair.minute(4);
    await pair.minute(5);
    const title = `alertcron on ${other} dies mid-run: its leases were taken over`;
    const told = world.smtp.messages.filter((m) => m.subject === title);
    assert.equal(told.length, 1, `told once: ${JSON.stringify(world.smtp.messages.map((m) => m.subject))}`);
    assert.match(told[0]!.raw.replace(/=\r\n/g, ''), /leases? of .* taken over since .*its runs die mid-run/);
    assert.ok(!world.smtp.messages.some((m) => m.subject.includes('stopped running')), 'a host that still runs is not told as stopped');
    assert.equal(pair.audit().filter((e) => e.event === 'host_takeovers').length, 1, 'one host_takeovers audit line');
  } finally {
    await proxy.close();
  }
});
