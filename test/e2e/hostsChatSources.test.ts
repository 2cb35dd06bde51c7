import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { alertHeldBy, hostRoles, useHostPairs } from '../support/hostPair.js';
import { maxPatrolEnv, maxPatrolSection, useMaxPatrolServer } from '../support/maxpatrolServer.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useTheHiveServer } from '../support/theHiveServer.js';
import { useWorld } from '../support/world.js';

// Item sources (TheHive alerts, MaxPatrol incidents) read by two hosts sharing the state: each alert is read by the
// host holding it, with its cursor in the shared state, so each item is notified once.
const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const hive = useTheHiveServer();
const mp = useMaxPatrolServer();
const pairOf = useHostPairs(world);
const { coordinator, other } = hostRoles();

test('TheHive alerts and MaxPatrol incidents on two hosts: each item notified once; a promote from the host that does not hold the alert reaches its holder', { timeout: 180_000 }, async () => {
  const T = uniqueBaseTime();
  hive.server.now = () => T;
  const hiveNear = alertHeldBy(coordinator, 'hive');
  const hiveFar = alertHeldBy(other, 'hive');
  const incidents = alertHeldBy(other, 'mp');
  const pair = await pairOf({
    T,
    env: { ...servers.secrets, THEHIVE_API_KEY: hive.server.apiKey, ...maxPatrolEnv(mp.server) },
    config: () => ({
      ...(servers.config(world) as object),
      thehive: { url: hive.server.base, api_key: '${THEHIVE_API_KEY}', organisation: 'soc', timeout: '3s' },
      maxpatrol: maxPatrolSection(mp.server, 'mp-ca.pem', { time_zone: 'Europe/Moscow' }),
    }),
    alerts: {
      [hiveNear]: { source: 'thehive', thehive: { severity: [3, 4] }, notify: ['soc-slack'] },
      [hiveFar]: { source: 'thehive', thehive: { severity: [1, 2] }, notify: ['soc-slack'] },
      [incidents]: { source: 'maxpatrol', maxpatrol: { severity: ['Medium', 'High'], max_events: 2 }, notify: ['soc-slack'] },
    },
  });
  for (const d of pair.hosts.values()) writeFileSync(join(d.p.dir, 'mp-ca.pem'), mp.server.ca);
  await pair.of(coordinator).run(-1);
  await pair.of(other).run(-1);
  const high = hive.server.addAlert({ title: 'Suspicious logon', severity: 3, _createdAt: T - 30_000 });
  hive.server.addAlert({ title: 'Odd DNS', severity: 1, _createdAt: T - 30_000 });
  mp.server.addIncident({ created: T - 30_000, name: 'Beaconing from ws-17', severity: 'High' });
  await pair.minute(0);
  hive.server.addAlert({ title: 'Malware found', severity: 4, _createdAt: T + MIN + 30_000 });
  hive.server.addAlert({ title: 'Port scan', severity: 2, _createdAt: T + MIN + 30_000 });
  mp.server.addIncident({ created: T + MIN + 30_000, name: 'Scan 1', severity: 'Medium' });
  for (const minute of [1, 2, 3]) await pair.minute(minute);

  const texts = (world.slack.accepted() as { text: string }[]).map((p) => p.text);
  const once = (pattern: RegExp) => assert.equal(texts.filter((t) => pattern.test(t)).length, 1, `${pattern} once in ${JSON.stringify(texts)}`);
  for (const title of [/Suspicious logon/, /Odd DNS/, /Malware found/, /Port scan/, /Beaconing from ws-17/, /Scan 1/]) once(title);
  assert.equal(texts.length, 6);

  // A promote from the shell of the host that does not hold the alert: the case is made at once; the key is marked at its holder's next run.
  const promoted = await pair.of(other).cli(['hive', 'promote', high._id], 4);
  assert.equal(promoted.code, 0, promoted.stderr);
  assert.match(promoted.stdout, /queued: applied by the hosts holding its alerts at their next run/);
  await pair.minute(4);
  // The holder of the promoted alert marked its key handled before deciding (the key then resolved, as TheHive items do once read).
  const applied = pair.audit().filter((e) => e.event === 'op_applied');
  assert.deepEqual(applied.map((e) => [e.alert, e.keys, e.how]), [[hiveNear, [high._id], 'promoted']]);
  assert.deepEqual(pair.audit().filter((e) => e.event === 'op_skipped'), [], 'the alerts without that key are left alone, silently');
  await pair.minute(5);
  assert.deepEqual([...(await pair.docs()).keys()].filter((id) => id.startsWith('op:')), [], 'the coordinator deleted the op once applied in every partition');
});
