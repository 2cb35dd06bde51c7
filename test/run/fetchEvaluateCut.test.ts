import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { test } from 'node:test';
import type { AlertBase } from '../../src/model/alert.js';
import { fetchAndEvaluate } from '../../src/run/fetchEvaluate.js';
import type { FetchOutcome, FetchResult, Source } from '../../src/sources/types.js';

const MIN = 60_000;
const alert = (name: string) => ({ name, file: `alerts/${name}.yaml`, description: '', source: 'stub', every: MIN, throttle: MIN, ingest_delay: 0, max_catchup: 60 * MIN, first_lookback: MIN, samples: 0, notify: ['slack'], high_risk_words: [], resolve_after: 1, title: name }) as unknown as AlertBase;
const window = { from: 0, to: MIN };

test('an evaluation told before the deadline cut its source is replaced by the cut without an unhandled rejection, and nothing is told after the cut', async () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    const deadline = new AbortController();
    let tellLate: (() => void) | undefined;
    const source: Source = {
      name: 'stub',
      actions: {},
      plan: (a, w) => ({ alert: a, window: w, request: undefined }),
      // Tells the first alert an outcome its evaluation cannot read (it rejects), then never ends.
      fetch: (_plans, _now, _signal, settle?: (index: number, outcome: FetchOutcome) => void) => {
        settle?.(0, undefined as never);
        tellLate = () => settle?.(1, { ok: true, findings: [] });
        return new Promise<FetchResult>(() => {});
      },
    };
    setTimeout(() => deadline.abort(), 20);
    const done = await fetchAndEvaluate([{ alert: alert('a'), window }, { alert: alert('b'), window }], new Map([['stub', source]]), 0, deadline.signal, undefined, () => undefined, {});
    tellLate?.();
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(done.evaluated.map((e) => e.ok), [false, false]);
    assert.ok(done.evaluated.every((e) => !e.ok && /deadline/.test(e.error)));
    assert.deepEqual(rejections, []);
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});
