import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conversation } from '../../src/model/conversation.js';
import { parseAnswer } from '../../src/policy/answer.js';
import { moveTo, quietedBy } from '../../src/policy/conversation.js';
import { deadlineAfter } from '../../src/policy/workingHours.js';
import { escalationNotice } from '../../src/render/escalationNotice.js';
import { inertQuote } from '../../src/render/inertQuote.js';

test('answers: the first word decides, with common variants; anything else is neither', () => {
  for (const yes of ['yes', 'Yes, that was me', 'y', 'YEP.', 'yeah sure', 'ok', '👍', 'it was me', 'Да', '"yes"']) assert.equal(parseAnswer(yes), 'yes', yes);
  for (const no of ['no', 'No!', 'nope, never', 'not me', 'n', '❌', 'нет', 'NO. I was asleep']) assert.equal(parseAnswer(no), 'no', no);
  for (const neither of ['', '   ', 'maybe', 'not sure', 'yesterday I did', 'nothing', 'who is asking?', 'know what']) assert.equal(parseAnswer(neither), undefined, neither);
});

test('deadline in working hours: time outside them does not count; without hours it is a plain span', () => {
  const HOUR = 3_600_000;
  const friday1700 = Date.parse('2026-11-27T17:00:00Z');
  assert.equal(deadlineAfter(friday1700, 2 * HOUR, undefined), friday1700 + 2 * HOUR);
  const hours = { days: [1, 2, 3, 4, 5], from: 10 * 60, to: 18 * 60, timezone: 'UTC' };
  // One working hour on Friday (17:00-18:00), the second on Monday 10:00-11:00.
  assert.equal(new Date(deadlineAfter(friday1700, 2 * HOUR, hours)).toISOString(), '2026-11-30T11:00:00.000Z');
  // Asked on Sunday: the clock starts Monday 10:00 (in Los Angeles: 18:00 UTC in November).
  const la = { ...hours, timezone: 'America/Los_Angeles' };
  assert.equal(new Date(deadlineAfter(Date.parse('2026-11-29T12:00:00Z'), 30 * 60_000, la)).toISOString(), '2026-11-30T18:30:00.000Z');
  // Inside the hours it is the plain span.
  const tuesday = Date.parse('2026-12-01T12:00:00Z');
  assert.equal(deadlineAfter(tuesday, HOUR, hours), tuesday + HOUR);
});

function conversation(over: Partial<Conversation> = {}): Conversation {
  return {
    id: 'sudo/bob', alert: 'sudo', key: 'bob', person: 'bob', channel: 'bot', state: 'new', createdAt: 0, deadline: 7_200_000,
    title: 'sudo by bob on db-3', message: 'bob ran sudo on db-3', question: 'Did you run sudo on db-3?', links: ['https://kibana.example/app/discover#/q=bob'],
    quietFor: 1000, history: [], ...over,
  };
}

test('transitions: only the allowed moves, each in the history and the audit, closed with a time', () => {
  const c = conversation();
  assert.deepEqual(moveTo(c, 'asked', 10, 'asked bob'), { event: 'conversation', alert: 'sudo', key: 'bob', person: 'bob', from: 'new', to: 'asked', note: 'asked bob' });
  assert.throws(() => moveTo(c, 'confirmed', 11, 'skipping the yes'), /cannot go from asked to confirmed/);
  moveTo(c, 'answered_yes', 12, 'yes');
  moveTo(c, '2fa_pending', 13, 'push');
  const audit = moveTo(c, 'escalated', 14, 'push refused', '2fa_denied');
  assert.equal(audit.reason, '2fa_denied');
  assert.equal(c.closedAt, 14);
  assert.deepEqual(c.history.map((h) => h.state), ['asked', 'answered_yes', '2fa_pending', 'escalated']);
  assert.throws(() => moveTo(c, 'confirmed', 15, 'too late'), /cannot go from escalated/);
});

test('a confirmed yes quiets the same alert for the same person only, and only for its quiet period', () => {
  const yes = conversation({ state: 'confirmed', closedAt: 100, quietFor: 50 });
  assert.equal(quietedBy([yes], 'sudo', 'bob', 120), yes);
  assert.equal(quietedBy([yes], 'sudo', 'bob', 151), undefined);
  assert.equal(quietedBy([yes], 'sudo', 'alice', 120), undefined);
  assert.equal(quietedBy([yes], 'other', 'bob', 120), undefined);
  assert.equal(quietedBy([{ ...yes, state: 'escalated' }], 'sudo', 'bob', 120), undefined);
});

test('a chat answer is quoted as inert text: no mentions, links, markup or line breaks', () => {
  const quoted = inertQuote('no <!channel> @here see <https://evil.example|click> *bold* `code`\nhttp://x.example www.y.example \u202eevil');
  assert.doesNotMatch(quoted, /[<>`*\n\u202e]|@|https?:\/\/|www\./);
  assert.equal(quoted, '"no !channel (at)here see https[:]//evil.example click bold code http[:]//x.example www[.]y.example evil"');
  assert.equal(inertQuote('x'.repeat(400)).length, 303);
});

test('the escalation notice tells everything: why, the alert, who was asked when, the quoted answer, 2FA, steps, links', () => {
  const c = conversation({ state: 'escalated', reason: '2fa_denied', askedAt: Date.parse('2026-11-25T10:00:00Z'), address: { user: 'U123', chat: 'D1' }, answer: { text: 'yes <@U999> it was me', at: Date.parse('2026-11-25T10:05:00Z'), verdict: 'yes' }, twoFactor: { username: 'bob', txid: 't1', pushedAt: Date.parse('2026-11-25T10:05:00Z'), result: 'deny', statusMsg: 'Login request denied.' }, history: [{ at: 0, state: 'asked', note: 'asked' }] });
  const notice = escalationNotice(c);
  assert.equal(notice.title, '[ask: 2FA denied] sudo by bob on db-3');
  for (const part of ['bob ran sudo on db-3', 'Person: bob (chat user U123)', 'Asked on bot at 2026-11-25T10:00:00Z', 'Answer at 2026-11-25T10:05:00Z: "yes (at)U999 it was me" (read as yes)', '2FA: deny (Login request denied.) for Duo user bob', 'https://kibana.example/app/discover#/q=bob']) {
    assert.ok(notice.message.includes(part), `${part}\n---\n${notice.message}`);
  }
});
