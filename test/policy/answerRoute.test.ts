// routeAnswers: whatever a person writes, in whatever order, one message settles at most one question.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseAnswer } from '../../src/policy/answer.js';
import { routeAnswers, type ChatAnswer } from '../../src/policy/answerRoute.js';
import { checkProperty } from '../support/property.js';

const q = (id: string, questionRef: string, readRef = questionRef) => ({ id, questionRef, readRef });

test('a reply to a question answers it; a bare answer with two open questions answers neither; with one open, that one', () => {
  const questions = [q('db-1', '10'), q('db-2', '12')];
  const routed = routeAnswers(questions, [{ ref: '13', text: 'yes' }, { ref: '14', text: 'yes', replyTo: '12' }, { ref: '15', text: 'no' }]);
  assert.deepEqual(routed.ambiguous.map((a) => [a.reply.ref, a.questions]), [['13', ['db-1', 'db-2']]]);
  assert.deepEqual(routed.byQuestion.get('db-2')!.map((r) => r.ref), ['14']);
  assert.deepEqual(routed.byQuestion.get('db-1')!.map((r) => r.ref), ['15'], 'db-2 was answered by 14: only db-1 was open at 15');
});

test('a bare answer written before the second question was asked answers the first; a reply to a closed question answers none', () => {
  const routed = routeAnswers([q('a', '10'), q('b', '20')], [{ ref: '15', text: 'yes' }, { ref: '21', text: 'no', replyTo: '5' }], new Set(['5']));
  assert.deepEqual(routed.byQuestion.get('a')!.map((r) => r.ref), ['15']);
  assert.deepEqual(routed.byQuestion.get('b'), []);
  assert.deepEqual(routed.ambiguous, []);
});

test('what was read already is neither given again nor asked about again', () => {
  const routed = routeAnswers([q('a', '10', '13'), q('b', '12', '13')], [{ ref: '13', text: 'yes' }]);
  assert.deepEqual(routed.ambiguous, []);
  assert.deepEqual([...routed.byQuestion.values()].flat(), []);
});

test('property: any messages to any open questions: each message goes to at most one question, a reply only to its own, a bare one only when one question was open', async () => {
  const words = fc.constantFrom('yes', 'no', 'maybe', 'Yes!', 'nope', 'what is this', 'it was me', '');
  await checkProperty(
    'routeAnswers settles one question per answer',
    fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.record({ at: fc.integer({ min: 1, max: 80 }), text: words, to: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }) }), { maxLength: 12 }),
      (refs, messages) => {
        const questions = refs.map((ref, i) => q(`q${i}`, String(ref * 2)));
        const seen = new Set<number>();
        const replies: ChatAnswer[] = messages
          .map((m) => ({ ref: String(m.at * 2 + 1), text: m.text, ...(m.to !== undefined ? { replyTo: m.to < questions.length ? questions[m.to]!.questionRef : '999' } : {}) }))
          .filter((r) => !seen.has(Number(r.ref)) && seen.add(Number(r.ref)));
        const routed = routeAnswers(questions, replies);
        const given = [...routed.byQuestion.entries()].flatMap(([id, rs]) => rs.map((r) => ({ id, r })));
        assert.equal(new Set(given.map((g) => g.r.ref)).size, given.length, 'no message goes to two questions');
        for (const { id, r } of given) {
          const question = questions.find((x) => x.id === id)!;
          if (r.replyTo !== undefined && questions.some((x) => x.questionRef === r.replyTo)) assert.equal(question.questionRef, r.replyTo, 'a reply goes to the question it replies to');
          assert.ok(Number(r.ref) > Number(question.questionRef), 'nothing written before a question answers it');
        }
        for (const a of routed.ambiguous) assert.ok(a.questions.length > 1 && !given.some((g) => g.r === a.reply));
        for (const [, rs] of routed.byQuestion) assert.ok(rs.filter((r) => parseAnswer(r.text)).length <= 1, 'a question takes one yes or no');
      },
    ),
    300,
  );
});
