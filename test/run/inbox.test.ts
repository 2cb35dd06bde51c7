import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyState, type StateData } from '../../src/model/state.js';
import type { ChannelConfig } from '../../src/notify/config.js';
import type { ChatAction, InboxReader } from '../../src/notify/types.js';
import { inboxStage } from '../../src/run/inbox.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const CHANNELS = { team: { type: 'telegram' } as ChannelConfig, mail: { type: 'email' } as ChannelConfig };

/** A state with one firing key, and a transaction that keeps a copy of the data at every commit. */
function transaction() {
  const data: StateData = emptyState();
  data.alerts.admins = { keys: { root: { firstSeen: NOW - 60_000, lastSeen: NOW - 60_000, lastFired: NOW - 60_000, fired: 1, delivered: { team: NOW } } } };
  const commits: StateData[] = [];
  return { data, commits, commit: async () => void commits.push(structuredClone(data)) };
}

/** An inbox that returns fixed actions and a new cursor, and remembers the cursor it was asked from. */
function inbox(actions: ChatAction[], cursor: unknown, askedFrom: unknown[]): InboxReader {
  return { read: async (from) => (askedFrom.push(from), { actions, cursor }) };
}

test('the inbox stage applies chat actions through the operations, commits them, and only then stores the cursor', async () => {
  const tx = transaction();
  tx.data.cursors.team = 41;
  const askedFrom: unknown[] = [];
  const actions: ChatAction[] = [
    { id: 'tg:1', chat: '-100', request: { op: 'ack', alert: 'admins', key: 'root', by: 'alice' } },
    { id: 'tg:2', chat: '-100', request: { op: 'silence', alert: 'admins', forMs: 3_600_000, comment: 'maintenance', by: 'bob' } },
    { id: 'tg:3', chat: '-100', request: { op: 'ack', alert: 'admins', key: 'nobody', by: 'eve' } },
  ];
  const result = await inboxStage(tx, CHANNELS, async () => undefined, NOW, async (name) => (name === 'team' ? inbox(actions, 44, askedFrom) : undefined));
  assert.deepEqual(askedFrom, [41], 'read from the stored cursor; channels that cannot read are skipped');
  assert.deepEqual(result.actions.map((a) => [a.op, a.ok]), [['ack', true], ['silence', true], ['ack', false]]);
  assert.deepEqual(tx.data.alerts.admins!.keys.root!.acknowledged, { at: NOW, by: 'alice' });
  assert.equal(tx.data.silences[0]!.author, 'bob');
  assert.equal(tx.commits.length, 2);
  assert.equal(tx.commits[0]!.cursors.team, 41, 'the effects were saved while the old cursor was still stored');
  assert.ok(tx.commits[0]!.alerts.admins!.keys.root!.acknowledged, 'the first commit holds the effects');
  assert.equal(tx.commits[1]!.cursors.team, 44, 'the cursor moved only after');
  assert.deepEqual(result.audit.map((e) => [e.event, e.op, e.by, e.ok]), [['chat_action', 'ack', 'alice', true], ['chat_action', 'silence', 'bob', true], ['chat_action', 'ack', 'eve', false]]);
});

test('an inbox that cannot be read keeps its cursor and does not stop the run', async () => {
  const tx = transaction();
  tx.data.cursors.team = 7;
  const failing: InboxReader = { read: async () => { throw new Error('Telegram answered HTTP 502'); } };
  const result = await inboxStage(tx, CHANNELS, async () => undefined, NOW, async (name) => (name === 'team' ? failing : undefined));
  assert.deepEqual(result.warnings, ['channel team: could not read its inbox: Telegram answered HTTP 502']);
  assert.equal(tx.data.cursors.team, 7);
  assert.equal(tx.commits.length, 0);
});

test('an action read again after a kill (same id) is not applied twice: one silence, not two', async () => {
  const tx = transaction();
  const actions: ChatAction[] = [{ id: 'tg:9', chat: '-100', request: { op: 'silence', alert: 'admins', forMs: 3_600_000, comment: 'x', by: 'bob' } }];
  // The first run saved the effects and was killed before its cursor: the second reads the same update.
  await inboxStage(tx, CHANNELS, async () => undefined, NOW, async (name) => (name === 'team' ? inbox(actions, 5, []) : undefined));
  tx.data.cursors.team = undefined;
  const again = await inboxStage(tx, CHANNELS, async () => undefined, NOW + 60_000, async (name) => (name === 'team' ? inbox(actions, 5, []) : undefined));
  assert.equal(tx.data.silences.length, 1);
  assert.deepEqual(again.actions.map((a) => a.message), ['already applied']);
  assert.deepEqual(tx.data.chatLog!.map((e) => [e.by, e.what, e.ok]), [['bob', 'silence admins', true], ['bob', 'silence admins', true]]);
});

test('a source action through chat (op act): its new labels decide what the notice offers now, its fresh finding re-renders the notice', async () => {
  const { SOURCES } = await import('../../src/sources/registry.js');
  const { offeredActions } = await import('../../src/sources/chatActions.js');
  SOURCES.siem = {
    name: 'siem',
    chatActions: [
      { name: 'confirm', label: 'Confirm', op: 'act', appliesTo: (labels: Record<string, string>) => labels.status === 'New' },
      { name: 'refresh', label: 'Refresh', op: 'act' },
    ],
  } as unknown as (typeof SOURCES)[string];
  try {
    assert.deepEqual(offeredActions('siem', { status: 'New' }).map((a) => [a.name, a.source]), [['confirm', 'siem'], ['refresh', 'siem']]);
    const tx = transaction();
    tx.data.sent.push({ id: 'n1', alert: 'incidents', key: 'INC-7', channel: 'team', reason: 'first', at: NOW, receipt: { id: '5', chat: '-100' }, ref: 'abcdefgh', actions: offeredActions('siem', { status: 'New' }) });
    const calls: string[] = [];
    const source = {
      name: 'siem',
      actions: {
        confirm: async (key: string) => (calls.push(`confirm ${key}`), { message: `${key} confirmed`, labels: { status: 'Approved' } }),
        refresh: async (key: string) => (calls.push(`refresh ${key}`), { message: 'refreshed', finding: { key, count: 1, samples: [], fields: { status: 'Approved' } } }),
      },
    };
    const told: unknown[] = [];
    const reader: InboxReader = {
      read: async () => ({
        actions: [
          { id: 'tg:1', chat: '-100', notice: 'n1', action: 'confirm', request: { op: 'act', source: 'siem', action: 'confirm', key: 'INC-7', by: 'alice', alert: 'incidents' } },
          { id: 'tg:2', chat: '-100', notice: 'n1', action: 'refresh', request: { op: 'act', source: 'siem', action: 'refresh', key: 'INC-7', by: 'alice', alert: 'incidents' } },
        ],
        cursor: 3,
      }),
      respond: async (outcomes) => (told.push(...outcomes), { warnings: [], owed: [] }),
    };
    const lookup = { sourceOf: () => 'siem', render: (_alert: string, finding: { fields: Record<string, unknown> }) => ({ title: `INC-7 is ${String(finding.fields.status)}`, message: 'm' }) };
    const result = await inboxStage(tx, CHANNELS, async () => source as never, NOW, async (name) => (name === 'team' ? reader : undefined), 10_000, lookup as never);
    assert.deepEqual(calls, ['confirm INC-7', 'refresh INC-7']);
    assert.deepEqual(result.actions.map((a) => a.ok), [true, true]);
    const [confirmed, refreshed] = told as { offers?: { name: string }[]; rendered?: { title: string } }[];
    assert.deepEqual(confirmed!.offers!.map((a) => a.name), ['refresh'], 'no Confirm once the status is Approved');
    assert.equal(refreshed!.rendered!.title, 'INC-7 is Approved');
    assert.deepEqual(tx.data.sent[0]!.offered!.map((a) => a.name), ['refresh']);
  } finally {
    delete SOURCES.siem;
  }
});

test('a Telegram backlog of 150 updates is read a page at a time: a kill after the first page loses nothing, the next run reads all 150 once', async () => {
  const { startTelegramServer } = await import('../support/telegramServer.js');
  const { createTelegramInbox } = await import('../../src/notify/telegramInbox.js');
  const server = await startTelegramServer();
  try {
    const config = { type: 'telegram', api_url: server.base, bot_token: server.token, timeout: 5000, chat_id: '-100' } as ChannelConfig;
    const channels = { team: config };
    const reader = createTelegramInbox('team', config as never);
    const alice = { id: 101, first_name: 'Alice' };
    for (let i = 0; i < 150; i++) server.say(alice, { id: alice.id, type: 'private' }, `note ${i}`);
    // The first run is killed at its first commit (after reading and applying page one, before anything is saved).
    const saved: StateData = emptyState();
    const killed = { data: structuredClone(saved), commit: async () => { throw new Error('killed'); } };
    await assert.rejects(inboxStage(killed, channels, async () => undefined, NOW, async () => reader), /killed/);
    assert.equal(server.queued(), 150, 'reading one page confirmed nothing: Telegram still holds all 150');
    assert.deepEqual(server.polls.map((p) => p.returned), [100]);
    // The next run starts from the saved state (no cursor) and reads both pages, one after the other.
    const tx = { data: structuredClone(saved), commits: [] as StateData[], commit: async () => void tx.commits.push(structuredClone(tx.data)) };
    const result = await inboxStage(tx, channels, async () => undefined, NOW + 60_000, async () => reader);
    assert.deepEqual(result.messages.map((m) => m.text), Array.from({ length: 150 }, (_, i) => `note ${i}`));
    assert.deepEqual(server.polls.map((p) => p.returned), [100, 100, 50]);
    assert.equal(tx.commits.length, 2, 'one commit (with the cursor after it) per page');
    assert.equal(tx.commits[0]!.cursors.team, server.polls[2]!.offset, 'page one was stored before page two was asked for (which confirms page one)');
    assert.equal(server.queued(), 50, 'page two waits for its confirmation by the next run');
  } finally {
    await server.close();
  }
});

test('the inbox stage stays within its budget: a page that does not fit is left after the stored cursor for the next run', async () => {
  const tx = transaction();
  tx.data.cursors.team = 1;
  let reads = 0;
  const endless: InboxReader = { read: async (from) => (reads++, await new Promise((r) => setTimeout(r, 30)), { actions: [], cursor: Number(from) + 1, more: true }) };
  const result = await inboxStage(tx, CHANNELS, async () => undefined, NOW, async (name) => (name === 'team' ? endless : undefined), 100);
  assert.ok(reads >= 1 && reads <= 5, `read ${reads} pages`);
  assert.equal(tx.data.cursors.team, 1 + reads, 'the cursor covers exactly the pages applied');
  assert.match(result.warnings.join('\n'), /inbox stage used its share of run.deadline; the rest is read next run/);
});

test('a chat action is cut short by the stage budget (the source gets the signal), and the run goes on', async () => {
  const tx = transaction();
  let aborted = false;
  const source = { name: 's', actions: { promote: (_key: string, _args: unknown, signal?: AbortSignal) => new Promise((_, reject) => signal!.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted by the run deadline'))))) } };
  const reader = inbox([{ id: 'tg:1', chat: '-100', request: { op: 'promote', source: 's', key: 'root', by: 'alice' } as never }], 2, []);
  const keepAlive = setInterval(() => {}, 1000); // a real source's socket keeps the process alive; here nothing else does
  const result = await inboxStage(tx, CHANNELS, async () => source as never, NOW, async (name) => (name === 'team' ? reader : undefined), 50).finally(() => clearInterval(keepAlive));
  assert.equal(aborted, true);
  assert.deepEqual(result.actions.map((a) => [a.ok, a.message]), [[false, 'aborted by the run deadline']]);
});

test('answers owed: kept when the reader could not tell them, told first by the next stage, each once; a malformed entry in the state is dropped', async () => {
  const tx = transaction();
  const actions: ChatAction[] = [
    { id: 'tg:21', chat: '-100', request: { op: 'ack', alert: 'admins', key: 'root', by: 'alice' }, reply: { to: 1 } },
    { id: 'tg:22', chat: '-100', request: { op: 'silence', alert: 'admins', forMs: 60_000, comment: 'x', by: 'bob' }, reply: { to: 2 } },
  ];
  const told: string[] = [];
  let failing = new Set(['tg:22']);
  const reader = (page: ChatAction[], cursor: number): InboxReader => ({
    read: async () => ({ actions: page, cursor }),
    respond: async (outcomes) => {
      const owed = outcomes.filter((o) => failing.has(o.action.id)).map((o) => o.action.id);
      told.push(...outcomes.filter((o) => !failing.has(o.action.id)).map((o) => o.action.id));
      return { warnings: [], owed };
    },
  });
  const first = await inboxStage(tx, CHANNELS, async () => undefined, NOW, async (name) => (name === 'team' ? reader(actions, 2) : undefined));
  assert.deepEqual(told, ['tg:21']);
  assert.deepEqual(tx.data.chatOwed!.map((o) => (o.outcome as { action: { id: string } }).action.id), ['tg:22'], 'the one not told is owed in the state');
  assert.match(first.warnings.join('\n'), /1 chat action\(s\) applied but not yet confirmed in chat/);
  // A kill replays the page: the action is applied once and owed once. A hand-edited entry is dropped.
  tx.data.chatOwed!.push({ channel: 'team', at: NOW, outcome: { nonsense: true } } as never);
  failing = new Set();
  await inboxStage(tx, CHANNELS, async () => undefined, NOW + 60_000, async (name) => (name === 'team' ? reader([actions[1]!], 3) : undefined));
  assert.deepEqual(told, ['tg:21', 'tg:22'], 'told once, by the next stage');
  assert.deepEqual(tx.data.chatOwed, []);
  assert.equal(tx.data.silences.length, 1);
});

/** `count` answers owed to channel team by an earlier run, each for an applied action of its own. */
function owedAnswers(count: number) {
  return Array.from({ length: count }, (_, i) => ({ channel: 'team', at: NOW - 60_000, outcome: { action: { id: `tg:o${i}`, chat: '-100', request: { op: 'ack' as const, alert: 'admins', key: 'root', by: 'alice' } }, ok: true, message: 'acknowledged' } }));
}

test('answers owed are not told once the inbox budget is spent: a read that used it up starts no answer, this channel\'s nor the next one\'s', async () => {
  const tx = transaction();
  tx.data.chatOwed = owedAnswers(2).map((o) => ({ ...o, channel: 'other' }));
  const told: string[] = [];
  const reader = (slowRead: boolean): InboxReader => ({
    read: async () => {
      if (slowRead) await new Promise((resolve) => setTimeout(resolve, 150));
      return { actions: [], cursor: 1 };
    },
    respond: async (outcomes, signal) => {
      if (!signal.aborted) told.push(...outcomes.map((o) => o.action.id));
      return { warnings: [], owed: signal.aborted ? outcomes.map((o) => o.action.id) : [] };
    },
  });
  // The first channel's read spends the 100 ms budget; the second channel owes two answers.
  const channels = { team: { type: 'telegram' } as ChannelConfig, other: { type: 'telegram', bot_token: 'x' } as ChannelConfig };
  await inboxStage(tx, channels, async () => undefined, NOW, async (name) => reader(name === 'team'), 100);
  assert.deepEqual(told, [], 'nothing was told after the budget was spent');
  assert.equal(tx.data.chatOwed!.length, 2, 'the answers stay owed for the next run');
});

test('each owed answer is told with its own signal, and at most 100 per channel and run; the rest stay owed', async () => {
  const tx = transaction();
  tx.data.chatOwed = owedAnswers(150);
  const calls: { ids: string[]; signal: AbortSignal }[] = [];
  const reader: InboxReader = {
    read: async () => ({ actions: [], cursor: 1 }),
    respond: async (outcomes, signal) => (calls.push({ ids: outcomes.map((o) => o.action.id), signal }), { warnings: [], owed: [] }),
  };
  const result = await inboxStage(tx, CHANNELS, async () => undefined, NOW, async (name) => (name === 'team' ? reader : undefined), 10_000);
  assert.ok(calls.every((c) => c.ids.length === 1), 'one answer per call');
  assert.equal(new Set(calls.map((c) => c.signal)).size, calls.length, 'each with its own signal');
  assert.equal(calls.length, 100);
  assert.deepEqual(tx.data.chatOwed!.map((o) => (o.outcome as { action: { id: string } }).action.id), owedAnswers(150).slice(100).map((o) => o.outcome.action.id), 'the newest 50 wait for the next run');
  assert.ok(result.warnings.some((w) => /50 chat action\(s\) applied but not yet confirmed/.test(w)));
});

test('with hosts sharing the cluster state: an ack on an alert held elsewhere is queued under an id derived from the action, once even when its commit was lost and the action read again; a host that is not the coordinator reads no inbox', async () => {
  const { chatOpId } = await import('../../src/run/inbox.js');
  const { partitionOf } = await import('../../src/model/partition.js');
  const ownership = { host: 'host-a', partitions: new Set([(partitionOf('admins') + 1) % 64]), coordinator: true, took: [] };
  const actions: ChatAction[] = [{ id: 'tg:77', chat: '-100', request: { op: 'ack', alert: 'admins', key: 'root', by: 'alice' } }];
  const tx = { ...transaction(), ownership };
  tx.data.ops = [];
  const first = await inboxStage(tx, CHANNELS, async () => undefined, NOW, async (name) => (name === 'team' ? inbox(actions, 5, []) : undefined));
  assert.match(first.actions[0]!.message, /queued: applied by the host holding alert admins at its next run \(within a minute\)/);
  assert.equal(tx.data.alerts.admins!.keys.root!.acknowledged, undefined, 'not applied here: another host holds admins');
  assert.deepEqual(tx.data.ops.map((o) => [o.id, o.op, o.alert, o.key, o.by]), [[chatOpId('tg:77'), 'ack', 'admins', 'root', 'alice']]);
  // The commit that recorded chatDone was lost; the op's document was written: the action is read and applied again.
  delete tx.data.chatDone!['tg:77'];
  tx.data.cursors.team = undefined;
  await inboxStage(tx, CHANNELS, async () => undefined, NOW + 60_000, async (name) => (name === 'team' ? inbox(actions, 5, []) : undefined));
  assert.equal(tx.data.ops.length, 1, 'the same op id: nothing queued twice');
  const asked: unknown[] = [];
  const notCoordinator = { ...transaction(), ownership: { ...ownership, coordinator: false } };
  const none = await inboxStage(notCoordinator, CHANNELS, async () => undefined, NOW, async (name) => (name === 'team' ? inbox(actions, 5, asked) : undefined));
  assert.deepEqual([asked, none.actions], [[], []], 'only the coordinator reads the chats');
});
