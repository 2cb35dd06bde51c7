// DRL 1.1 asks every notice made from a Sigma rule to name its author: the default message names it right after its
// first line, an SMS or a call that cuts a long message keeps it, a digest and a resolved notice of a Sigma alert
// carry it, and a correlation credits the authors of the rules it references too.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { deleteIndices, uniqueBaseTime } from '../support/seed.js';
import { ecsIndexWith, processEvent } from '../support/sigmaEcs.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const indices: string[] = [];
after(() => deleteIndices(world.esUrl, indices));

const CREDIT = 'Sigma rule by Ada Example (DRL 1.1)';
/** A rule with much to say (a long description, false positives, references), as SigmaHQ's rules do. */
const RULE = [
  'title: Whoami Run By A Test With A Rather Long Title',
  'id: 0b6a1f5e-7d35-4c1e-9a0e-0a1b2c3d4e5f',
  'status: test',
  `description: ${'Someone asked who they are, which attackers do right after they land on a host. '.repeat(6)}`,
  'author: Ada Example',
  'references: [https://example.com/a/very/long/reference/to/read, https://example.com/another/long/reference]',
  'falsepositives: [Administrators checking their own rights, scripts]',
  'tags: [attack.discovery, attack.t1033]',
  'logsource: {category: process_creation, product: windows}',
  'detection:',
  '  selection:',
  "    Image|endswith: '\\whoami.exe'",
  '  condition: selection',
  'level: high',
  '',
].join('\n');

/** A project with every channel of the fake servers, an ECS index `<prefix>-...` holding one whoami run by ws1 at T - 20 s, and a sigma/ folder. */
async function whoamiProject(prefix: string) {
  const T = uniqueBaseTime();
  const index = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  indices.push(index);
  await ecsIndexWith(world.esUrl, index, [processEvent(T - 20_000, 'ws1', 'C:\\Windows\\System32\\whoami.exe')]);
  const project = world.project();
  project.writeConfig(servers.config(world));
  Object.assign(project.env, servers.secrets);
  mkdirSync(join(project.dir, 'sigma'), { recursive: true });
  return { T, index, project };
}

test('the author line survives SMS and call cutting, and is in digests and resolved notices of a Sigma alert', async () => {
  const { T, index, project } = await whoamiProject('sigma-credit');
  writeFileSync(join(project.dir, 'sigma', 'whoami.yml'), RULE);
  const sigma = { rule: '../sigma/whoami.yml', pipeline: 'ecs_windows' };
  project.writeAlert('recon', { sigma, index, group_by: 'host.name', notify: ['oncall-sms', 'oncall-call'], resolve_after: 1, samples: 0 });
  project.writeAlert('digested', { sigma, index, group_by: 'host.name', notify: ['oncall-sms', 'soc-email'], digest: { every: '2m', fields: ['host.name'], channels: ['oncall-sms', 'soc-email'] }, samples: 0 });
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  const [sms] = servers.twilio.messages;
  assert.ok(sms, 'an SMS was sent');
  assert.match(sms.Body!, /\.\.\.\nSigma rule by Ada Example \(DRL 1\.1\)$/, sms.Body);
  const [call] = servers.twilio.calls;
  assert.ok(call?.Twiml?.includes(CREDIT), call?.Twiml);
  servers.twilio.messages.length = 0;

  // No match in the next runs: the key resolves; then the digest's period closes.
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  const third = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(third.code, 0, third.stderr);
  const bodies = servers.twilio.messages.map((m) => m.Body!);
  const resolved = bodies.find((b) => b.startsWith('Resolved:'));
  assert.ok(resolved?.includes(CREDIT), bodies.join('\n---\n'));
  const digest = bodies.find((b) => b.startsWith('digested'));
  assert.ok(digest?.includes(CREDIT), bodies.join('\n---\n'));
  const mail = world.smtp.messages.find((m) => m.subject.startsWith('digested'));
  assert.ok(mail?.raw.includes(CREDIT), mail?.raw);
});

test('a correlation alert credits the authors of the rules it references as well as its own', async () => {
  const T = uniqueBaseTime();
  const index = `sigma-credit-corr-${Math.random().toString(36).slice(2, 8)}`;
  indices.push(index);
  await ecsIndexWith(world.esUrl, index, [1, 2, 3].map((k) => processEvent(T - 30_000 + k * 1000, 'ws1', 'C:\\Windows\\System32\\whoami.exe')));
  const project = world.project();
  mkdirSync(join(project.dir, 'sigma'), { recursive: true });
  const correlation = 'title: Many whoami\nid: 9b6a1f5e-7d35-4c1e-9a0e-0a1b2c3d4e5f\nauthor: Cor Relator\ncorrelation:\n  type: event_count\n  rules: [0b6a1f5e-7d35-4c1e-9a0e-0a1b2c3d4e5f]\n  group-by: [host.name]\n  timespan: 5m\n  condition: {gte: 3}\nlevel: high\n';
  writeFileSync(join(project.dir, 'sigma', 'many.yml'), `${RULE}---\n${correlation}`);
  project.writeAlert('many', { sigma: { rule: '../sigma/many.yml', pipeline: 'ecs_windows' }, index, notify: ['soc-slack'], samples: 0 });
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  const texts = (world.slack.accepted() as { blocks: { text: { text: string } }[] }[]).map((p) => p.blocks.map((b) => b.text.text).join('\n'));
  assert.equal(texts.length, 1, texts.join('\n---\n'));
  assert.match(texts[0]!, /^Sigma rule by Cor Relator, Ada Example \(DRL 1\.1\)$/m);
});

test('hostile rule metadata reaches email, Telegram and SMS as inert text, the author named as written', async () => {
  const { T, index, project } = await whoamiProject('sigma-credit-hostile');
  const author = '<b>Eve</b> <a href="https://evil.example">x</a> {{fields.host.name}} @here';
  const description = '<script>alert(1)</script> [click](https://evil.example) {{alertcron.key}}';
  const rule = RULE.replace(/^author: .*$/m, `author: ${JSON.stringify(author)}`).replace(/^description: .*$/m, `description: ${JSON.stringify(description)}`);
  writeFileSync(join(project.dir, 'sigma', 'hostile.yml'), rule);
  project.writeAlert('hostile', { sigma: { rule: '../sigma/hostile.yml', pipeline: 'ecs_windows' }, index, notify: ['soc-email', 'team-telegram', 'oncall-sms'], samples: 0 });
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  const credit = `Sigma rule by ${author} (DRL 1.1)`;
  // Channels break links and mentions with word joiners (U+2060): the text is as written once they are taken out.
  const shown = (text: string | undefined) => text?.replace(/\u2060/g, '') ?? '';
  // Email: the text part shows the values as written; an HTML part, if any, escapes them.
  const [mail] = world.smtp.messages;
  assert.ok(mail, 'an email was sent');
  const { mailParts } = await import('../support/mimeParts.js');
  const parts = mailParts(mail.raw);
  const text = parts.find((p) => p.type === 'text/plain');
  assert.ok(shown(text?.body).includes(credit), text?.body);
  assert.ok(shown(text?.body).includes(description), text?.body);
  for (const html of parts.filter((p) => p.type === 'text/html')) assert.doesNotMatch(html.body, /<script|<a href="https:\/\/evil|<b>Eve/, html.body);
  // Telegram: HTML mode, the values shown as text, no link or bold made of them.
  const [telegram] = servers.telegram.sent;
  assert.ok(telegram, 'Telegram got the notice');
  assert.ok(shown(telegram.visible).includes(credit), telegram.visible);
  assert.doesNotMatch(telegram.text, /<a |<b>Eve|<script/, telegram.text);
  // SMS: plain text, the attribution whole, no placeholder inside the values expanded.
  const [sms] = servers.twilio.messages;
  assert.ok(shown(sms?.Body).includes(credit), sms?.Body);
});

test('a digest delivered by a phone call speaks the attribution too', async () => {
  const { T, index, project } = await whoamiProject('sigma-credit-call');
  writeFileSync(join(project.dir, 'sigma', 'whoami.yml'), RULE);
  const sigma = { rule: '../sigma/whoami.yml', pipeline: 'ecs_windows' };
  project.writeAlert('called', { sigma, index, group_by: 'host.name', notify: ['oncall-call'], digest: { every: '2m', fields: ['host.name'], channels: ['oncall-call'] }, samples: 0 });
  servers.twilio.calls.length = 0;
  for (const at of [T, T + MIN, T + 3 * MIN]) {
    const run = await project.run(['run'], { ALERTCRON_NOW: iso(at) });
    assert.equal(run.code, 0, run.stderr);
  }
  const twimls = servers.twilio.calls.map((c) => c.Twiml ?? '');
  const digest = twimls.find((t) => /finding/.test(t));
  assert.ok(digest, twimls.join('\n---\n'));
  assert.ok(digest.includes(CREDIT), digest);
});
