import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertHeldBy, hostRoles, useHostPairs } from '../support/hostPair.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

// alertcron watching itself across hosts sharing the cluster state: each host's self-monitoring notices name it.
const world = useWorld();
const pairOf = useHostPairs(world);
const { coordinator, other } = hostRoles();

/** alertcron.yaml of a host of the pair, its self-monitoring told by mail at the first failure. */
function config(): Record<string, unknown> {
  return { ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), monitoring: { notify: ['soc-email'], after_failures: 1 } };
}

test('the clock of both hosts went back: two notices, each naming its host in the title and the message', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('hosts-monitor');
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'ann')]);
  const alert = (title: string) => ({ index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], throttle: '1h', title });
  const mine = alertHeldBy(coordinator, 'mine');
  const theirs = alertHeldBy(other, 'theirs');
  const pair = await pairOf({ T, alerts: { [mine]: alert('Mine {{key}}'), [theirs]: alert('Theirs {{key}}') }, config });
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
