import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { maxPatrolProject } from '../support/maxpatrolProject.js';
import { useMaxPatrolServer } from '../support/maxpatrolServer.js';
import { uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const fake = useMaxPatrolServer();

/** Every text alertcron wrote for a project but the state's tokens slice: outputs, the rest of the state, the audit log. */
const written = (project: { dir: string }, outputs: string[]) => {
  const { tokens: _tokens, ...state } = JSON.parse(readFileSync(join(project.dir, 'state', 'state.json'), 'utf8')) as Record<string, unknown>;
  return [...outputs, JSON.stringify(state), readFileSync(join(project.dir, 'state', 'audit.log'), 'utf8')].join('\n');
};

test('every new incident once, oldest first, across pages the core cuts short; filtered by severity and status; one login for many runs', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  mp.maxPageSize = 7; // the core gives fewer rows than the 10 asked: paging must follow totalItems
  const { project, slack, slackBodies } = maxPatrolProject(world, servers, fake, {}, { page_size: 10 });
  const first = mp.addIncident({ created: T - 9 * MIN, name: 'Beaconing from ws-17', category: 'C2', type: 'Network attack', severity: 'High', assigned: { id: 'u1', firstName: 'Ivan', lastName: 'Petrov' },
    events: [1, 2, 3].map((n) => ({ id: `e${n}`, date: mp.time(T - 9 * MIN + n * 1000), description: `beacon ${n} to 203.0.113.${n}` })) });
  for (let n = 1; n < 24; n++) mp.addIncident({ created: T - 9 * MIN + n * 10_000, name: `Scan ${n}`, severity: 'Medium' });
  mp.addIncident({ created: T - 2 * MIN, name: 'Low noise', severity: 'Low' });
  mp.addIncident({ created: T - 2 * MIN, name: 'Already closed', status: 'Closed' });

  const outputs: string[] = [];
  const run = async (at: number) => {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(at) });
    outputs.push(result.stdout, result.stderr);
    assert.equal(result.code, 0, result.stderr);
  };
  await run(T);
  const titles = slack();
  assert.equal(titles.length, 24);
  assert.deepEqual(titles.slice(0, 3), ['MaxPatrol INC-1: Beaconing from ws-17 (High)', 'MaxPatrol INC-2: Scan 1 (Medium)', 'MaxPatrol INC-3: Scan 2 (Medium)'], 'oldest first');
  assert.ok(!titles.some((t) => /Low noise|Already closed/.test(t)), 'Low and Closed incidents are filtered out');
  const body = slackBodies()[0]!;
  const created = new Date(T - 9 * MIN + 3 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
  assert.ok(body.includes(`Status New, C2 / Network attack, created ${created} GMT+3, assigned to Ivan Petrov`), body);
  assert.ok(body.includes('beacon 1 to 203.0.113.1') && body.includes('beacon 2 to 203.0.113.2') && !body.includes('beacon 3'), 'the first max_events (2) events');
  assert.ok(body.includes(`${mp.apiUrl}/#/incident/incidents/view/${first.id}`), 'the link to the incident in the UI');
  assert.ok(body.includes('alertcron maxpatrol confirm INC-1') && body.includes('alertcron maxpatrol close INC-1'));
  const lists = mp.api.requests.filter((r) => r.path === '/api/v2/incidents/');
  assert.equal(lists.length, 4, '26 incidents, 7 a page: 4 pages');
  const page = JSON.parse(lists[1]!.body);
  assert.deepEqual([page.offset, page.limit, page.filterTimeType, page.filter.orderby], [7, 10, 'creation', [{ field: 'created', sortOrder: 'descending' }]]);
  assert.equal(page.timeFrom, new Date(T - 10 * MIN).toISOString(), 'the first run looks back first_lookback');

  await run(T + MIN);
  assert.equal(slack().length, 24, 'nothing told twice');
  mp.addIncident({ created: T + 30_000, name: 'Ransomware note', severity: 'High' });
  await run(T + 2 * MIN);
  assert.deepEqual(slack().slice(24), ['MaxPatrol INC-27: Ransomware note (High)']);
  assert.equal(mp.logins, 1, 'one login, its token reused by the next runs');
  const state = project.state();
  assert.deepEqual(Object.keys(state.tokens), ['maxpatrol'], 'tokens live in their own slice of the state, by source');
  assert.ok(state.tokens.maxpatrol.expiresAt > T, 'the token is kept with its expiry');
  assert.equal(state.alerts['mp-incidents'].rule.from, Date.parse(first.created.replace(/(\.\d{3})\d+/, '$1')), 'the next read starts at the oldest incident still New');
  const token = state.tokens.maxpatrol.value as string;
  assert.ok(token.length > 20 && !written(project, outputs).includes(token), 'the token appears nowhere but its slice of the state');
  assert.ok(!written(project, outputs).includes(mp.password) && !written(project, outputs).includes(mp.clientSecret));
});

test('confirm and close from the shell change the status on the core with a comment naming who; the incident is then resolved', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, slack } = maxPatrolProject(world, servers, fake, { resolve_after: 1 });
  const a = mp.addIncident({ created: T - MIN, name: 'Phishing click' });
  const b = mp.addIncident({ created: T - MIN, name: 'Mass file rename' });
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T) })).code, 0);

  const confirm = await project.run(['maxpatrol', 'confirm', 'INC-1', '--by', 'alice'], { ALERTCRON_NOW: iso(T + 10_000) });
  assert.equal(confirm.code, 0, confirm.stderr);
  assert.equal(confirm.stdout, `INC-1 confirmed (New -> Approved) by alice: ${mp.apiUrl}/#/incident/incidents/view/${a.id}\n`);
  assert.equal(a.status, 'Approved');
  assert.deepEqual(a.history.map((h) => [h.prevStatus, h.nextStatus, h.comment]), [['New', 'Approved', 'Confirmed by alice via alertcron']]);
  const close = await project.run(['maxpatrol', 'close', 'INC-2', '--by', 'bob', '--comment', 'false positive: backup job'], { ALERTCRON_NOW: iso(T + 20_000) });
  assert.equal(close.code, 0, close.stderr);
  assert.equal(b.status, 'Closed');
  assert.equal(b.history[0]!.comment, 'Closed by bob via alertcron: false positive: backup job');
  const put = mp.api.requests.find((r) => r.method === 'PUT')!;
  assert.deepEqual(JSON.parse(put.body), { id: 'Approved', measures: '', message: 'Confirmed by alice via alertcron' });
  assert.equal(mp.logins, 1, 'the shell reuses the token the run kept');

  mp.expireTokens();
  const again = await project.run(['maxpatrol', 'close', 'INC-2']);
  assert.equal(again.code, 0);
  assert.equal(mp.logins, 2, 'a 401 renewed the token once');
  assert.match(again.stdout, /^INC-2 is already Closed: /);
  assert.equal(b.history.length, 1);
  const late = await project.run(['maxpatrol', 'confirm', 'INC-2']);
  assert.equal(late.code, 3);
  assert.equal(late.stderr, `alertcron: MaxPatrol at 127.0.0.1:${mp.api.port} answered HTTP 400 to the status change of INC-2 to Approved: {"error":"Transition from Closed to Approved is not allowed"}\n`);
  const unknown = await project.run(['maxpatrol', 'close', 'INC-404']);
  assert.equal(unknown.code, 3);
  assert.equal(unknown.stderr, `alertcron: MaxPatrol at 127.0.0.1:${mp.api.port} has no incident INC-404 (give its key, e.g. INC-123, or its id)\n`);

  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) })).code, 0);
  assert.equal(mp.logins, 2, 'the token the shell renewed was stored for the next run');
  assert.deepEqual(slack().sort(), ['MaxPatrol INC-1: Phishing click (High)', 'MaxPatrol INC-2: Mass file rename (High)', 'Resolved: MaxPatrol INC-1: Phishing click (High)', 'Resolved: MaxPatrol INC-2: Mass file rename (High)']);
});

test('a user without the right to change statuses gets 403 named; a failing transition says to check the core', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, writeSection } = maxPatrolProject(world, servers, fake);
  mp.addIncident({ created: T - MIN });
  writeSection({ username: mp.readOnlyUser });
  project.env.MP_PASSWORD = mp.users[mp.readOnlyUser]!.password;
  const denied = await project.run(['maxpatrol', 'confirm', 'INC-1']);
  assert.equal(denied.code, 3);
  assert.equal(denied.stderr, `alertcron: MaxPatrol at 127.0.0.1:${mp.api.port} answered HTTP 403 to the status change of INC-1 to Approved: check that the user viewer has a role that allows it in MaxPatrol\n`);
  writeSection();
  project.env.MP_PASSWORD = mp.password;
  mp.transitionFailures = [502];
  const failing = await project.run(['maxpatrol', 'close', 'INC-1']);
  assert.equal(failing.code, 3);
  assert.match(failing.stderr, /^alertcron: MaxPatrol at 127\.0\.0\.1:\d+ answered HTTP 502 to the status change of INC-1 to Closed: check the core's services \(the next run tries again\)/);
  assert.equal(mp.incidents[0]!.status, 'New');
});

test('the token is renewed near its expiry and once on a 401, never logged in every run', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  mp.tokenLifetime = 600; // renewed when less than 2.5 minutes are left
  const { project, slack } = maxPatrolProject(world, servers, fake);
  const run = async (at: number) => {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(at) });
    assert.equal(result.code, 0, result.stderr);
  };
  await run(T);
  await run(T + MIN);
  await run(T + 2 * MIN);
  assert.equal(mp.logins, 1);
  await run(T + 8 * MIN);
  assert.equal(mp.logins, 2, 'renewed within the last quarter of its lifetime');
  mp.expireTokens();
  mp.addIncident({ created: T + 8 * MIN + 10_000, name: 'After the restart of the core' });
  await run(T + 9 * MIN);
  assert.equal(mp.logins, 3, 'a 401 renews the token once and the request is repeated');
  assert.deepEqual(slack(), ['MaxPatrol INC-1: After the restart of the core (High)']);
  const statuses = mp.api.requests.map((r) => r.path);
  assert.equal(statuses.filter((p) => p === '/api/v2/incidents/').length, 6, 'five runs, one of them repeated after its 401');
});

test('failures are one line naming the host and what to check; the window stays; self-monitoring tells once and when it is back', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, writeSection, slack } = maxPatrolProject(world, servers, fake, {}, {}, { monitoring: { notify: ['soc-slack'], after_failures: 2 } });
  const early = mp.addIncident({ created: T - 5 * MIN, name: 'During the outage' });
  const mpHost = `127.0.0.1:${mp.api.port}`;
  const tokenHost = `127.0.0.1:${mp.token.port}`;
  const outputs: string[] = [];
  const failing = async (at: number, expected: string) => {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(at) });
    outputs.push(result.stdout, result.stderr);
    assert.equal(result.code, 3, result.stderr);
    assert.ok(result.stderr.includes(expected), `${result.stderr}\nexpected: ${expected}`);
    assert.equal(project.state().alerts['mp-incidents'].rule, undefined, 'the window does not move');
  };
  project.env.MP_PASSWORD = 'wrong password';
  await failing(T, `MaxPatrol at ${tokenHost} refused the login (HTTP 400 invalid_grant: invalid_username_or_password): check maxpatrol.username and maxpatrol.password`);
  project.env.MP_PASSWORD = mp.password;
  project.env.MP_CLIENT_SECRET = 'not-the-secret';
  await failing(T + MIN, `MaxPatrol at ${tokenHost} refused the login (HTTP 400 invalid_client): check maxpatrol.client_id, maxpatrol.client_secret (in the core's install.sh) and maxpatrol.scope`);
  project.env.MP_CLIENT_SECRET = mp.clientSecret;
  mp.listFailures = [403];
  await failing(T + 2 * MIN, `MaxPatrol at ${mpHost} answered HTTP 403 to the incident list: check that the user alertcron has a role that allows it in MaxPatrol`);
  mp.listFailures = [500];
  await failing(T + 3 * MIN, `MaxPatrol at ${mpHost} answered HTTP 500 to the incident list: check the core's services (the next run tries again)`);
  mp.refuseAllTokens = true;
  const loginsBefore = mp.logins;
  await failing(T + 3 * MIN + 30_000, `MaxPatrol at ${mpHost} refused a fresh token for the incident list (HTTP 401): check that maxpatrol.client_id and maxpatrol.scope give access to the API (mpx.api)`);
  assert.equal(mp.logins, loginsBefore + 1, 'a 401 renews the token once, not in a loop');
  mp.refuseAllTokens = false;
  mp.loginFailures = [503];
  mp.expireTokens();
  await failing(T + 4 * MIN, `MaxPatrol at ${tokenHost} answered the login with HTTP 503 <html><body>Service Unavailable</body></html>: check the management console's services`);
  writeSection({ url: 'https://127.0.0.1:9' });
  await failing(T + 5 * MIN, 'cannot reach MaxPatrol at 127.0.0.1:9 for the incident list: connect ECONNREFUSED 127.0.0.1:9 (check maxpatrol.url and the network between this host and the core)');
  writeSection({ ca_file: undefined });
  await failing(T + 6 * MIN, `cannot reach MaxPatrol at ${mpHost} for the incident list: self-signed certificate in certificate chain (set maxpatrol.ca_file to the CA that signed its certificate)`);
  for (const line of outputs.join('').split('\n').filter((l) => l.includes('MaxPatrol'))) assert.ok(!line.includes(mp.password) && !line.includes(mp.clientSecret));
  assert.deepEqual(slack(), ['alertcron cannot read MaxPatrol SIEM incidents'], 'told once, after 2 failed runs');
  assert.match(JSON.stringify(world.slack.accepted()[0]), /2 runs in a row failed since .*; alerts over maxpatrol are not being evaluated\. Last error: MaxPatrol at 127\.0\.0\.1:\d+ refused the login \(HTTP 400 invalid_client\)/);

  writeSection();
  const back = await project.run(['run'], { ALERTCRON_NOW: iso(T + 7 * MIN) });
  assert.equal(back.code, 0, back.stderr);
  assert.ok(slack().includes(`MaxPatrol ${early.key}: During the outage (High)`), 'the incident of the outage is not lost');
  assert.ok(slack().includes('alertcron reads MaxPatrol SIEM incidents again'));
  const insecure = await project.run(['validate']);
  assert.equal(insecure.code, 0, insecure.stderr);
});

test('escalation by age and severity, and a silence, work as for any source', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, slack } = maxPatrolProject(world, servers, fake, { escalation: [{ after: '30m', notify: ['oncall-sms'], severity: [3] }] });
  mp.addIncident({ created: T - MIN, name: 'Lateral movement', severity: 'High' });
  mp.addIncident({ created: T - MIN, name: 'Policy violation', severity: 'Medium' });
  mp.addIncident({ created: T - MIN, name: 'Known scanner', severity: 'High' });
  const silence = await project.run(['silence', 'add', 'mp-incidents', '--key', 'INC-3', '--for', '2h', '--comment', 'scanner of the red team'], { ALERTCRON_NOW: iso(T) });
  assert.equal(silence.code, 0, silence.stderr);
  for (const at of [T, T + 10 * MIN, T + 31 * MIN, T + 40 * MIN]) assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(at) })).code, 0);
  assert.deepEqual(slack(), ['MaxPatrol INC-1: Lateral movement (High)', 'MaxPatrol INC-2: Policy violation (Medium)']);
  assert.deepEqual(servers.twilio.messages.map((m) => String(m.Body).split('\n')[0]), ['[tier-1] MaxPatrol INC-1: Lateral movement (High)'], 'only the High incident climbs, once');
});

test('TLS: the core is trusted through ca_file; without it only the loudly named insecure switch works, and validate warns about it', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, writeSection, slack } = maxPatrolProject(world, servers, fake);
  mp.addIncident({ created: T - MIN, name: 'Over an unverified link' });
  writeSection({ ca_file: undefined, insecure_skip_tls_verify: true });
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  assert.equal(validate.stderr, "alertcron.yaml /maxpatrol/insecure_skip_tls_verify: warning: MaxPatrol certificates are not verified: anyone between this host and the core can read the password and the incidents (set ca_file to the core's CA instead)\n");
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(slack(), ['MaxPatrol INC-1: Over an unverified link (High)']);

  // The secrets from files instead of the environment, and the CA again.
  writeFileSync(join(project.dir, 'mp-password'), `${mp.password}\n`);
  writeFileSync(join(project.dir, 'mp-client-secret'), mp.clientSecret);
  writeSection({ password: undefined, password_file: 'mp-password', client_secret: undefined, client_secret_file: 'mp-client-secret' });
  project.env.MP_PASSWORD = 'unused';
  mp.expireTokens();
  mp.addIncident({ created: T + 30_000, name: 'With secrets from files' });
  const files = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(files.code, 0, files.stderr);
  assert.deepEqual(slack().at(-1), 'MaxPatrol INC-2: With secrets from files (High)');
});

test('validate names what is wrong in the maxpatrol: section and in an alert over it', async () => {
  const mp = fake.server;
  const { project, writeSection } = maxPatrolProject(world, servers, fake, { maxpatrol: { status: ['Open'], severity: ['High'] } });
  writeSection({ time_zone: 'Mars/Olympus', password: 'inline-password', page_sise: 10 });
  const result = await project.run(['validate']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^alertcron\.yaml:\d+:\d+ \/maxpatrol\/password: secrets must not be written inline: use password: \$\{SOME_ENV_VAR\} or password_file: \/path\/to\/file$/m);
  writeSection({ time_zone: 'Mars/Olympus', page_sise: 10 });
  const again = await project.run(['validate']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^alertcron\.yaml:\d+:\d+ \/maxpatrol\/page_sise: unknown key "page_sise" \(did you mean "page_size"\?\)$/m);
  writeSection({ time_zone: 'Mars/Olympus' });
  const zone = await project.run(['validate']);
  assert.equal(zone.code, 2);
  assert.match(zone.stderr, /^alerts\/mp-incidents\.yaml:4:7 \/maxpatrol\/status\/0: must be one of "New", "Approved", "InProgress", "Resolved", "Closed"$/m);
  assert.match(zone.stderr, /^alerts\/mp-incidents\.yaml:1:9 \/source: maxpatrol\.time_zone in alertcron\.yaml is not a time zone: "Mars\/Olympus" \(write an IANA name such as Europe\/Moscow or UTC\)$/m);
  assert.ok(!`${result.stderr}${again.stderr}${zone.stderr}`.includes(mp.password));
});

test('alertcron test reads the incidents of the window asked for, sends nothing and moves no cursor', async () => {
  const T = uniqueBaseTime();
  const mp = fake.server;
  const { project, slack } = maxPatrolProject(world, servers, fake);
  mp.addIncident({ created: T - 90 * MIN, name: 'An hour and a half ago' });
  mp.addIncident({ created: T - 3 * 60 * MIN, name: 'Three hours ago' });
  const result = await project.run(['test', 'mp-incidents', '--from', '2h'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /"timeFrom": "[^"]+"/);
  assert.match(result.stdout, /INC-1/);
  assert.doesNotMatch(result.stdout, /INC-2/);
  assert.deepEqual(slack(), []);
  assert.equal(project.state()?.alerts?.['mp-incidents']?.rule, undefined);

  // --to alone would be ignored by a queue alert (it reads [--from, --to) or the next run's window): a usage error.
  const toAlone = await project.run(['test', 'mp-incidents', '--to', '1h'], { ALERTCRON_NOW: iso(T) });
  assert.equal(toAlone.code, 64, toAlone.stdout);
  assert.equal(toAlone.stderr, "alertcron: --to needs --from for alert mp-incidents: a maxpatrol alert reads its queue over [--from, --to), or without both over the next run's window\n");
  assert.deepEqual(slack(), []);
});
