// updateProblems: a problem is told only once it has lasted (an hour and several runs), at most once a day per kind
// even when it comes and goes, and told fixed only after it was told and at most once a day; generated sequences
// of observations check it against a small model and against those promises directly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { AlertState } from '../../src/model/state.js';
import { PROBLEM_GRACE, PROBLEM_RUNS, RETELL_AFTER, updateProblems, type ProblemNews } from '../../src/policy/alertProblems.js';
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
  assert.deepEqual(updateProblems(state, [{ kind: 'index', message: 'm' }], 30 * MIN), []);
  assert.deepEqual(updateProblems(state, [{ kind: 'index', message: 'm' }], PROBLEM_GRACE), [{ kind: 'index', news: 'problem', message: 'm', since: 0 }]);
});

test('a hand-edited problems record of the wrong shape is replaced, not trusted', () => {
  for (const bad of ['text', 7, null, [], { index: 'x' }, { index: { message: 1, since: 0, lastSeen: 0 } }]) {
    const state = { keys: {}, problems: bad } as unknown as AlertState;
    assert.deepEqual(updateProblems(state, [{ kind: 'index', message: 'm' }], 5), []);
    assert.deepEqual({ ...state.problems }, { index: { message: 'm', since: 5, lastSeen: 5, runs: 1 } });
  }
});

test('two runs an hour apart with nothing judged between are not evidence enough; a third is', () => {
  const state = fresh();
  const seen = (at: number, message?: string) => updateProblems(state, [{ kind: 'group_by', message }], at);
  assert.deepEqual(seen(0, 'keyless'), []);
  assert.deepEqual(seen(PROBLEM_GRACE, 'keyless'), []);
  assert.deepEqual(seen(PROBLEM_GRACE + MIN, 'keyless').map((n) => n.news), ['problem']);
});

test('a problem that comes and goes (keyless hits, one keyed hit every two hours) is told and told fixed once a day, not every two hours', () => {
  const state = fresh();
  const told: string[] = [];
  for (let minute = 0; minute < 2 * 24 * 60; minute += 20) {
    const keyed = minute % 120 === 100;
    for (const n of updateProblems(state, [{ kind: 'group_by', message: keyed ? undefined : 'keyless' }], minute * MIN)) told.push(`${n.news}@${minute / 60}h`);
  }
  assert.deepEqual(told, ['problem@1h', 'fixed@1.6666666666666667h', 'problem@25h', 'fixed@25.666666666666668h']);
});

const step = fc.record({
  gap: fc.oneof(fc.integer({ min: 0, max: 3 * RETELL_AFTER / MIN }), fc.integer({ min: 0, max: 90 })).map((m) => m * MIN),
  kind: fc.constantFrom('index', 'group_by', 'template'),
  message: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  immediate: fc.boolean(),
});

test('generated observations: told only after the grace and PROBLEM_RUNS runs (or at once when immediate), told and told fixed at most once a day per kind', async () => {
  await checkProperty(
    'alert problems are told as promised',
    fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
      const state = fresh();
      // The model: per kind, since when it has been seen without a break (and in how many runs), when it was last
      // told; and, for a kind gone after being told, when it was told and told fixed, kept a day.
      const model = new Map<string, { since: number; message: string; runs: number; toldAt?: number }>();
      const gone = new Map<string, { toldAt: number; fixedAt?: number }>();
      // What was told, per kind and news, to check the promises apart from the model.
      const history = new Map<string, number[]>();
      let now = 1_000_000;
      for (const s of steps) {
        now += s.gap;
        for (const [kind, g] of gone) if (now - Math.max(g.toldAt, g.fixedAt ?? 0) >= RETELL_AFTER) gone.delete(kind);
        const news: ProblemNews[] = updateProblems(state, [{ kind: s.kind, message: s.message, immediate: s.immediate }], now);
        for (const n of news) {
          const times = history.get(`${n.kind}/${n.news}`) ?? [];
          assert.ok(!times.length || now - times[times.length - 1]! >= RETELL_AFTER, `${n.kind} told ${n.news} twice within a day`);
          history.set(`${n.kind}/${n.news}`, [...times, now]);
        }
        const before = model.get(s.kind);
        if (s.message === undefined) {
          model.delete(s.kind);
          const g = gone.get(s.kind);
          const fixedDue = before?.toldAt !== undefined && (g?.fixedAt === undefined || now - g.fixedAt >= RETELL_AFTER);
          if (before?.toldAt !== undefined) gone.set(s.kind, { toldAt: before.toldAt, fixedAt: fixedDue ? now : g?.fixedAt });
          assert.deepEqual(news, fixedDue ? [{ kind: s.kind, news: 'fixed', message: before!.message, since: before!.since }] : []);
          continue;
        }
        const m = before ?? { since: now, message: s.message, runs: 0, toldAt: gone.get(s.kind)?.toldAt };
        m.message = s.message;
        m.runs++;
        model.set(s.kind, m);
        if (!s.immediate && news.length) assert.ok(m.runs >= PROBLEM_RUNS && now - m.since >= PROBLEM_GRACE, 'told only on evidence over the hour');
        const due = (s.immediate || (now - m.since >= PROBLEM_GRACE && m.runs >= PROBLEM_RUNS)) && (m.toldAt === undefined || now - m.toldAt >= RETELL_AFTER);
        if (due) m.toldAt = now;
        assert.deepEqual(news, due ? [{ kind: s.kind, news: 'problem', message: s.message, since: m.since }] : []);
        assert.equal(state.problems?.[s.kind]?.since, m.since);
      }
    }),
    300,
  );
});
