import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromDocs, toDocs } from '../../src/state/cluster/docs.js';
import { emptyState, LOCAL_SLICES } from '../../src/model/state.js';
import { contentOf } from '../support/content.js';

test('the state splits into one document per alert, pending item, sent notice and silence, and comes back whole; local slices stay out', () => {
  const data = emptyState() as ReturnType<typeof emptyState> & { tokens?: unknown };
  data.alerts.a = { window: { from: 1, to: 2 }, keys: { k: { firstSeen: 1, lastSeen: 2, fired: 1, delivered: { mail: 2 } } } };
  data.alerts['b.c'] = { keys: {} };
  data.pending.push({ id: 'p2', alert: 'a', key: 'k', channel: 'mail', reason: 'first', title: 't', message: 'm', createdAt: 5, attempts: 0 });
  data.pending.push({ id: 'p1', alert: 'a', key: 'k', channel: 'slack', reason: 'first', title: 't', message: 'm', createdAt: 4, attempts: 1 });
  data.sent.push({ id: 's1', alert: 'a', key: 'k', channel: 'mail', reason: 'first', at: 3, receipt: { id: 'r' } });
  data.silences.push({ id: 'x', alert: '*', createdAt: 1, endsAt: 9, comment: 'c', author: 'me' });
  data.cursors.telegram = { offset: 7 };
  data.lastRun = { startedAt: 1, finishedAt: 2, exitCode: 0 };
  data.sources.elasticsearch = { failures: 2, lastError: 'down' };
  data.tokens = { maxpatrol: { value: 'secret', obtainedAt: 1, expiresAt: 2 } };

  const docs = toDocs(data);
  assert.deepEqual([...docs.keys()].sort(), ['alert:a', 'alert:b.c', 'meta:state', 'pending:p1', 'pending:p2', 'sent:s1', 'silence:x']);
  const text = JSON.stringify([...docs.values()]);
  assert.doesNotMatch(text, /secret|down/, 'tokens and source health never go to the cluster');
  assert.deepEqual(LOCAL_SLICES, ['sources', 'tokens', 'runs'], 'each host keeps its own run history');

  const back = fromDocs(docs.values());
  const { sources: _s, tokens: _t, ...shared } = data;
  assert.deepEqual(contentOf(back), contentOf({ ...shared, sources: {}, pending: [data.pending[1], data.pending[0]] }), 'everything else, pending oldest first');
});
