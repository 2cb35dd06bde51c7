// updateProblems: a problem is told only once it has lasted, at most once a day while it lasts, and told fixed
// only after it was told; generated sequences of observations check it against a small model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { AlertState } from '../../src/model/state.js';
import { PROBLEM_GRACE, RETELL_AFTER, updateProblems, type ProblemNews } from '../../src/policy/alertProblems.js';
import { checkProperty } from '../support/property.js';

const MIN = 60_000;
const fresh = (): AlertState => ({ keys: {} });

test('a problem is told after the grace, not again within a day, again after a day, and told fixed once', () => {
  const state = fresh();
  const seen = (at: number, message?: string) => updateProblems(state, [{ kind: 'index', message }], at);
  assert.deepEqual(seen(0, 'gone'), []);
  assert.deepEqual(seen(PROBLEM_GRACE - MIN, 'gone'), []);
  assert.deepEqual(seen(PROBLEM_GRACE, 'gone'), [{ kind: 'index', news: 'problem', message: 'gone', since: 0 }]);
  assert.deepEqual(seen(PROBLEM_GRACE + RETELL_AFTER - MIN, 'gone'), []);
  assert.deepEqual(seen(PROBLEM_GRACE + RETELL_AFTER, 'still gone'), [{ kind: 'index', news: 'problem', message: 'still gone', since: 0 }]);
  assert.deepEqual(seen(PROBLEM_GRACE + RETELL_AFTER + MIN), [{ kind: 'index', news: 'fixed', message: 'still gone', since: 0 }]);
  assert.equal(state.problems, undefined, 'a fixed problem is forgotten');
  assert.deepEqual(seen(PROBLEM_GRACE + RETELL_AFTER + 2 * MIN), [], 'fixed is told once');
});

test('a problem gone before the grace is forgotten without a word; an immediate one is told at once', () => {
  const state = fresh();
  assert.deepEqual(updateProblems(state, [{ kind: 'index', message: 'x' }], 0), []);
  assert.deepEqual(updateProblems(state, [{ kind: 'index' }], 30 * MIN), []);
  assert.equal(state.problems, undefined);
  assert.deepEqual(updateProblems(state, [{ kind: 'timestamp_field', message: 'y', immediate: true }], 31 * MIN).map((n) => n.news), ['problem']);
});

test('times stored while the clock was ahead: the problem lasts from now, and a told one is told again once it has lasted', () => {
  const state = { keys: {}, problems: { index: { message: 'm', since: 10 * PROBLEM_GRACE, lastSeen: 10 * PROBLEM_GRACE, toldAt: 10 * PROBLEM_GRACE } } } as AlertState;
  assert.deepEqual(updateProblems(state, [{ kind: 'index', message: 'm' }], 0), []);
  assert.deepEqual(updateProblems(state, [{ kind: 'index', message: 'm' }], PROBLEM_GRACE), [{ kind: 'index', news: 'problem', message: 'm', since: 0 }]);
});

test('a hand-edited problems record of the wrong shape is replaced, not trusted', () => {
  for (const bad of ['text', 7, null, [], { index: 'x' }, { index: { message: 1, since: 0, lastSeen: 0 } }]) {
    const state = { keys: {}, problems: bad } as unknown as AlertState;
    assert.deepEqual(updateProblems(state, [{ kind: 'index', message: 'm' }], 5), []);
    assert.deepEqual({ ...state.problems }, { index: { message: 'm', since: 5, lastSeen: 5 } });
  }
});

const step = fc.record({
  gap: fc.integer({ min: 0, max: 3 * RETELL_AFTER / MIN }).map((m) => m * MIN),
  kind: fc.constantFrom('index', 'group_by', 'template'),
  message: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  immediate: fc.boolean(),
});

test('generated observations: told only after the grace (or at once when immediate), at most once a day, fixed only after told', async () => {
  await checkProperty(
    'alert problems are told as promised',
    fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
      const state = fresh();
      // The model: per kind, since when it has been seen without a break, and when it was last told.
      const model = new Map<string, { since: number; message: string; toldAt?: number }>();
      let now = 1_000_000;
      for (const s of steps) {
        now += s.gap;
        const news: ProblemNews[] = updateProblems(state, [{ kind: s.kind, message: s.message, immediate: s.immediate }], now);
        const before = model.get(s.kind);
        if (s.message === undefined) {
          model.delete(s.kind);
          assert.deepEqual(news, before?.toldAt !== undefined ? [{ kind: s.kind, news: 'fixed', message: before.message, since: before.since }] : []);
          continue;
        }
        const m = before ?? { since: now, message: s.message };
        m.message = s.message;
        model.set(s.kind, m);
        const due = (s.immediate || now - m.since >= PROBLEM_GRACE) && (m.toldAt === undefined || now - m.toldAt >= RETELL_AFTER);
        if (due) m.toldAt = now;
        assert.deepEqual(news, due ? [{ kind: s.kind, news: 'problem', message: s.message, since: m.since }] : []);
        assert.equal(state.problems?.[s.kind]?.since, m.since);
      }
    }),
    300,
  );
});
