// Duo as the documented Auth API answers it, through bin/alertcron.js: a user Duo lets through without a push
// (bypass, or a new-user policy of allow), a Duo that rate-limits (429), a push that expires on Duo's side, and a
// Duo whose error answers echo the request's credentials.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { askProject, conversationOf, useAskServers, mailText, sudo } from '../support/askProject.js';
import { indexDocs } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useAskServers();

/** Asks `user` about a sudo at T, and has them answer yes. */
async function askedAndAnsweredYes(user: string, duoExtra: Record<string, unknown> = {}) {
  const p = await askProject(world, servers, { duo: duoExtra });
  const id = `U0${user.toUpperCase()}`;
  servers.slack.addUser(id, `${user}@example.org`);
  await indexDocs(world.esUrl, p.index, [sudo(p.T - 30_000, user)]);
  await p.run(p.T);
  servers.slack.say(servers.slack.dmOf(id), id, 'yes');
  return { ...p, dm: servers.slack.dmOf(id) };
}

test('Duo preauth allow (a user in bypass) escalates as "2FA not enforced for this user" by default, audited, with no push', async () => {
  servers.duo.users.set('ivan@example.org', { enrolled: true, push: 'allow', bypass: true });
  const pushes = servers.duo.pushes.length;
  const { T, project, run, dm } = await askedAndAnsweredYes('ivan');
  await run(T + MIN);
  const c = conversationOf(project, 'ivan');
  assert.equal(c.state, 'escalated');
  assert.equal(c.reason, '2fa_not_enforced');
  assert.equal(servers.duo.pushes.length, pushes, 'no push was sent');
  const mail = world.smtp.messages.find((m) => m.subject.includes('ivan'))!;
  assert.equal(mail.subject, '[ask: 2FA not enforced for this user] sudo by ivan on db-3');
  assert.match(mailText(mail.raw), /preauth allow: Allowing bypass user/);
  const line = project.audit().find((e) => e.event === 'conversation' && e.key === 'ivan' && e.to === 'escalated');
  assert.equal(line?.reason, '2fa_not_enforced');
  assert.match(line?.note, /duo\.on_bypass is escalate/);
  assert.match(servers.slack.channels.get(dm)!.at(-1)!.text, /Duo does not ask you for a second factor/);
});

test('duo.on_bypass: confirm trusts a new-user policy of allow: the yes is confirmed without a push, and the audit says why', async () => {
  servers.duo.newUserPolicy = 'allow';
  try {
    const { T, project, run } = await askedAndAnsweredYes('judy', { on_bypass: 'confirm' });
    await run(T + MIN);
    const c = conversationOf(project, 'judy');
    assert.equal(c.state, 'confirmed');
    assert.ok(!world.smtp.messages.some((m) => m.subject.includes('judy')), 'nothing escalated');
    const line = project.audit().find((e) => e.event === 'conversation' && e.key === 'judy' && e.to === 'confirmed');
    assert.match(line?.note, /preauth allow: Allowing unknown user\); accepted because duo\.on_bypass is confirm/);
  } finally {
    servers.duo.newUserPolicy = 'reject';
  }
});

test('a Duo that answers 429 is retried with backoff; one that keeps rate-limiting leaves the yes for the next run, not "2FA failed"', async () => {
  servers.duo.users.set('kate@example.org', { enrolled: true, push: 'allow' });
  servers.duo.users.set('leo@example.org', { enrolled: true, push: 'allow' });
  const kate = await askedAndAnsweredYes('kate');
  servers.duo.throttle = 2;
  const before429 = servers.duo.requests.length;
  await kate.run(kate.T + MIN);
  assert.equal(servers.duo.throttle, 0);
  assert.equal(conversationOf(kate.project, 'kate').state, '2fa_pending', 'the push went out after two 429 answers');
  const preauths = servers.duo.requests.slice(before429).filter((r) => r.path === '/auth/v2/preauth');
  assert.equal(preauths.length, 3, 'the same preauth was sent three times');
  assert.ok(preauths.every((r) => r.verdict === 'ok'), 'each retry is correctly signed');

  const leo = await askedAndAnsweredYes('leo');
  servers.duo.throttle = 1000;
  try {
    const result = await leo.project.run(['run'], { ALERTCRON_NOW: iso(leo.T + MIN) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Duo is rate-limiting \(HTTP 429\); the 2FA of leo@example\.org is tried again next run/);
    assert.equal(conversationOf(leo.project, 'leo').state, 'answered_yes');
    assert.ok(!world.smtp.messages.some((m) => m.subject.includes('leo')), 'a throttled Duo is no failed 2FA');
  } finally {
    servers.duo.throttle = 0;
  }
  await leo.run(leo.T + 2 * MIN);
  assert.equal(conversationOf(leo.project, 'leo').state, '2fa_pending', 'the next run sends the push');
});

test('a push that expires on Duo\'s side (auth_status: deny, status timeout) escalates as "2FA timed out", not "denied"', async () => {
  servers.duo.users.set('mia@example.org', { enrolled: true, push: 'timeout' });
  const { T, project, run } = await askedAndAnsweredYes('mia');
  await run(T + MIN);
  assert.equal(conversationOf(project, 'mia').state, '2fa_pending');
  await run(T + 2 * MIN);
  const c = conversationOf(project, 'mia');
  assert.equal(c.reason, '2fa_timed_out');
  const mail = world.smtp.messages.find((m) => m.subject.includes('mia'))!;
  assert.equal(mail.subject, '[ask: 2FA timed out] sudo by mia on db-3');
  assert.match(mailText(mail.raw), /expired unanswered on Duo's side \(Login timed out\.\)/);
});

/** Every text form a secret could leak in: itself, URL-encoded, and the middle of its base64 at each alignment. */
function leakForms(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret)];
  for (const shift of [0, 1, 2]) {
    const b64 = Buffer.concat([Buffer.alloc(shift), Buffer.from(secret)]).toString('base64');
    forms.push(b64.slice(4, -4));
  }
  return forms.filter((f) => f.length >= 6);
}

/** All text files under a folder. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

for (const echo of ['authorization', 'secret_key'] as const) {
  test(`a Duo whose error answer echoes the ${echo === 'authorization' ? 'Authorization header' : 'secret key'} leaks neither key into the notice, audit.log, state, status or status --json`, async () => {
    const { T, project, run } = await askedAndAnsweredYes(`echo${echo === 'authorization' ? 'a' : 's'}`);
    servers.duo.echo = echo;
    try {
      await run(T + MIN);
    } finally {
      servers.duo.echo = undefined;
    }
    const key = `echo${echo === 'authorization' ? 'a' : 's'}`;
    assert.equal(conversationOf(project, key).reason, '2fa_failed');
    const mail = world.smtp.messages.find((m) => m.subject.includes(key))!;
    assert.match(mailText(mail.raw), /Invalid request parameters \(got (Basic )?\*\*\*/, 'the notice says what Duo answered, keys blanked');
    const status = await project.run(['status'], { ALERTCRON_NOW: iso(T + MIN) });
    const statusJson = await project.run(['status', '--json'], { ALERTCRON_NOW: iso(T + MIN) });
    const outputs: [string, string][] = [
      ['the notice', mail.raw],
      ['the notice (decoded)', mailText(mail.raw)],
      ['status', status.stdout + status.stderr],
      ['status --json', statusJson.stdout + statusJson.stderr],
      ...filesUnder(join(project.dir, 'state')).map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
    ];
    for (const secret of [servers.duo.ikey, servers.duo.skey]) {
      for (const form of leakForms(secret)) for (const [where, text] of outputs) assert.ok(!text.includes(form), `${where} holds ${form === secret ? 'a Duo key' : `a form of a Duo key (${form})`}`);
    }
  });
}
