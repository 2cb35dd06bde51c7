// Times and shapes read back from the state are checked: a bad one (not a number, negative, beyond the Date range,
// a document of the wrong shape) is named in a warning and set aside; run and status go on, the rest is used.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultConfig, editKeyFile } from '../support/project.js';
import { checkProperty, fc } from '../support/property.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const stateIndices: string[] = [];
after(async () => {
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

/** Asserts a command ended normally: exit 0, no internal error, no stack trace. */
function assertOk(result: { code: number | null; stderr: string; stdout: string }, what: string): void {
  assert.doesNotMatch(result.stderr, /internal error|RangeError|TypeError|Invalid time value/, `${what}: ${result.stderr}`);
  assert.equal(result.code, 0, `${what}: ${result.stderr}`);
}

/** Asserts a command did not fail inside: a time from 1970 may rightly drop a notice as too old (exit 4), never exit 1. */
function assertNoInternalError(result: { code: number | null; stderr: string; stdout: string }, what: string): void {
  assert.doesNotMatch(result.stderr, /internal error|RangeError|TypeError|Invalid time value/, `${what}: ${result.stderr}`);
  assert.ok(result.code === 0 || result.code === 4, `${what}: exit ${result.code}: ${result.stderr}`);
}

/** A state as alertcron writes it (keys inline, as older versions kept them), with times around T. */
function goodState(T: number): any {
  const key = (user: string) => ({ firstSeen: T - 5 * MIN, lastSeen: T - 5 * MIN, lastFired: T - 5 * MIN, fired: 1, delivered: { 'soc-slack': T - 5 * MIN } });
  const pending = (id: string) => ({ id, alert: 'logons', key: 'root', channel: 'soc-slack', reason: 'first', title: `notice ${id}`, message: 'm', createdAt: T - 2 * MIN, attempts: 1 });
  return {
    version: 1,
    alerts: { logons: { window: { from: T - 10 * MIN, to: T - 5 * MIN }, lastRunAt: T - 5 * MIN, keys: { root: key('root'), admin: key('admin') } } },
    pending: [pending('p-good'), pending('p-bad')],
    sent: [{ id: 'n1', alert: 'logons', key: 'admin', channel: 'soc-slack', reason: 'first', at: T - 5 * MIN, receipt: {} }],
    silences: [{ id: 's1', alert: 'other', createdAt: T - MIN, endsAt: T + 60 * MIN, comment: 'c', author: 'a' }],
    sources: {},
    cursors: {},
    conversations: [],
    lastRun: { startedAt: T - 5 * MIN, finishedAt: T - 5 * MIN, exitCode: 0, lastSuccessAt: T - 5 * MIN },
  };
}

test('bad times in the state file are named and set aside; run and status go on with the rest', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('bad-times');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], throttle: '1m', title: 'Logon {{key}}' });
  const state = goodState(T);
  state.alerts.logons.keys.root.lastSeen = 1e20; // beyond the Date range
  state.pending[1].createdAt = 'yesterday';
  state.silences[0].endsAt = -5;
  state.sent[0].at = null;
  state.lastRun.startedAt = 8.64e15 + 1;
  state.alerts.logons.window.to = 'garbage';
  mkdirSync(join(project.dir, 'state'));
  writeFileSync(join(project.dir, 'state', 'state.json'), JSON.stringify(state));
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T) });
  assertOk(status, 'status');
  assert.match(status.stdout, /^warning: state file .*state\.json has 6 part\(s\) of the wrong shape, left out \(.*\); a run will set them aside$/m);
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assertOk(run, 'run');
  const warning = run.stderr.split('\n').find((l) => l.includes('of the wrong shape'));
  assert.ok(warning, run.stderr);
  assert.match(warning, /^warning: state file .*state\.json has 6 part\(s\) of the wrong shape, left out \(pending\[1\] "p-bad": createdAt is a string, not a time in ms; sent\[0\] "n1": at is null, not a time in ms; silences\[0\] "s1": endsAt is -5, outside the dates alertcron writes \(1970 to 9999\); and 3 more\); set aside in .*state\.json\.set-aside$/);
  const kept = readFileSync(join(project.dir, 'state', 'state.json.set-aside'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(kept.map((k) => k.where).sort(), ['alerts["logons"].keys["root"]', 'alerts["logons"].window', 'lastRun', 'pending[1] "p-bad"', 'sent[0] "n1"', 'silences[0] "s1"'].sort());
  assert.equal(kept.find((k) => k.where === 'pending[1] "p-bad"').value.title, 'notice p-bad', 'the item is kept as it was read');
  const after = project.state();
  assert.ok(after.alerts.logons.keys.admin, 'the good key stays');
  assert.ok(after.alerts.logons.keys.root, 'the set-aside key is seen afresh');
  assert.ok(after.alerts.logons.keys.root.lastSeen <= T, 'with a real time');
  assert.ok((world.slack.accepted() as { text: string }[]).some((b) => b.text.includes('notice p-good')), 'the good pending notice is delivered');
  assert.ok(!(world.slack.accepted() as { text: string }[]).some((b) => b.text.includes('notice p-bad')), 'the bad one is not');
  const again = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assertOk(again, 'the next run');
  assert.doesNotMatch(again.stderr, /wrong shape/, 'set aside once');
  assertOk(await project.run(['status'], { ALERTCRON_NOW: iso(T + MIN) }), 'status after');
});

test('a login token of the wrong shape is set aside without its value: the secret is in no output and no set-aside file', async () => {
  const T = uniqueBaseTime();
  const project = world.project();
  project.writeAlert('logons', { index: 'nothing-here', condition: { type: 'any' }, notify: ['soc-slack'] });
  const state = goodState(T);
  state.tokens = { maxpatrol: { value: 'SECRET-TOKEN-4711', obtainedAt: 'then', expiresAt: T + MIN } };
  mkdirSync(join(project.dir, 'state'));
  writeFileSync(join(project.dir, 'state', 'state.json'), JSON.stringify(state));
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T) });
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assertOk(run, 'run');
  assert.match(run.stderr, /tokens\["maxpatrol"\]: obtainedAt is a string, not a time in ms/);
  const kept = readFileSync(join(project.dir, 'state', 'state.json.set-aside'), 'utf8');
  assert.match(kept, /tokens\[\\"maxpatrol\\"\]/);
  for (const text of [status.stdout, status.stderr, run.stdout, run.stderr, kept]) assert.doesNotMatch(text, /SECRET-TOKEN-4711/);
});

test('a bad time in the key file (keys read when needed) is named and set aside by run and status', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('bad-key-times');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root'), logonEvent(T - MIN, 'admin')]);
  const project = world.project();
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], throttle: '1h', lookback: '15m' });
  assertOk(await project.run(['run'], { ALERTCRON_NOW: iso(T) }), 'first run');
  const stateFile = join(project.dir, 'state', 'state.json');
  editKeyFile(stateFile, (keys) => {
    keys.logons!.root.lastFired = 'garbage';
  });
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + MIN) });
  assertOk(status, 'status');
  assert.match(status.stdout, /^warning: the alerts' key history has 1 part\(s\) of the wrong shape, left out \(alerts\["logons"\]\.keys\["root"\]: lastFired is a string, not a time in ms\); a run will set them aside$/m);
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assertOk(run, 'run');
  assert.match(run.stderr, /^warning: the alerts' key history has 1 part\(s\) of the wrong shape, left out \(alerts\["logons"\]\.keys\["root"\]: lastFired is a string, not a time in ms\); set aside in .*state\.json\.set-aside$/m);
  assert.ok(existsSync(`${stateFile}.set-aside`));
  assert.equal(typeof project.state().alerts.logons.keys.root.lastSeen, 'number');
  assertOk(await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) }), 'the next run');
});

test('journal lines of the wrong shape (a bad time, a queued action that is not an item) are skipped; the notice is retried', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('bad-journal');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  project.writeAlert('logons', { index, condition: { type: 'any' }, notify: ['soc-slack'], title: 'Logon' });
  world.slack.behaviour = 'server-error';
  const failed = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(failed.code, 4, failed.stderr);
  const [item] = project.state().pending;
  const journal = join(project.dir, 'state', 'state.json.journal');
  writeFileSync(journal, [{ id: item.id, at: 'garbage' }, { id: item.id, at: T, then: 7 }, { id: item.id, at: -1 }].map((l) => JSON.stringify(l)).join('\n') + '\n');
  assertOk(await project.run(['status'], { ALERTCRON_NOW: iso(T + MIN) }), 'status');
  world.slack.behaviour = 'ok';
  assertOk(await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) }), 'run');
  assert.equal(world.slack.accepted().length, 1, 'the notice the bad lines named is sent, not taken as delivered');
  assert.deepEqual(project.state().pending, []);
});

/**
 * A project whose state lives in a fresh index of the engine, with an alert over `index` that has run once at T;
 * `put` writes a state document into that index as another host (or a person) might.
 */
async function clusterProject(index: string, T: number, throttle: string) {
  const shared = `alertcron-state-test-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(shared);
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), run: { deadline: '10s' }, state: { backend: 'cluster', index: shared, host_id: 'h', lease_ttl: '12s', max_clock_skew: '1s', lock_wait: '4s' } });
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], throttle, lookback: '15m' });
  assertOk(await project.run(['run'], { ALERTCRON_NOW: iso(T) }), 'first run');
  const put = async (id: string, doc: unknown) => {
    const answer = await fetch(`${world.esUrl}/${shared}/_doc/${encodeURIComponent(id)}?refresh=true`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
    assert.ok(answer.ok, await answer.text());
  };
  return { project, put };
}

test('a cluster meta document of the wrong shape ("pending": 7) and bad documents are set aside; run and status go on', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('bad-docs');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const { project, put } = await clusterProject(index, T, '1h');
  await put('meta:state', { kind: 'meta', id: 'meta:state', body: { pending: 7, cursors: [] } });
  await put('pending:junk', { kind: 'pending', id: 'pending:junk', body: 'not an object' });
  await put('silence:bad', { kind: 'silence', id: 'silence:bad', body: { id: 'bad', alert: 'logons', createdAt: T, endsAt: 'never', comment: '', author: '' } });
  await put('alert:logons2', { kind: 'alert', id: 'alert:logons2', body: { keys: { x: { firstSeen: -1, lastSeen: T, fired: 0, delivered: {} } }, window: { from: T, to: 1e300 } } });
  const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + MIN) });
  assertOk(status, 'status');
  assert.match(status.stdout, /^warning: the state index \S+ has 6 part\(s\) of the wrong shape, left out \(state document "meta:state"\.pending: "pending" does not belong in the meta document; state document "pending:junk": its body is a string, not an object; silences\[0\] "bad": endsAt is a string, not a time in ms; and 3 more\); a run will set them aside$/m);
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assertOk(run, 'run');
  assert.match(run.stderr, /^warning: the state index \S+ has 6 part\(s\) of the wrong shape, left out \(.*\); set aside in .*\.set-aside$/m);
  const again = await project.run(['run'], { ALERTCRON_NOW: iso(T + 2 * MIN) });
  assertOk(again, 'the next run');
  assert.doesNotMatch(again.stderr, /wrong shape/, 'the documents were rewritten without what was set aside');
  assertOk(await project.run(['status'], { ALERTCRON_NOW: iso(T + 2 * MIN) }), 'status after');
});

/** A value that is not a time alertcron writes, or any JSON at all. */
const badValue = fc.oneof(
  fc.constantFrom(null, 'garbage', '', -1, 1e20, 8.64e15, 8.64e15 + 1, 8.5e15, 253_402_300_800_000, -8.64e15, 1.5e300, true, [], {}),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 10 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Paths into goodState() where a time (or a whole part) lives. */
const PATHS = [
  'alerts.logons.keys.root.lastSeen', 'alerts.logons.keys.root.firstSeen', 'alerts.logons.keys.root.lastFired', 'alerts.logons.keys.root.delivered.soc-slack',
  'alerts.logons.keys.root', 'alerts.logons.keys', 'alerts.logons.window.to', 'alerts.logons.window', 'alerts.logons.lastRunAt', 'alerts.logons',
  'pending.0.createdAt', 'pending.1.notBefore', 'pending.0', 'pending', 'sent.0.at', 'sent', 'sent.0', 'silences.0.endsAt', 'silences.0.createdAt',
  'silences', 'lastRun.startedAt', 'lastRun', 'sources', 'cursors', 'conversations', 'chats', 'chatDone', 'chatLog', 'tokens',
];

/** Sets the value at a dotted path of an object. */
function setPath(target: any, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part];
  node[parts.at(-1)!] = value;
}

test('property: state files with garbage time fields and parts of random shapes never make run or status fail', async () => {
  const index = await world.index('bad-state-prop');
  await checkProperty(
    'garbage state fields',
    fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...PATHS), badValue), { minLength: 1, maxLength: 4 }), async (changes) => {
      const T = uniqueBaseTime();
      await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
      const project = world.project();
      project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], throttle: '1m', lookback: '5m' });
      const state = goodState(T);
      for (const [path, value] of changes) {
        try {
          setPath(state, path, value);
        } catch {
          // the part above was replaced by an earlier change
        }
      }
      mkdirSync(join(project.dir, 'state'));
      writeFileSync(join(project.dir, 'state', 'state.json'), JSON.stringify(state));
      for (const [minutes, args] of [[0, ['status']], [0, ['run']], [1, ['run']], [1, ['status', '--json']], [1, ['list']]] as const) {
        const result = await project.run([...args], { ALERTCRON_NOW: iso(T + minutes * MIN) });
        assertNoInternalError(result, `${args.join(' ')} with ${JSON.stringify(changes)}`);
      }
      project.cleanup();
      return true;
    }),
    15,
  );
});

test('property: documents of random shapes in the state index never make run or status fail', async () => {
  const index = await world.index('bad-docs-prop');
  const kind = fc.constantFrom('meta', 'alert', 'pending', 'sent', 'silence');
  const doc = fc.record({
    kind,
    name: fc.oneof(fc.constantFrom('state', 'logons', '__proto__', 'constructor'), fc.string({ minLength: 1, maxLength: 8 })),
    body: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ keys: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })), window: fc.jsonValue({ maxDepth: 1 }) }),
      fc.record({ id: fc.string({ maxLength: 6 }), alert: fc.constant('logons'), key: fc.string({ maxLength: 6 }), createdAt: badValue, at: badValue, endsAt: badValue, channel: fc.constant('soc-slack') }),
      fc.dictionary(fc.constantFrom('pending', 'alerts', 'chats', 'chatLog', 'chatDone', 'cursors', 'conversations', 'lastRun', 'tokens'), fc.jsonValue({ maxDepth: 2 })),
    ),
  });
  await checkProperty(
    'state documents of random shapes',
    fc.asyncProperty(fc.array(doc, { minLength: 1, maxLength: 4 }), async (docs) => {
      const T = uniqueBaseTime();
      await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
      const { project, put } = await clusterProject(index, T, '1m');
      for (const d of docs) await put(`${d.kind}:${d.name}`, { kind: d.kind, id: `${d.kind}:${d.name}`, body: d.body });
      for (const [minutes, args] of [[1, ['status']], [1, ['run']], [2, ['run']], [2, ['status', '--json']], [2, ['list']]] as const) {
        assertNoInternalError(await project.run([...args], { ALERTCRON_NOW: iso(T + minutes * MIN) }), `${args.join(' ')} with ${JSON.stringify(docs)}`);
      }
      project.cleanup();
      return true;
    }),
    10,
  );
});
