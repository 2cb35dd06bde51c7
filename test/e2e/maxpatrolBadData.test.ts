import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { maxPatrolProject } from '../support/maxpatrolProject.js';
import { useMaxPatrolServer } from '../support/maxpatrolServer.js';
import { checkProperty, fc } from '../support/property.js';
import { uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

// Issue 22 point 5 (MaxPatrol): nothing a core answers can hide incidents, loop a run, or reach a URL path.
const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useMaxPatrolServer();

test('one incident dated an hour ahead does not hide those created before then: the cursor stays at now, with a warning', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, slack } = maxPatrolProject(world, servers, fake);
  mp.addIncident({ created: T + 60 * MIN, name: 'From a core clock an hour ahead' });
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /1 MaxPatrol incident\(s\) dated ahead of this host's clock \("INC-1" created .*\): the read cursor stays at now/);
  assert.ok(project.state().alerts['mp-incidents'].rule.from <= T, 'the cursor is not moved into the future');
  mp.addIncident({ created: T + 2 * MIN, name: 'Created after the first run' });
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(second.code, 0, second.stderr);
  assert.ok(slack().some((t) => t.includes('Created after the first run')), `the incident created before the future date is told: ${slack().join(' | ')}`);
});

test('more matches than max_items: the newest are kept, so an old incident left New never hides the newest', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, slack } = maxPatrolProject(world, servers, fake, {}, { max_items: 5, page_size: 3 });
  mp.addIncident({ created: T - 9 * MIN, name: 'Old and still New' });
  for (let n = 1; n <= 8; n++) mp.addIncident({ created: T - 8 * MIN + n * 10_000, name: `Burst ${n}` });
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T - 7 * MIN) })).code, 0);
  mp.addIncident({ created: T - 30_000, name: 'The newest one' });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /only the newest 5 were read/);
  assert.ok(slack().some((t) => t.includes('The newest one')), `the newest incident is told: ${slack().join(' | ')}`);
});

test('a core whose pages add nothing new (offset ignored) ends the read at once with a warning', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, slack } = maxPatrolProject(world, servers, fake, {}, { page_size: 2 });
  for (let n = 1; n <= 5; n++) mp.addIncident({ created: T - 5 * MIN + n * 10_000, name: `Paged ${n}` });
  mp.ignoreOffset = true;
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /gave a page with nothing new at offset 2: the read stopped there/);
  const lists = mp.api.requests.filter((r) => r.path === '/api/v2/incidents/');
  assert.equal(lists.length, 2, 'the second page repeated the first: no third request');
  assert.equal(slack().length, 2, 'what was read is told');
});

test('ids "." and ".." and other unsafe ids never reach a URL path; bad creation times are set aside and named; the rest is told', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, slack } = maxPatrolProject(world, servers, fake, { maxpatrol: { severity: ['Medium', 'High'], max_events: 2 } });
  for (const id of ['.', '..', '../../connect/token', 'a/b', 'x y']) mp.addIncident({ id, created: T - 3 * MIN, name: `Unsafe id ${id}` });
  mp.addIncident({ created: T - 3 * MIN, rawCreated: 'yesterday', name: 'Not a time' });
  mp.addIncident({ created: T - 3 * MIN, rawCreated: 1_700_000_000_000, name: 'A number' });
  mp.addIncident({ created: T - 3 * MIN, rawCreated: '-0001-01-01T00:00:00Z', name: 'Negative year' });
  mp.addIncident({ created: T - 3 * MIN, rawCreated: '0001-01-01T00:00:00Z', name: 'Before timeFrom' }); // the core itself leaves it out
  mp.addIncident({ created: T - 2 * MIN, name: 'A good one' });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(slack(), ['MaxPatrol INC-10: A good one (High)']);
  assert.match(result.stderr, /8 MaxPatrol row\(s\) set aside: incident "INC-1" with id "\.", which is not a safe path segment/);
  const paths = mp.api.requests.map((r) => r.path.split('?')[0]!);
  for (const path of paths) assert.match(path, /^\/api\/(v2\/incidents\/|incidents\/[0-9a-f-]{36}\/events)$/, `only the list and the good incident's events: ${path}`);
  const status = await project.run(['status']);
  assert.equal(status.code, 0, status.stderr);
});

test('confirm of an incident whose id is ".." is refused before any request reaches a path', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project } = maxPatrolProject(world, servers, fake);
  mp.addIncident({ id: '..', created: T - MIN, name: 'Dot dot' });
  const result = await project.run(['maxpatrol', 'confirm', 'INC-1'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(result.code, 0);
  assert.doesNotMatch(result.stderr, /internal error/);
  assert.ok(!mp.api.requests.some((r) => r.method === 'PUT'), 'no status change was sent');
  assert.ok(mp.api.requests.every((r) => r.path.startsWith('/api/v2/incidents/')), mp.api.requests.map((r) => r.path).join(' '));
});

test('property: random incident pages (ids, dates in and out of range, not numbers, repeated pages) never stop a run; only bad rows are set aside', async () => {
  const mp = fake.server;
  const id = fc.oneof(fc.uuid(), fc.constantFrom('.', '..', '', '%2e%2e', 'a/b', '__proto__', 'constructor'), fc.string({ maxLength: 12 }));
  const created = fc.oneof(
    fc.integer({ min: -20 * MIN, max: 120 * MIN }).map((offset) => ({ offset })),
    fc.constantFrom<unknown>('yesterday', '', null, 0, -1, 1e300, '+275760-09-13T00:00:00.000Z', '9999-12-31T23:59:59.9999999Z', '2024-13-45T99:99:99Z', '0000-01-01T00:00:00Z').map((raw) => ({ raw })),
  );
  await checkProperty('maxpatrol pages', fc.asyncProperty(fc.array(fc.record({ id, created, good: fc.boolean() }), { minLength: 1, maxLength: 8 }), fc.boolean(), fc.integer({ min: 1, max: 4 }), async (rows, ignoreOffset, pageSize) => {
    mp.reset();
    const T = uniqueBaseTime();
    const { project, slack } = maxPatrolProject(world, servers, fake, {}, { page_size: pageSize });
    const told: string[] = [];
    const bad: string[] = [];
    const ids = new Set<string>();
    const idOf = new Map<string, string>();
    rows.forEach((row, n) => {
      const name = `Row ${n}`;
      const fields = row.good ? {} : { id: row.id };
      const incident = 'offset' in row.created ? mp.addIncident({ ...fields, created: T + (row.created.offset as number), name }) : mp.addIncident({ ...fields, created: T, rawCreated: row.created.raw, name });
      const safe = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,199}$/.test(incident.id); // RFC 3986 unreserved characters, never a dot segment
      const time = typeof incident.created === 'string' ? Date.parse(incident.created.replace(/(\.\d{3})\d+/, '$1')) : NaN;
      const first = !ids.has(incident.id);
      ids.add(incident.id);
      if (!safe || !(time > 0)) bad.push(name);
      if (first && safe && time > 0 && time <= T + 120 * MIN && time >= T - 10 * MIN && !ignoreOffset) told.push(name);
      idOf.set(name, incident.id);
    });
    // An id listed twice is one incident: which of its rows is told is the source's choice (it keeps the newest).
    const repeated = (name: string) => rows.filter((_, n) => idOf.get(`Row ${n}`) === idOf.get(name)).length > 1;
    told.splice(0, told.length, ...told.filter((name) => !repeated(name)));
    mp.ignoreOffset = ignoreOffset;
    const already = slack().length; // the fake Slack keeps what every case before this one got
    const started = Date.now();
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.ok(Date.now() - started < 20_000, 'the run ended within its deadline');
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /internal error|Invalid time value/);
    assert.ok(mp.api.requests.filter((r) => r.path.startsWith('/api/v2/incidents')).length <= (ignoreOffset ? 2 : Math.ceil(rows.length / pageSize) + 1), 'no endless paging: a page that adds nothing ends the read');
    for (const r of mp.api.requests) assert.doesNotMatch(r.path, /\/\.\.?(\/|\?|$)/, 'no dot segment reached a path');
    const sent = slack().slice(already);
    for (const name of told) assert.ok(sent.some((t) => t.includes(`${name} (`)), `${name} was told: ${sent.join(' | ')}\n${result.stderr}`);
    for (const name of bad) assert.ok(!sent.some((t) => t.includes(`${name} (`)), `${name} has a bad id or time: set aside, not told`);
    project.cleanup();
  }), 15);
});
