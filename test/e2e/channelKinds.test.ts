// A channel's `type:` picks its kind from src/notify/channels/registry.ts: a type no kind has is one clear problem at
// its line, listing the known types, and the channel is never taken for another kind (it used to be completed as a
// Slack channel, so an alert's feedback check then called a mistyped mail channel "a slack channel").
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHANNEL_KINDS } from '../../src/notify/channels/registry.js';
import { runCli } from '../support/project.js';
import { checkProperty, fc } from '../support/property.js';

const KNOWN = CHANNEL_KINDS.map((kind) => kind.type);

/** A folder with a TheHive section, one channel of the given type, and a feedback alert that mails through it. */
function feedbackProject(type: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-kinds-'));
  mkdirSync(join(dir, 'alerts'));
  writeFileSync(
    join(dir, 'alertcron.yaml'),
    ['thehive:', '  url: http://127.0.0.1:9', '  api_key: ${HIVE_KEY}', 'channels:', '  mailer:', `    type: ${JSON.stringify(type)}`, '    host: mail.example.org', ''].join('\n'),
  );
  writeFileSync(
    join(dir, 'alerts', 'feedback.yaml'),
    ['source: thehive', 'thehive: { object: case }', 'notify: [mailer]', 'feedback:', '  recipient_tag: user_email', '  choose_by: custom.classification', '  allowed_domains: [example.org]', '  templates:', '    default: { title: "Your report", message: "Thanks" }', ''].join('\n'),
  );
  return dir;
}

/** What validate says about a channel of this type: its exit code and its problem lines. */
async function validateType(type: string): Promise<{ code: number | null; lines: string[] }> {
  const dir = feedbackProject(type);
  try {
    const result = await runCli(['validate'], dir, { HIVE_KEY: 'k' });
    return { code: result.code, lines: `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.includes(': ')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('validate: a channel type no kind has is one problem at its line naming the known types, and the channel is not taken for a Slack one', async () => {
  const { code, lines } = await validateType('smtp');
  assert.equal(code, 2);
  assert.deepEqual(lines, [`alertcron.yaml:6:11 /channels/mailer/type: unknown type (use one of ${KNOWN.join(', ')})`]);
});

test('property: whatever the unknown type, validate reports it at its line and judges no alert by another kind', async () => {
  const unknownType = fc.string({ minLength: 1, maxLength: 12 }).filter((type) => !KNOWN.includes(type));
  await checkProperty(
    'unknown channel type',
    fc.asyncProperty(unknownType, async (type) => {
      const { code, lines } = await validateType(type);
      assert.equal(code, 2);
      assert.deepEqual(lines, [`alertcron.yaml:6:11 /channels/mailer/type: unknown type (use one of ${KNOWN.join(', ')})`]);
    }),
    10,
  );
});

test('validate: a known type is checked as that kind (a feedback alert mailing through a Slack channel is told so)', async () => {
  const { code, lines } = await validateType('slack');
  assert.equal(code, 2);
  assert.ok(lines.some((line) => line.includes('feedback is sent by email: "mailer" is a slack channel')), lines.join('\n'));
});

test('validate: an ask alert whose channel has a type no kind has is not told that channel cannot ask', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-kinds-'));
  try {
    mkdirSync(join(dir, 'alerts'));
    writeFileSync(join(dir, 'alertcron.yaml'), ['elasticsearch:', '  url: http://127.0.0.1:9', 'channels:', '  soc-bot:', '    type: slack-ap', '    token: ${BOT_TOKEN}', '    channel: C0123ABCD', ''].join('\n'));
    writeFileSync(
      join(dir, 'alerts', 'sudo.yaml'),
      ['index: logs-*', 'condition: { type: any }', 'notify: [soc-bot]', 'ask:', '  person: user.name', '  via: soc-bot', '  question: "Was this you?"', '  two_factor: false', ''].join('\n'),
    );
    const result = await runCli(['validate'], dir, { BOT_TOKEN: 'x' });
    const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.includes(': '));
    assert.equal(result.code, 2);
    assert.deepEqual(lines, [`alertcron.yaml:5:11 /channels/soc-bot/type: unknown type (use one of ${KNOWN.join(', ')})`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
