// A channel kind is one folder and one registry line: every kind in src/notify/channels/registry.ts carries all its
// parts (schema fragment, completion, secret keys, notifier, inbox and ask hooks whole), the published schema and
// the secret keys are gathered from the registry, no code outside src/notify/channels branches on a kind's type,
// and every kind has its docs page showing a `type: <kind>` channel.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assembleSchemas } from '../../src/config/assembleSchemas.js';
import { SECRET_KEYS } from '../../src/config/secrets.js';
import { CHANNEL_KINDS, channelKind } from '../../src/notify/channels/registry.js';
import { REPO_ROOT } from '../support/project.js';

const CHANNELS_DIR = join(REPO_ROOT, 'src', 'notify', 'channels');

type Fragment = { properties: Record<string, { const?: string }>; additionalProperties?: boolean };
const fragmentOf = (type: string): Fragment => JSON.parse(readFileSync(join(CHANNELS_DIR, type, 'schema.json'), 'utf8')) as Fragment;

test('every channel kind is a folder with index.ts and a schema.json for its type, and carries every part', () => {
  assert.equal(new Set(CHANNEL_KINDS.map((kind) => kind.type)).size, CHANNEL_KINDS.length, 'each type once');
  for (const kind of CHANNEL_KINDS) {
    assert.ok(existsSync(join(CHANNELS_DIR, kind.type, 'index.ts')), `${kind.type}: src/notify/channels/${kind.type}/index.ts`);
    const fragment = fragmentOf(kind.type);
    assert.equal(fragment.properties.type?.const, kind.type, `${kind.type}: its schema.json says type: ${kind.type}`);
    assert.equal(fragment.additionalProperties, false, `${kind.type}: unknown keys are refused`);
    for (const key of kind.secretKeys) assert.ok(fragment.properties[key] && fragment.properties[`${key}_file`], `${kind.type}: secret ${key} and ${key}_file are in its schema`);
    for (const key of kind.secretKeys) assert.ok(SECRET_KEYS.has(key), `${kind.type}: ${key} is refused inline and redacted`);
    for (const part of ['complete', 'destinations', 'notifier'] as const) assert.equal(typeof kind[part], 'function', `${kind.type}: ${part}`);
    if (kind.inbox) assert.ok(typeof kind.inbox.reads === 'function' && typeof kind.inbox.create === 'function', `${kind.type}: inbox.reads and inbox.create`);
    if (kind.ask) assert.ok(typeof kind.ask.can === 'function' && typeof kind.ask.create === 'function', `${kind.type}: ask.can and ask.create`);
    assert.equal(channelKind(kind.type), kind);
  }
  assert.equal(channelKind('__proto__'), undefined);
  assert.equal(channelKind('constructor'), undefined);
});

test('alertcron.yaml\'s schema offers exactly the registry\'s kinds, each with its own fragment and the common channel settings, in registry order', () => {
  const schema = assembleSchemas().alertcron;
  const channel = (schema.properties.channels as { additionalProperties: { oneOf: Fragment[] } }).additionalProperties;
  const common = (schema.definitions as { commonChannelSettings: { properties: Record<string, unknown> } }).commonChannelSettings.properties;
  assert.deepEqual(channel.oneOf, CHANNEL_KINDS.map((kind) => ({ ...fragmentOf(kind.type), properties: { ...fragmentOf(kind.type).properties, ...common } })));
  for (const fragment of channel.oneOf) assert.ok(fragment.properties.send_resolved, `${fragment.properties.type?.const}: send_resolved is offered`);
  const folders = readdirSync(CHANNELS_DIR).filter((name) => statSync(join(CHANNELS_DIR, name)).isDirectory());
  assert.deepEqual(folders.sort(), CHANNEL_KINDS.map((kind) => kind.type).sort(), 'every kind folder is registered');
});

test('no code outside src/notify/channels switches on a channel kind\'s type (a new kind needs no edit there)', () => {
  const types = CHANNEL_KINDS.map((kind) => kind.type.replace(/[-]/g, '\\-')).join('|');
  // A source's name may equal a kind's (thehive): `alert.source === 'thehive'` is about the source, not a channel.
  const branch = new RegExp(`(?<!source\\s*)(case|===|!==)\\s*'(${types})'|'(${types})'\\s*(===|!==)`);
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        // The importer speaks of ElastAlert2's alerter names; the channel kinds own theirs.
        if (path !== CHANNELS_DIR && path !== join(REPO_ROOT, 'src', 'importer')) walk(path);
      } else if (name.endsWith('.ts')) {
        readFileSync(path, 'utf8').split('\n').forEach((line, i) => branch.test(line) && offenders.push(`${path.slice(REPO_ROOT.length + 1)}:${i + 1}: ${line.trim()}`));
      }
    }
  };
  walk(join(REPO_ROOT, 'src'));
  assert.deepEqual(offenders, []);
});

test('a channel completed by its kind has that kind\'s type; completing a type no kind has is not possible through the registry', () => {
  const minimal: Record<string, Record<string, unknown>> = {
    email: { host: 'h', from: 'a@b.c', to: ['d@e.f'] },
    slack: { webhook_url: 'https://hooks.example/x' },
    'twilio-sms': { account_sid: 'AC1', auth_token: 't', from: '+15551234567', to: ['+15557654321'] },
    'twilio-call': { account_sid: 'AC1', auth_token: 't', from: '+15551234567', to: ['+15557654321'] },
    'slack-app': { bot_token: 'xoxb', channel: 'C1' },
    telegram: { bot_token: 't', chat_id: '1' },
    webhook: { url: 'https://example.org/hook' },
    thehive: { url: 'https://hive.example', api_key: 'k' },
  };
  for (const kind of CHANNEL_KINDS) {
    const raw = { type: kind.type, ...(minimal[kind.type] ?? {}) };
    assert.equal(kind.complete(raw).type, kind.type, kind.type);
  }
  assert.equal(channelKind('smtp'), undefined);
});

/** Kinds documented elsewhere than docs/channels/<type>.md: the page and, when one page holds several kinds, the section. */
const DOC_PLACES: Record<string, { page: string; section?: string }> = {
  'twilio-sms': { page: 'docs/channels/twilio.md' },
  'twilio-call': { page: 'docs/channels/twilio.md' },
  'slack-app': { page: 'docs/chat.md', section: 'Slack app, step by step' },
};

/**
 * What is missing from the docs under root for these kinds: each kind's page (docs/channels/<type>.md, or its
 * DOC_PLACES page and section) must exist and show a `type: <kind>` channel in a code block (of that section).
 */
function channelDocGaps(root: string, types: readonly string[]): string[] {
  const gaps: string[] = [];
  for (const type of types) {
    const { page, section } = DOC_PLACES[type] ?? { page: `docs/channels/${type}.md` };
    if (!existsSync(join(root, page))) {
      gaps.push(`${type}: no page ${page}`);
      continue;
    }
    let lines = readFileSync(join(root, page), 'utf8').split('\n');
    if (section) {
      const at = lines.findIndex((line) => new RegExp(`^#+ ${section.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`).test(line));
      if (at < 0) {
        gaps.push(`${type}: ${page} has no section "${section}"`);
        continue;
      }
      const level = /^#+/.exec(lines[at]!)![0].length;
      const end = lines.findIndex((line, i) => i > at && /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level);
      lines = lines.slice(at, end < 0 ? undefined : end);
    }
    let fenced = false;
    const code = lines.filter((line) => (/^\s*(```|~~~)/.test(line) ? ((fenced = !fenced), false) : fenced));
    if (!code.some((line) => new RegExp(`^\\s*(- )?type: ${type.replace('-', '\\-')}\\s*(#.*)?$`).test(line))) {
      gaps.push(`${type}: ${page}${section ? ` "${section}"` : ''} shows no \`type: ${type}\` channel in a code block`);
    }
  }
  return gaps;
}

test('the alertcron.yaml that init writes names every channel kind', async () => {
  const { initFiles } = await import('../../src/commands/initTemplates.js');
  const written = initFiles(undefined)['alertcron.yaml']!;
  for (const { type } of CHANNEL_KINDS) assert.match(written, new RegExp(`(type: |[ ,])${type.replace('-', '\\-')}\\b(?!-)`), `init names ${type}`);
});

test('every channel kind has its docs page (docs/channels/<type>.md, or its named section) showing a `type: <kind>` channel', () => {
  assert.deepEqual(channelDocGaps(REPO_ROOT, CHANNEL_KINDS.map((kind) => kind.type)), []);
});

test('the channel docs check names a kind whose page is gone, whose section is gone, or whose page shows no example', () => {
  const root = mkdtempSync(join(tmpdir(), 'alertcron-channel-docs-'));
  try {
    cpSync(join(REPO_ROOT, 'docs'), join(root, 'docs'), { recursive: true });
    rmSync(join(root, 'docs', 'channels', 'log.md'));
    const chat = join(root, 'docs', 'chat.md');
    writeFileSync(chat, readFileSync(chat, 'utf8').replace('### Slack app, step by step', '### The Slack app'));
    const discord = join(root, 'docs', 'channels', 'discord.md');
    writeFileSync(discord, readFileSync(discord, 'utf8').replace(/type: discord/g, 'type: discord-ish'));
    assert.deepEqual(channelDocGaps(root, ['log', 'slack-app', 'discord', 'twilio-call', 'telegram']), [
      'log: no page docs/channels/log.md',
      'slack-app: docs/chat.md has no section "Slack app, step by step"',
      'discord: docs/channels/discord.md shows no `type: discord` channel in a code block',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
