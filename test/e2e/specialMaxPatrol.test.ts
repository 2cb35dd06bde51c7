// No value is special in a MaxPatrol incident either: ids and keys named like Object.prototype members are plain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { maxPatrolProject } from '../support/maxpatrolProject.js';
import { useMaxPatrolServer } from '../support/maxpatrolServer.js';
import { uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useMaxPatrolServer();
const SPECIAL = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

test('MaxPatrol incidents whose id or key is __proto__, constructor ... are each notified once; later runs, status and list work', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, slack } = maxPatrolProject(world, servers, fake);
  SPECIAL.forEach((name, i) => mp.addIncident({ created: T - (9 - i) * MIN, id: name, key: name, name: `Incident ${name}`, severity: 'High', events: [{ id: name, date: mp.time(T - 9 * MIN), description: `event of ${name}` }] }));
  for (const [minutes, args] of [[0, ['run']], [1, ['run']], [1, ['status']], [1, ['list']], [2, ['run']]] as const) {
    const result = await project.run([...args], { ALERTCRON_NOW: iso(T + minutes * MIN) });
    assert.doesNotMatch(result.stderr, /internal error|TypeError|Cannot (set|read) properties/, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  }
  const titles = slack();
  assert.equal(titles.length, SPECIAL.length, titles.join('\n'));
  for (const name of SPECIAL) assert.equal(titles.filter((t) => t.replaceAll('\u02cd', '_').includes(`Incident ${name} `)).length, 1, `${name} notified once: ${titles.join('\n')}`);
});
