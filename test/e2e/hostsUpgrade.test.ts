import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { emptyState, type StateData } from '../../src/model/state.js';
import { STATE_INDEX_BODY, toDocs } from '../../src/state/cluster/docs.js';
import { evaluatedWindows, hostDeployments, runAt, stateDocs, windowBreaks } from '../support/hosts.js';
import { deleteIndices, indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';

// Two hosts configured as before partitions (issue 28: no partition_lease, host_ttl or max_clock_skew; an index in
// the old layout, the windows in the alert documents and lease:run the run's lease), upgraded together: their first
// runs at once move the layout once, then they share the alerts: each alert evaluated once a minute, every notice once.

const MIN = 60_000;
const world = useWorld();
const stateIndices: string[] = [];
after(() => deleteIndices(world.esUrl, stateIndices));

const USERS = ['ann', 'bob'];
/** How much one move raises lease:run's token: taken from the old version (+1), left with the marker (+1). */
const TOKENS_OF_ONE_MOVE = 2;

/** Writes a state index as the version before partitions left it: the old mapping, today's documents, lease:run given back. */
async function oldLayoutIndex(index: string, alerts: readonly string[], lastWindowEnd: number): Promise<void> {
  const put = async (path: string, body: unknown) => {
    const answer = await fetch(`${world.esUrl}/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(answer.status < 300, `PUT ${path}: ${answer.status} ${await answer.text()}`);
  };
  const { partition: _p, last_seen: _l, ...oldProperties } = STATE_INDEX_BODY.mappings.properties;
  await put(index, { ...STATE_INDEX_BODY, mappings: { ...STATE_INDEX_BODY.mappings, properties: oldProperties } });
  const saved: StateData = emptyState();
  for (const name of alerts) saved.alerts[name] = { window: { from: lastWindowEnd - MIN, to: lastWindowEnd }, lastRunAt: lastWindowEnd, keys: {} };
  saved.lastRun = { startedAt: lastWindowEnd, finishedAt: lastWindowEnd + 1_000, exitCode: 0 };
  for (const [id, doc] of toDocs(saved)) await put(`${index}/_doc/${encodeURIComponent(id)}`, { kind: doc.kind, id, body: doc.body, updated_at: lastWindowEnd });
  await put(`${index}/_doc/lease:run?refresh=true`, { kind: 'lease', id: 'lease:run', holder: 'host-1@0badc0de/1/run', token: 7, until: Date.now() - 1_000, released: true, updated_at: Date.now() - 1_000 });
}

test('two hosts configured as before partitions, upgraded together: the first runs at once move the layout once, then each alert is evaluated once a minute from where the old version stopped and every notice goes once', { timeout: 150_000 }, async () => {
  const T = uniqueBaseTime();
  const logons = await world.index('upgrade-auth');
  const index = `alertcron-state-upgrade-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(index);
  const names = Array.from({ length: 12 }, (_, i) => `logons-${String(i).padStart(2, '0')}`);
  const alert = { index: logons, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], throttle: '1h' };
  const hosts = hostDeployments(world, 2, { index, todaysSettings: true, alerts: Object.fromEntries(names.map((name) => [name, { ...alert, title: `${name} {{key}}` }])) });
  // The old version ran minute 0 (its windows end at T; old logged on in it, already told); ann and bob log on in
  // minute 1, cy in minute 3.
  await oldLayoutIndex(index, names, T);
  await indexDocs(world.esUrl, logons, [logonEvent(T - 30_000, 'old'), ...USERS.map((user) => logonEvent(T + 30_000, user)), logonEvent(T + 2 * MIN + 30_000, 'cy')]);

  const evaluated = new Map<number, Map<string, string[]>>();
  const windows = new Map<string, { from: number; to: number }[]>();
  for (let minute = 1; minute <= 4; minute++) {
    const results = await Promise.all(hosts.map((host) => runAt(host, T, minute)));
    const byAlert = new Map<string, string[]>();
    results.forEach((result, i) => {
      assert.equal(result.code, 0, `${hosts[i]!.id} minute ${minute}: ${result.stderr}`);
      for (const [name, window] of evaluatedWindows(result)) {
        byAlert.set(name, [...(byAlert.get(name) ?? []), hosts[i]!.id]);
        windows.set(name, [...(windows.get(name) ?? []), window]);
      }
    });
    evaluated.set(minute, byAlert);
    for (const name of names) assert.equal(byAlert.get(name)?.length, 1, `minute ${minute}: ${name} evaluated by ${JSON.stringify(byAlert.get(name) ?? [])}`);
  }
  // Failover became sharing: from the second minute on both hosts evaluate alerts.
  for (const minute of [2, 3, 4]) assert.equal(new Set([...evaluated.get(minute)!.values()].flat()).size, 2, `minute ${minute}: both hosts evaluate a share`);
  // Each alert's windows go on from where the old version stopped (T), without gap or overlap: the first starts at T
  // exactly (a window lost in the move would start first_lookback before the run, before T, and find old again).
  for (const name of names) {
    assert.equal(Math.min(...(windows.get(name) ?? []).map((w) => w.from)), T, `${name}: its first window after the upgrade starts where the old version stopped`);
    assert.deepEqual(windowBreaks(name, windows.get(name) ?? [], T, T + 4 * MIN), [], name);
  }
  const counts = new Map<string, number>();
  for (const m of world.smtp.messages) counts.set(m.subject, (counts.get(m.subject) ?? 0) + 1);
  for (const name of names) for (const user of [...USERS, 'cy']) assert.equal(counts.get(`${name} ${user}`), 1, `${name} ${user} mailed once`);
  for (const name of names) assert.equal(counts.get(`${name} old`), undefined, `${name} old: in the old version's window, not told again`);
  assert.equal(world.smtp.messages.length, names.length * 3, `no other mail: ${[...counts.keys()]}`);
  // The move was made once: lease:run left to an older version as held by the marker of the host that moved it, its
  // token raised once from the old version's 7 by the one run that took it (TOKENS_OF_ONE_MOVE) and not again.
  const docs = await stateDocs(world.esUrl, index);
  assert.match(docs.get('lease:run')!._source.holder, /^partitioned-by-host-[12]$/);
  assert.equal(docs.get('lease:run')!._source.token, 7 + TOKENS_OF_ONE_MOVE, 'one run took lease:run to move the layout');
  for (const name of names) assert.equal(docs.get(`alert:${name}`)!._source.body.window, undefined, `${name}: its window moved to its partition's document`);
});
