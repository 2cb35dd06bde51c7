import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertBase } from '../../src/model/alert.js';
import { fetchStage } from '../../src/run/fetch.js';
import type { FetchOutcome, FetchResult, Source } from '../../src/sources/types.js';

const MIN = 60_000;
const alert = { name: 'a', file: 'alerts/a.yaml', description: '', source: 'stub', every: MIN, throttle: MIN, ingest_delay: 0, max_catchup: 60 * MIN, first_lookback: MIN, samples: 0, notify: ['slack'], high_risk_words: [], resolve_after: 1, title: 'a' } as unknown as AlertBase;

test('a source\'s fetch time (alertcron_source_fetch_duration_seconds) leaves out the evaluation done in settle while it fetched', async () => {
  const source: Source = {
    name: 'stub',
    actions: {},
    plan: (a, w) => ({ alert: a, window: w, request: undefined }),
    fetch: async (_plans, _now, _signal, settle?: (index: number, outcome: FetchOutcome) => void): Promise<FetchResult> => {
      settle?.(0, { ok: true, findings: [] });
      return { outcomes: [], calls: 1 };
    },
  };
  // An evaluation that takes 400 ms of the fetch's wall time; the stub source itself takes next to none.
  const SLOW = 400;
  const result = await fetchStage([{ alert, window: { from: 0, to: MIN } }], new Map([['stub', source]]), 0, new AbortController().signal, undefined, () => {
    const until = performance.now() + SLOW;
    while (performance.now() < until);
  });
  assert.equal(result.fetched[0], undefined);
  assert.ok(result.elapsedMs.stub! < SLOW / 2, `elapsedMs ${result.elapsedMs.stub}`);
});
