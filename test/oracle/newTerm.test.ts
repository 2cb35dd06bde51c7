import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayAll, run, type OracleResult } from '../support/oracle.js';
import { uniqueBaseTime } from '../support/seed.js';
import { useWorld } from '../support/world.js';
import { NEW_TERM_SPAN_MINUTES, newTermEvents, termRuns } from './datasets/newTerm.js';

const MIN = 60_000;
const world = useWorld();

test('oracle new_term: a term per field and a compound term, new, known, twice in a step, with a field missing; a term last seen more than terms_window_size ago is new again in alertcron only (documented)', async () => {
  const S = uniqueBaseTime();
  const base = { start: S, end: S + NEW_TERM_SPAN_MINUTES * MIN, docs: newTermEvents(S) };
  // use_keyword_postfix: false because the index maps strings as keywords (ElastAlert2 would read user.name.keyword).
  const [user, pair] = (await replayAll(world, [
    {
      ...base,
      name: 'new-user',
      elastalert: { type: 'new_term', fields: ['user.name'], terms_window_size: { days: 1 }, use_keyword_postfix: false },
      alertcron: { condition: { type: 'new_term', fields: 'user.name', terms_window_size: '1d' } },
    },
    {
      ...base,
      name: 'new-pair',
      elastalert: { type: 'new_term', fields: [['user.name', 'source.ip']], terms_window_size: { days: 1 }, use_keyword_postfix: false },
      alertcron: { condition: { type: 'new_term', fields: ['user.name', 'source.ip'], terms_window_size: '1d' } },
    },
  ])) as [OracleResult, OracleResult];
  assert.deepEqual(user.elastalert.errors, []);
  // carol (last seen 2 days ago) twice in minute 12: one run; dave (without source.ip) in minute 50. alice is known.
  assert.deepEqual(termRuns(user, ['user.name']), [run(S + 13 * MIN, 'carol'), run(S + 51 * MIN, 'dave')]);
  // bob was seen at S-23h30m: inside ElastAlert2's baseline, read once when it starts ([S-1d, S)) and never aged
  // out; alertcron checks each window against the terms_window_size before it, so at S+40m bob is new again.
  assert.deepEqual(user.alertcron.runs, [run(S + 13 * MIN, 'carol'), run(S + 41 * MIN, 'bob'), run(S + 51 * MIN, 'dave')]);

  assert.deepEqual(pair.elastalert.errors, []);
  // alice from a new address, carol's pair, dave's pair once he has an address; an event missing either field is
  // no compound term in either tool.
  const common = [run(S + 11 * MIN, 'alice, 203.0.113.7'), run(S + 13 * MIN, 'carol, 10.0.0.3'), run(S + 71 * MIN, 'dave, 10.0.0.9')];
  assert.deepEqual(termRuns(pair, ['user.name', 'source.ip']), common);
  assert.deepEqual(pair.alertcron.runs, [...common, run(S + 41 * MIN, 'bob, 10.0.0.2')].sort());
});
