import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyState } from '../../src/model/state.js';
import { takeQueuedAsks } from '../../src/run/askQueue.js';
import { conversationStage } from '../../src/run/conversations.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');

test('the coordinator takes the asks other hosts handed over (skipping one not of the shape), leaves none queued, and starts one conversation per alert and key', async () => {
  const data = emptyState();
  const ask = { id: 'sudo/alice', alert: 'sudo', key: 'alice', person: 'alice@example.org', title: 'sudo by alice', message: 'm', question: 'Did you?', links: ['https://x.example/1', 7], at: NOW - 30_000 };
  data.asks = [ask as never, { id: 'bad', alert: 'sudo' } as never, { ...ask, person: null } as never];
  const taken = takeQueuedAsks(data);
  assert.deepEqual(data.asks, [], 'the store deletes the ask: documents taken');
  assert.deepEqual(taken.map((a) => [a.alert, a.key, a.person, a.links]), [['sudo', 'alice', 'alice@example.org', ['https://x.example/1']], ['sudo', 'alice', undefined, ['https://x.example/1']]]);
  const alerts = new Map([['sudo', { name: 'sudo', ask: { via: 'soc-bot', person: 'user.email', deadline: 600_000, quiet_after_yes: 3_600_000, two_factor: false, people: {} } } as never]]);
  const result = await conversationStage(data, taken, { alerts, chat: async () => undefined, duo: undefined, pushTimeout: 0, commit: async () => undefined, signal: () => new AbortController().signal, now: NOW });
  assert.deepEqual(data.conversations.map((c) => c.id), ['sudo/alice'], 'one conversation for the alert and key');
  assert.ok(result.audit.some((e) => e.event === 'conversation' && e.to === 'new'));
  assert.deepEqual(takeQueuedAsks(emptyState()), [], 'the file backend has no queued asks');
});
