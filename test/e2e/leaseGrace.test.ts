import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { assignLeases, partitionOf } from '../../src/model/partition.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

// The grace rule (docs/hosts.md): a partition whose assigned host is live but does not take it (its
// heartbeat goes on, its lease _bulk keeps failing) is taken by another host once it has stayed released longer
// than host_ttl; a host whose heartbeat is from the future (its clock far ahead) is not live at all.

const MIN = 60_000;
const world = useWorld();
const stateIndex = `alertcron-state-grace-${Math.random().toString(36).slice(2, 8)}`;

after(async () => {
  await fetch(`${world.esUrl}/${stateIndex}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

/** Writes a document of the state index as it is (refreshed). */
async function put(id: string, doc: unknown): Promise<void> {
  const answer = await fetch(`${world.esUrl}/${stateIndex}/_doc/${encodeURIComponent(id)}?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
  assert.ok(answer.ok, await answer.text());
}

/** The stored source of a state document. */
async function source(id: string): Promise<any> {
  return ((await (await fetch(`${world.esUrl}/${stateIndex}/_doc/${encodeURIComponent(id)}`)).json()) as { _source: unknown })._source;
}

test('a lease released long ago whose assignee is live but idle is taken by another host (recorded like a takeover); a heartbeat from the future is not live', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('grace-auth');
  const project = world.project();
  project.writeConfig({
    ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
    run: { deadline: '10s' },
    state: { backend: 'cluster', index: stateIndex, host_id: 'host-1', partition_lease: '5s', host_ttl: '30s', max_clock_skew: '1s', lock_wait: '2s' },
  });
  // An alert in a partition the idle host owns (with host-1 and idle live).
  const owners = assignLeases(['host-1', 'idle']);
  const name = Array.from({ length: 200 }, (_, i) => `grace-${i}`).find((n) => owners.get(String(partitionOf(n))) === 'idle')!;
  const lease = `part:${partitionOf(name)}`;
  project.writeAlert(name, { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: `${name} {{key}}` });
  const first = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, `alone, host-1 takes every lease: ${first.stderr}`);

  // `idle` heartbeats every minute (live, running for an hour) but never takes its leases; host-1 released them ten minutes ago.
  const now = Date.now();
  const heartbeat = (lastSeen: number) => ({ id: 'idle', holder: 'idle@x', lastSeen, startedAt: now - 3_600_000, version: '0.1.0' });
  await put('host:idle', { kind: 'host', id: 'host:idle', holder: 'idle@x', last_seen: now, updated_at: now, body: heartbeat(now) });
  const idleLeases = [...owners].filter(([, owner]) => owner === 'idle').map(([l]) => `part:${l}`);
  for (const id of idleLeases) {
    const doc = await source(id);
    assert.equal(doc.released, true, `${id} was released by host-1's run`);
    await put(id, { ...doc, until: now - 10 * MIN, updated_at: now - 10 * MIN });
  }
  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'grace-ann')]);
  const second = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  const report = JSON.parse(second.stdout);
  assert.deepEqual(report.partitions.held.length, 64, `host-1 holds its own share and the idle host's: ${JSON.stringify(report.partitions)}`);
  const took = report.partitions.took as { lease: string; from: string }[];
  assert.deepEqual(took.map((t) => `part:${t.lease}`).sort(), [...idleLeases].sort(), 'each idle lease taken, recorded like a takeover');
  assert.ok(took.every((t) => t.from === 'idle'), JSON.stringify(took));
  assert.ok(report.alerts.some((a: { name: string; status: string }) => a.name === name && a.status !== 'not-due'), `${name} evaluated: ${JSON.stringify(report.alerts)}`);
  assert.equal(world.smtp.messages.filter((m) => m.subject === `${name} grace-ann`).length, 1, 'its finding delivered');
  assert.equal((await source(lease)).released, true, 'given back at the end of the run, as any lease');

  // A lease just released (within host_ttl) of the live idle host is left to it.
  const later = Date.now();
  await put('host:idle', { kind: 'host', id: 'host:idle', holder: 'idle@x', last_seen: later, updated_at: later, body: heartbeat(later) });
  const third = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assert.equal(third.code, 0, third.stderr);
  assert.equal(JSON.parse(third.stdout).partitions.held.length, 64 - idleLeases.filter((id) => id !== 'part:coordinator').length, 'released a moment ago: left to its live owner');

  // A heartbeat an hour in the future (a clock far ahead) is not live: host-1 owns everything again.
  const ahead = Date.now() + 3_600_000;
  await put('host:idle', { kind: 'host', id: 'host:idle', holder: 'idle@x', last_seen: ahead, updated_at: ahead, body: heartbeat(ahead) });
  const fourth = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(fourth.code, 0, fourth.stderr);
  assert.equal(JSON.parse(fourth.stdout).partitions.held.length, 64, `a heartbeat from the future does not count: ${fourth.stdout.slice(0, 300)}`);
  const status = await project.run(['status']);
  assert.match(status.stdout, /idle.*clock ahead: its heartbeat is (59m\d+s|1h) in the future/, status.stdout);
});
