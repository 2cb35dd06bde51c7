import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEmailNotifier } from '../../src/notify/email.js';
import type { EmailChannelConfig } from '../../src/notify/config.js';
import type { Notification, Notifier } from '../../src/notify/types.js';
import { DeliveryError } from '../../src/notify/types.js';
import { MESSAGES_PER_CONNECTION } from '../../src/notify/smtpPool.js';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink.js';
import { startSilentServer } from '../support/silentServer.js';

/** The email channel of a project, pointed at a local server. */
function channel(port: number, extra: Partial<EmailChannelConfig> = {}): EmailChannelConfig {
  return { type: 'email', host: '127.0.0.1', port, secure: false, starttls: 'ignore', tls_insecure: false, from: 'alertcron@test.local', to: ['soc@test.local'], timeout: 5000, ...extra };
}

/** A plain notice (it goes over the channel's own connections, not nodemailer's transport). */
function notice(n: number): Notification {
  return { alert: 'brute-force', key: `k${n}`, reason: 'new', title: `Alert ${n}`, message: `body ${n}` } as Notification;
}

/** Sends notices one after another, as the outbox does with one slot, and returns each outcome. */
async function sendAll(notifier: Notifier, from: number, count: number): Promise<(string | undefined)[]> {
  const outcomes: (string | undefined)[] = [];
  for (let i = from; i < from + count; i++) outcomes.push(await notifier.send(notice(i), new AbortController().signal).then(() => undefined, (e: Error) => e.message));
  return outcomes;
}

async function withSink(body: (sink: SmtpSink) => Promise<void>, auth?: { user: string; pass: string }) {
  const sink = await startSmtpSink(auth);
  try {
    await body(sink);
  } finally {
    await sink.close();
  }
}

test('a reused connection the server dropped at MAIL FROM (idle close racing the next mail): the mail goes once over a new connection, no failure', () =>
  withSink(async (sink) => {
    const notifier = await createEmailNotifier('mail', channel(sink.port));
    assert.deepEqual(await sendAll(notifier, 1, 1), [undefined]);
    sink.mailFromReplies = ['drop'];
    assert.deepEqual(await sendAll(notifier, 2, 2), [undefined, undefined]);
    notifier.close?.();
    assert.deepEqual(sink.messages.map((m) => m.subject), ['Alert 1', 'Alert 2', 'Alert 3']);
    assert.equal(sink.sessions, 2);
  }));

test('an idle connection the server closed: the next mail goes over a new one', () =>
  withSink(async (sink) => {
    const notifier = await createEmailNotifier('mail', channel(sink.port));
    assert.deepEqual(await sendAll(notifier, 1, 1), [undefined]);
    sink.closeSessions();
    // At once (the close may not have reached the client) and after it did.
    assert.deepEqual(await sendAll(notifier, 2, 1), [undefined]);
    sink.closeSessions();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await sendAll(notifier, 3, 1), [undefined]);
    notifier.close?.();
    assert.deepEqual(sink.messages.map((m) => m.subject), ['Alert 1', 'Alert 2', 'Alert 3']);
  }));

test('421 at MAIL FROM on a reused connection: the mail is sent over a new connection; on a new connection it fails (retryable)', () =>
  withSink(async (sink) => {
    const notifier = await createEmailNotifier('mail', channel(sink.port));
    assert.deepEqual(await sendAll(notifier, 1, 1), [undefined]);
    sink.mailFromReplies = [421];
    assert.deepEqual(await sendAll(notifier, 2, 1), [undefined]);
    sink.mailFromReplies = [421, 421];
    const [outcome] = await sendAll(notifier, 3, 1);
    assert.match(outcome ?? '', /421/);
    notifier.close?.();
    assert.deepEqual(sink.messages.map((m) => m.subject), ['Alert 1', 'Alert 2']);
  }));

test('a connection dropped after DATA began: the mail is not sent again by the pool (it may have been delivered)', () =>
  withSink(async (sink) => {
    const notifier = await createEmailNotifier('mail', channel(sink.port));
    assert.deepEqual(await sendAll(notifier, 1, 1), [undefined]);
    sink.dropInData = 1;
    const [outcome] = await sendAll(notifier, 2, 1);
    assert.ok(outcome, 'the attempt fails');
    assert.equal(sink.mailFromBySession.reduce((a, b) => a + b, 0), 2, 'no second MAIL FROM for it');
    assert.deepEqual(await sendAll(notifier, 3, 1), [undefined]);
    notifier.close?.();
  }));

test(`a connection is replaced after ${MESSAGES_PER_CONNECTION} messages`, () =>
  withSink(async (sink) => {
    const notifier = await createEmailNotifier('mail', channel(sink.port));
    const outcomes = await sendAll(notifier, 1, MESSAGES_PER_CONNECTION + 5);
    notifier.close?.();
    assert.ok(outcomes.every((o) => o === undefined));
    assert.deepEqual(sink.mailFromBySession, [MESSAGES_PER_CONNECTION, 5]);
  }));

test('a mail given up on mid-send closes its connection; the next mail goes over a new one', () =>
  withSink(async (sink) => {
    const notifier = await createEmailNotifier('mail', channel(sink.port));
    sink.acceptDelayMs = 2000;
    const controller = new AbortController();
    const pending = notifier.send(notice(1), controller.signal);
    while (!sink.mailFromBySession.length) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await assert.rejects(pending, (e: DeliveryError) => /timed out/.test(e.message) && e.retryable);
    sink.acceptDelayMs = 0;
    assert.deepEqual(await sendAll(notifier, 2, 1), [undefined]);
    notifier.close?.();
    assert.equal(sink.sessions, 2);
  }));

test('AUTH refused: the mail fails as not retryable, with the reply, and no password', () =>
  withSink(
    async (sink) => {
      const notifier = await createEmailNotifier('mail', channel(sink.port, { username: 'bot', password: 'wrong-secret' }));
      const outcomes = await sendAll(notifier, 1, 2);
      notifier.close?.();
      for (const outcome of outcomes) {
        assert.match(outcome ?? '', /authentication failed/);
        assert.ok(!outcome?.includes('wrong-secret'));
      }
      assert.equal(sink.messages.length, 0);
    },
    { user: 'bot', pass: 'right' },
  ));

test('close() while a connection is still connecting: the mail fails at once and nothing stays open', async () => {
  const silent = await startSilentServer();
  try {
    const notifier = await createEmailNotifier('mail', channel(silent.port, { timeout: 20000 }));
    const started = Date.now();
    const pending = notifier.send(notice(1), new AbortController().signal).then(() => 'sent', (e: Error) => e.message);
    while (!silent.connections) await new Promise((resolve) => setTimeout(resolve, 10));
    notifier.close?.();
    const outcome = await pending;
    assert.notEqual(outcome, 'sent');
    assert.ok(Date.now() - started < 10000, 'not left to its timeout');
  } finally {
    await silent.close();
  }
});

test('the same recipient twice (domain in other case): one RCPT TO, one copy (as nodemailer sent it)', () =>
  withSink(async (sink) => {
    const notifier = await createEmailNotifier('mail', channel(sink.port, { to: ['soc@test.local', 'soc@Test.Local'] }));
    assert.deepEqual(await sendAll(notifier, 1, 1), [undefined]);
    notifier.close?.();
    assert.deepEqual(sink.messages.map((m) => m.to), [['soc@test.local']]);
  }));

test('plain and digest mails of one run, two at a time: every mail arrives, at most 4 connections to the server at once (two pools of 2, docs/channels/email.md)', () =>
  withSink(async (sink) => {
    const notifier = await createEmailNotifier('mail', channel(sink.port));
    const digest = { from: 0, to: 60_000, columns: ['user'], rows: [{ cells: ['bob'], count: 3, first: 0, last: 1 }], findings: 3, omitted: 0 };
    const mail = (n: number, withDigest: boolean) => notifier.send({ ...notice(n), ...(withDigest ? { digest } : {}) } as Notification, new AbortController().signal);
    // As the outbox with its two slots: each pair waits for the one before.
    const kinds = [[false, false], [true, true], [false, true], [false, false], [true, false], [true, true], [false, false]];
    let n = 0;
    for (const pair of kinds) await Promise.all(pair.map((withDigest) => mail(++n, withDigest)));
    notifier.close?.();
    assert.equal(sink.messages.length, n);
    assert.ok(sink.maxOpenSessions <= 4, `${sink.maxOpenSessions} connections at once`);
  }));
