import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { composable, composePlainMail, type PlainMail } from '../../src/notify/mailMessage.js';
import { subjectLine } from '../../src/notify/email.js';
import { cleanText } from '../../src/util/text.js';
import { checkProperty, fc } from '../support/property.js';

const requireHere = createRequire(import.meta.url);
const MailComposer = requireHere('nodemailer/lib/mail-composer') as new (mail: Record<string, unknown>) => { compile(): { build(cb: (error: Error | null, message: Buffer) => void): void; getEnvelope(): { from: string; to: string[] } } };

/** A mail as a client reads it: its headers unfolded and decoded (RFC 2047), its text decoded by its transfer encoding. */
function read(raw: string) {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end);
  const headers = new Map<string, string[]>();
  for (const line of head.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), decodeWords(line.slice(colon + 1).trim())]);
  }
  const body = raw.slice(end + 4).replace(/\r\n$/, '');
  const encoding = headers.get('content-transfer-encoding')?.[0]?.toLowerCase();
  const decoded =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8')
        : body;
  // Line ends as the SMTP client sends them (it writes a bare LF of nodemailer's 7bit body as CRLF).
  const text = decoded.replace(/\r\n/g, '\n');
  const one = (name: string) => headers.get(name)?.join('\u0000');
  return { subject: one('subject') ?? '', from: one('from'), to: one('to'), alert: one('x-alertcron-alert'), type: one('content-type')?.split(';')[0], text, headerNames: [...headers.keys()].sort() };
}

/** Decodes RFC 2047 encoded-words (B and Q); the whitespace between two adjacent words goes. */
function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
    );
}

/** The same mail as nodemailer's composer built it, as email.ts gave it to nodemailer. */
function nodemailerNode(mail: PlainMail) {
  return new MailComposer({ from: { name: mail.fromName, address: mail.from }, to: mail.to.map((address) => ({ name: '', address })), subject: mail.subject, text: mail.text, headers: { 'X-Alertcron-Alert': mail.alert } }).compile();
}

/** The same mail written by nodemailer's composer, as email.ts gave it to nodemailer. */
function nodemailerMail(mail: PlainMail): Promise<string> {
  const node = nodemailerNode(mail);
  return new Promise((resolve, reject) => node.build((error, message) => (error ? reject(error) : resolve(message.toString('utf8')))));
}

/** Text as notices carry it: ASCII, Cyrillic, emoji, '=' and '.', spaces at line ends, long lines, control characters. */
const piece = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('=', '=?UTF-8?B?SGk=?=', '.', '..', ' ', '\t', '\r\n', '\n', '\r', 'ошибка входа', '🔥', 'é', 'x'.repeat(90), ' '.repeat(3), '\u0000', '\u001b[31m'));
const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
const address = fc.constantFrom('soc@test.local', 'a.b+c@mail.example.org', "o'brien@x.io", 'x@y', 'soc@Test.Local', 'SOC@test.local', 'a..b@x.io', '.a@x.io', 'a.@x.io');

test('generated notices: the mail composePlainMail writes reads as nodemailer’s own does (subject, addresses, alert, text)', async () => {
  await checkProperty(
    'composePlainMail against nodemailer MailComposer',
    fc.asyncProperty(text, text, text, fc.array(address, { minLength: 1, maxLength: 3 }), async (title, message, alertName, to) => {
      const mail: PlainMail = { from: 'alertcron@test.local', fromName: 'alertcron', to, subject: subjectLine(title), text: cleanText(message), alert: alertName };
      // A local part that is no dot-atom is left to nodemailer (it quotes it: "a..b"@x.io).
      const dotAtom = to.every((a) => !/^\.|\.\.|\.@/.test(a));
      assert.equal(composable(mail.from, mail.to), dotAtom);
      if (!dotAtom) return;
      const composed = composePlainMail(mail);
      // The envelope as nodemailer made it: each recipient once (domains compared lowercased).
      assert.deepEqual(composed.envelope, nodemailerNode(mail).getEnvelope());
      const ours = composed.raw;
      const theirs = read(await nodemailerMail(mail));
      const mine = read(ours);
      // A literal `=?...?=` in a title stays literal here (nodemailer lets a client decode it as an encoded-word).
      assert.equal(mine.subject, mail.subject);
      const literal = mail.subject.includes('=?') ? { subject: undefined } : {};
      assert.deepEqual({ ...mine, headerNames: undefined, alert: undefined, ...literal }, { ...theirs, headerNames: undefined, alert: undefined, ...literal });
      // nodemailer keeps a header's line breaks as they are given (folded); ours never lets one through.
      assert.equal(mine.alert?.trim(), alertName.replace(/[\r\n]+/g, ' ').trim());
      assert.match(ours, /^Content-Type: text\/plain; charset=utf-8\r\n/);
      assert.deepEqual(mine.headerNames, ['content-transfer-encoding', 'content-type', 'date', 'from', 'message-id', 'mime-version', 'subject', 'to', 'x-alertcron-alert']);
      for (const line of ours.split('\r\n')) {
        assert.ok(line.length <= 998, `a line of ${line.length} characters`);
        // RFC 2047: a line holding an encoded-word has at most 76 characters.
        if (/=\?UTF-8\?B\?/.test(line)) assert.ok(line.length <= 76, `an encoded line of ${line.length} characters: ${line}`);
        assert.ok(!/[\r\n]/.test(line), 'no bare CR or LF');
      }
      const head = ours.slice(0, ours.indexOf('\r\n\r\n'));
      assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(head), 'headers are ASCII');
      assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(ours), 'the whole message is ASCII (7bit or quoted-printable)');
    }),
    200,
  );
});

test('an attacker-written title or alert name cannot add a header, and text lines stay within 76 characters when encoded', () => {
  const mail = composePlainMail({ from: 'alertcron@test.local', fromName: 'alertcron', to: ['soc@test.local'], subject: subjectLine('x\r\nBcc: evil@x.io'), text: `${'y'.repeat(200)}\r\n.\r\nend`, alert: 'a\r\nBcc: evil@x.io' });
  const head = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
  assert.ok(!/^Bcc:/im.test(head), head);
  assert.deepEqual(mail.envelope, { from: 'alertcron@test.local', to: ['soc@test.local'] });
  assert.match(head, /^Content-Transfer-Encoding: quoted-printable$/m);
  assert.ok(mail.raw.slice(head.length + 4).split('\r\n').every((line) => line.length <= 76));
  assert.match(mail.messageId, /^<[0-9a-f-]{36}@test\.local>$/);
});

test('only plain ASCII addresses are composed here; any other goes to nodemailer', () => {
  assert.equal(composable('alertcron@test.local', ['soc@test.local', 'a+b@x.io']), true);
  for (const odd of ['"a b"@x.io', 'a..b@x.io', '.a@x.io', 'a.@x.io', 'ivan@пример.рф', 'Ivan <ivan@x.io>', 'a@b@c', '', 'a@x.io\r\nRCPT TO:<b@x.io>']) assert.equal(composable('alertcron@test.local', [odd]), false, odd);
  assert.equal(composable('alertcron@test.local', []), false);
});
