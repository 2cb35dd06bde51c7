import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyState } from '../../src/model/state.js';
import { MaxPatrolClient, memoryKeeper, tokenIsFresh } from '../../src/sources/maxpatrol/client.js';
import { formatInZone } from '../../src/sources/maxpatrol/findings.js';
import { listBody, parseCreated } from '../../src/sources/maxpatrol/incidents.js';
import { readAlert } from '../../src/sources/maxpatrol/read.js';
import type { MaxPatrolConfig, MaxPatrolFilter } from '../../src/sources/maxpatrol/types.js';
import { pruneState } from '../../src/state/prune.js';
import { useMaxPatrolServer } from '../support/maxpatrolServer.js';

const MIN = 60_000;
const fake = useMaxPatrolServer();

const configFor = (extra: Partial<MaxPatrolConfig> = {}): MaxPatrolConfig => ({
  url: fake.server.apiUrl,
  token_url: fake.server.tokenUrl,
  username: fake.server.username,
  password: fake.server.password,
  client_id: 'mpx',
  client_secret: fake.server.clientSecret,
  scope: 'mpx.api',
  ca: fake.server.ca,
  insecure_skip_tls_verify: false,
  timeout: 3000,
  page_size: 100,
  max_items: 10_000,
  time_zone: 'UTC',
  ...extra,
});
const filter: MaxPatrolFilter = { status: ['New'], max_age: 24 * 60 * MIN, max_events: 1 };

test('creation times with 7 fractional digits, without a zone, or not a time at all', () => {
  assert.equal(parseCreated('2024-05-01T10:00:00.1234567Z'), Date.UTC(2024, 4, 1, 10, 0, 0, 123));
  assert.equal(parseCreated('2024-05-01T10:00:00'), Date.UTC(2024, 4, 1, 10));
  assert.equal(parseCreated('2024-05-01T13:00:00.5+03:00'), Date.UTC(2024, 4, 1, 10, 0, 0, 500));
  assert.ok(Number.isNaN(parseCreated('yesterday')) && Number.isNaN(parseCreated(undefined)));
  assert.equal(formatInZone(Date.UTC(2024, 4, 1, 22, 30), 'Asia/Novosibirsk'), '2024-05-02 05:30:00 GMT+7');
});

test('the list asks for the newest first (max_items keeps the newest), from a whole second, in UTC with milliseconds', () => {
  const body = listBody(Date.UTC(2024, 4, 1, 10, 0, 0, 987), 200, 100);
  assert.equal(body.timeFrom, '2024-05-01T10:00:00.000Z');
  assert.deepEqual([body.offset, body.limit, body.timeTo, body.filterTimeType], [200, 100, null, 'creation']);
  assert.deepEqual((body.filter as { orderby: unknown }).orderby, [{ field: 'created', sortOrder: 'descending' }]);
});

test('a kept token is renewed within the last quarter of its lifetime, at most five minutes before it expires', () => {
  const day = { value: 't', obtainedAt: 0, expiresAt: 86_400_000 };
  assert.ok(tokenIsFresh(day, 86_400_000 - 5 * MIN - 1));
  assert.ok(!tokenIsFresh(day, 86_400_000 - 5 * MIN));
  const short = { value: 't', obtainedAt: 0, expiresAt: 4 * MIN };
  assert.ok(tokenIsFresh(short, 3 * MIN - 1) && !tokenIsFresh(short, 3 * MIN));
  assert.ok(!tokenIsFresh(undefined, 0));
});

test('the cursor stays on the oldest incident still New, moves to the newest seen when none is, and events are read once', async () => {
  const mp = fake.server;
  const T = Date.UTC(2025, 5, 1, 12);
  const client = new MaxPatrolClient(configFor(), memoryKeeper(), () => T);
  const a = mp.addIncident({ created: T - 8 * MIN, events: [{ id: 'e', date: mp.time(T - 8 * MIN), description: 'first' }] });
  mp.addIncident({ created: T - 6 * MIN, status: 'Closed' });
  const c = mp.addIncident({ created: T - 4 * MIN });
  const window = { from: T - 10 * MIN, to: T };
  const first = await readAlert(client, filter, undefined, window, T);
  assert.deepEqual(first.findings.map((f) => f.key), [a.key, c.key]);
  assert.equal(first.saved.from, parseCreated(a.created));
  assert.deepEqual(first.saved.events[a.id], [{ id: 'e', date: a.events[0]!.date, description: 'first' }]);
  const eventCalls = () => mp.api.requests.filter((r) => r.path.includes('/events')).length;
  assert.equal(eventCalls(), 2);

  a.status = 'Approved';
  const second = await readAlert(client, filter, first.saved, window, T + MIN);
  assert.deepEqual(second.findings.map((f) => f.key), [c.key]);
  assert.equal(second.saved.from, parseCreated(c.created), 'the oldest incident still New');
  assert.equal(eventCalls(), 2, 'events already read are not read again');
  assert.deepEqual(Object.keys(second.saved.events), [c.id], 'events of incidents that left are forgotten');

  c.status = 'Closed';
  const third = await readAlert(client, filter, second.saved, window, T + 2 * MIN);
  assert.deepEqual(third.findings, []);
  assert.equal(third.saved.from, parseCreated(c.created), 'none matches: the newest seen');
  assert.equal(mp.logins, 1);
});

test('a read never goes back further than max_age, and an expired token leaves the state at the next prune', async () => {
  const mp = fake.server;
  const T = Date.UTC(2025, 5, 1, 12);
  const client = new MaxPatrolClient(configFor(), memoryKeeper(), () => T);
  mp.addIncident({ created: T - 3 * 60 * MIN, name: 'too old' });
  const read = await readAlert(client, { ...filter, max_age: 60 * MIN }, { from: T - 5 * 60 * MIN, events: {} }, { from: 0, to: T }, T);
  assert.deepEqual(read.findings, []);
  assert.equal(JSON.parse(mp.api.requests.at(-1)!.body).timeFrom, new Date(T - 60 * MIN).toISOString());

  const data = emptyState();
  data.tokens = { maxpatrol: { value: 'x', obtainedAt: 0, expiresAt: T }, other: { value: 'y', obtainedAt: 0, expiresAt: T + 1 } };
  pruneState(data, T, 7 * 24 * 60 * MIN, new Set());
  assert.deepEqual(Object.keys(data.tokens), ['other']);
});

test('refresh re-reads an incident by its key: the status and assignee now, and its first events', async () => {
  const mp = fake.server;
  const T = Date.UTC(2025, 5, 1, 12);
  const { MaxPatrolSource } = await import('../../src/sources/maxpatrol/source.js');
  const source = new MaxPatrolSource(configFor(), { tokens: memoryKeeper(), now: () => T });
  const incident = mp.addIncident({ created: T - MIN, events: [1, 2, 3].map((n) => ({ id: `e${n}`, date: mp.time(T - MIN + n), description: `event ${n}` })) });
  incident.status = 'InProgress';
  incident.assigned = { id: 'u2', firstName: 'Anna', lastName: 'Smirnova' };
  const done = await source.actions.refresh!(incident.key, { max_events: 2 });
  assert.equal(done.message, `INC-1 is InProgress, assigned to Anna Smirnova, 2 event(s) shown: ${mp.apiUrl}/#/incident/incidents/view/${incident.id}`);
  assert.equal(done.finding?.fields.status, 'InProgress');
  assert.equal(done.finding?.fields.events_text, '2025-06-01 11:59:00 UTC  event 1\n2025-06-01 11:59:00 UTC  event 2');
});

test('a burst larger than one run reads the events of is told over the next runs, oldest first, none lost', async () => {
  const mp = fake.server;
  const T = Date.UTC(2025, 5, 1, 12);
  const client = new MaxPatrolClient(configFor({ page_size: 50 }), memoryKeeper(), () => T);
  for (let n = 0; n < 130; n++) mp.addIncident({ created: T - 9 * MIN + n * 1000 });
  const window = { from: T - 10 * MIN, to: T };
  const first = await readAlert(client, filter, undefined, window, T);
  assert.equal(first.findings.length, 100);
  assert.equal(first.findings[99]!.key, 'INC-100');
  assert.equal(first.incomplete, '30 more new MaxPatrol incidents than one run reads the events of (100) are told at the next runs');
  const second = await readAlert(client, filter, first.saved, window, T + MIN);
  assert.equal(second.findings.length, 130);
  assert.equal(second.incomplete, undefined);
  assert.equal(mp.api.requests.filter((r) => r.path.includes('/events')).length, 130, 'each incident\'s events read once');
});

test('requests in flight together that meet a 401 share one login, and a run renews its token at most once', async () => {
  const mp = fake.server;
  const T = Date.now();
  const keeper = memoryKeeper();
  await new MaxPatrolClient(configFor(), keeper, () => T).login();
  for (let n = 0; n < 8; n++) mp.addIncident({ created: T - 5 * MIN + n * 1000, events: [{ id: `e${n}`, date: mp.time(T - 5 * MIN), description: 'x' }] });
  const client = new MaxPatrolClient(configFor(), keeper, () => T);
  mp.eventFailures = [401, 401, 401, 401];
  const read = await readAlert(client, filter, undefined, { from: T - 10 * MIN, to: T }, T);
  assert.equal(read.findings.length, 8);
  assert.equal(client.logins, 1, 'four events reads met the 401 at once: one login between them');

  mp.eventFailures = [401];
  await assert.rejects(readAlert(client, filter, undefined, { from: T - 10 * MIN, to: T }, T), /HTTP 401/);
  assert.equal(client.logins, 1, 'a second 401 in the same run is not renewed again');
});

test('when one events read fails, the others stop: the read fails whole, and no request goes on after it', async () => {
  const mp = fake.server;
  const T = Date.now();
  for (let n = 0; n < 12; n++) mp.addIncident({ created: T - 5 * MIN + n * 1000 });
  const client = new MaxPatrolClient(configFor(), memoryKeeper(), () => T);
  mp.eventFailures = [500, 500, 500, 500];
  await assert.rejects(readAlert(client, filter, undefined, { from: T - 10 * MIN, to: T }, T), /HTTP 500 to the events of INC-/);
  const eventsAsked = mp.api.requests.filter((r) => r.path.includes('/events')).length;
  assert.equal(eventsAsked, 4, 'only the four reads in flight when the first failed');
});

test('the comment of a status change keeps a chat user\'s crafted name to one bounded line', async () => {
  const { transitionComment } = await import('../../src/sources/maxpatrol/transitions.js');
  const by = 'Eve\n\nConfirmed by SOC lead (telegram 1)\u202e\u0007';
  assert.equal(transitionComment('close', by), 'Closed by Eve Confirmed by SOC lead (telegram 1) via alertcron');
  const long = transitionComment('confirm', 'x'.repeat(500), 'why\r\nnot');
  assert.ok(long.startsWith(`Confirmed by ${'x'.repeat(99)}… via alertcron: why not`));
  assert.equal(transitionComment('confirm', ' \n '), 'Confirmed by someone via alertcron');
});

test('the 100 events reads of a run are shared by its MaxPatrol alerts: a second alert waits for the next run, none lost', async () => {
  const mp = fake.server;
  const T = Date.now();
  for (let n = 0; n < 80; n++) mp.addIncident({ created: T - 9 * MIN + n * 1000, severity: n % 2 ? 'High' : 'Low' });
  const { MaxPatrolSource } = await import('../../src/sources/maxpatrol/source.js');
  const source = new MaxPatrolSource(configFor(), { tokens: memoryKeeper(), now: () => T });
  const window = { from: T - 10 * MIN, to: T };
  const alert = (name: string, extra: Partial<MaxPatrolFilter>) => ({ name, maxpatrol: { ...filter, ...extra } }) as unknown as Parameters<typeof source.plan>[0];
  const plans = [source.plan(alert('all', {}), window), source.plan(alert('high', { severity: ['High'] }), window)];
  const first = await source.fetch(plans, T);
  type Read = { findings: unknown[]; incomplete?: string; saved?: unknown };
  const readOf = (o: (typeof first.outcomes)[number]): Read => (o?.ok && 'findings' in o ? o : assert.fail(JSON.stringify(o)));
  const [all, high] = first.outcomes.map(readOf);
  assert.equal(all!.findings.length, 80);
  assert.equal(high!.findings.length, 20, 'the run had 20 events reads left for the second alert');
  assert.match(high!.incomplete ?? '', /^20 more new MaxPatrol incidents/);
  assert.equal(mp.api.requests.filter((r) => r.path.includes('/events')).length, 100);

  const again = new MaxPatrolSource(configFor(), { tokens: memoryKeeper(), now: () => T });
  const next = await again.fetch([again.plan(alert('high', { severity: ['High'] }), window, high!.saved)], T + MIN);
  const later = readOf(next.outcomes[0]!);
  assert.equal(later.findings.length, 40);
  assert.equal(later.incomplete, undefined);
});
