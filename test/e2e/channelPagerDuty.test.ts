// Issue 26 points 1 and 2 for PagerDuty: a `type: pagerduty` channel sends each notice as an Events API v2 event with
// one dedup_key per alert and key (incidentId), so repeats join the alert the first notice opened and the key's
// resolve (resolve_after) resolves it; a digest is an info event with its own key. Driven through the CLI against
// OpenSearch and a local server that follows PagerDuty's published API (validation, 202, 400, 429, 5xx).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incidentId } from '../../src/notify/incidentId.js';
import { HOSTILE_FIELDS, HOSTILE_MESSAGE } from '../support/hostileText.js';
import { usePagerDutyServer } from '../support/pagerDutyServer.js';
import { channelProject, everything, runOk } from '../support/channelRuns.js';
import { uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const fake = usePagerDutyServer();

/** A project whose logon alert notifies a PagerDuty channel `pd` at the fake (routing key from the environment). */
async function pdProject(channel: Record<string, unknown> = {}, alert: Record<string, unknown> = {}) {
  const made = await channelProject(world, 'pd', { type: 'pagerduty', routing_key: '${PAGERDUTY_ROUTING_KEY}', api_url: fake.server.base, source: '{{host.name}}', timeout: '3s', ...channel }, alert);
  made.project.env.PAGERDUTY_ROUTING_KEY = fake.server.routingKeys[0]!;
  return made;
}

const events = () => fake.server.requests.filter((r) => r.path === '/v2/enqueue').map((r) => JSON.parse(r.body) as Record<string, any>);

test('trigger, repeat, resolve: one PagerDuty alert per alert and key, its repeat joins it, the key\'s resolve resolves it; the next episode opens a new one', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await pdProject({ severity: 'warning', component: 'winlogbeat', group: '{{alert}}', class: 'logon', client_url: 'https://kibana.example.org/app/discover' });
  const dedup = incidentId('logons', 'root');
  await logon(T - 30_000, 'root');
  await runOk(project, T);
  assert.equal(fake.server.alerts.length, 1);
  const [alert] = fake.server.alerts;
  assert.equal(alert!.dedup_key, dedup);
  assert.equal(alert!.status, 'triggered');
  assert.deepEqual(alert!.triggers[0], {
    summary: 'Logon root on dc01',
    source: 'dc01',
    severity: 'warning',
    timestamp: iso(T),
    component: 'winlogbeat',
    group: 'logons',
    class: 'logon',
    custom_details: { message: '1 logons to root from 10.0.0.5', '@timestamp': iso(T - 30_000), 'event.code': '4624', 'host.name': 'dc01', 'source.ip': '10.0.0.5', 'winlog.event_data.TargetUserName': 'root' },
  });
  assert.deepEqual([alert!.client, alert!.client_url], ['alertcron', 'https://kibana.example.org/app/discover']);
  assert.deepEqual(project.state().sent.filter((s: { channel: string }) => s.channel === 'pd').map((s: { receipt?: { id?: string } }) => s.receipt?.id), [dedup], 'the receipt keeps the dedup_key');

  // Still logging on after the throttle: a repeat, added to the open alert (no second incident).
  await logon(T + MIN - 30_000, 'root');
  await runOk(project, T + MIN);
  assert.equal(fake.server.alerts.length, 1, 'a repeat opens nothing new');
  assert.equal(alert!.triggers.length, 2);
  assert.deepEqual(events().map((e) => [e.event_action, e.dedup_key]), [['trigger', dedup], ['trigger', dedup]]);

  // No logon for a run: the key resolves, and its resolve event resolves the alert.
  await runOk(project, T + 2 * MIN);
  assert.deepEqual(events().at(-1), { routing_key: fake.server.routingKeys[0], event_action: 'resolve', dedup_key: dedup });
  assert.equal(alert!.status, 'resolved');
  assert.deepEqual(project.state().pending, []);
  assert.deepEqual(project.audit().filter((e) => e.event === 'delivered' && e.channel === 'pd').map((e) => e.reason), ['first', 'repeat', 'resolved']);

  // The key fires again: a new alert with the same dedup_key (PagerDuty opens a new one once the old is resolved).
  await logon(T + 3 * MIN - 30_000, 'root');
  await runOk(project, T + 3 * MIN);
  assert.deepEqual(fake.server.alerts.map((a) => [a.dedup_key, a.status]), [[dedup, 'resolved'], [dedup, 'triggered']]);
});

test('two keys are two alerts with their own dedup_keys; the key itself never reaches PagerDuty as an identifier', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await pdProject();
  const hostileKey = 'adm<in>\n../../x';
  await logon(T - 30_000, 'alice');
  await logon(T - 20_000, hostileKey);
  await runOk(project, T);
  assert.deepEqual(fake.server.alerts.map((a) => a.dedup_key).sort(), [incidentId('logons', 'alice'), incidentId('logons', hostileKey)].sort());
  for (const key of fake.server.alerts.map((a) => a.dedup_key)) assert.match(key, /^alertcron-[0-9a-f]{40}$/);
  assert.ok(fake.server.alerts.every((a) => a.triggers[0]!.severity === 'error'), 'severity defaults to error');
});

test('hostile log values reach PagerDuty as plain text: the summary one clean line cut to 1,024 characters, details cleaned and bounded, nothing invisible or broken', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await pdProject({ source: '{{evil}}', component: '{{markdown}}', group: '{{wiki}}', class: '{{wiki}} {{wiki}}' }, { title: '{{evil}} {{rtl}} {{long}}', message: HOSTILE_MESSAGE });
  await logon(T - 30_000, 'root', HOSTILE_FIELDS);
  const result = await runOk(project, T);
  assert.equal(fake.server.alerts.length, 1, result.stderr);
  const payload = fake.server.alerts[0]!.triggers[0] as Record<string, any>;
  for (const name of ['summary', 'source', 'component', 'group', 'class']) {
    const value = String(payload[name]);
    assert.ok(!/[\r\n\u0000-\u001f\u202e\u200b]/.test(value), `${name} is one clean line: ${JSON.stringify(value.slice(0, 80))}`);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value), `${name}: no lone surrogate`);
  }
  assert.equal(payload.summary.length, 1024, 'cut to PagerDuty\'s 1,024 characters');
  assert.ok(payload.summary.endsWith('…'));
  assert.ok(payload.summary.startsWith('<!channel> <@U024BE7LH> <https://evil.example|click>'), 'the text as it is: PagerDuty shows it as text');
  assert.ok(payload.summary.includes('Bcc: evil@evil.example X-Injected: 1'), 'the header injection is flattened into the line');
  assert.ok(payload.summary.includes('invoicefdp.exe'), 'the right-to-left override is removed');
  assert.equal(payload.class.length, 255);
  const details = payload.custom_details as Record<string, string>;
  assert.equal(details.message!.length, 8192, 'a detail is cut to 8,192 characters');
  assert.ok(details.message!.endsWith('…'));
  assert.ok(!/[\u202e\u0000-\u0009\u000b-\u001f]/.test(details.message!), 'no control or direction characters (line breaks kept)');
  // cleanText takes out every invisible format character, the zero-width joiner of 👩‍💻 too: each emoji stays whole.
  assert.equal(details.emoji, '🔥🚨👩💻', 'emoji kept whole');
  assert.equal(details.rtl, 'invoicefdp.exe שלום مرحبا', 'the right-to-left override is removed from the field too');
  assert.ok(!Object.values(details).some((v) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v)), 'no lone surrogate in any detail');
});

test('a digest is an info event with its own dedup_key per period, never the key\'s incident', async () => {
  const T = uniqueBaseTime();
  const { project, logon } = await pdProject({}, { digest: { every: '1h' } });
  await logon(T - 30_000, 'root');
  await logon(T - 20_000, 'alice');
  await runOk(project, T);
  assert.equal(fake.server.alerts.length, 0, 'collected for the digest');
  await runOk(project, T + 61 * MIN);
  assert.equal(fake.server.alerts.length, 1, 'one digest event');
  const [digest] = fake.server.alerts;
  assert.equal(digest!.triggers[0]!.severity, 'info');
  assert.match(digest!.dedup_key, /^alertcron-[0-9a-f]{40}$/);
  assert.ok(![incidentId('logons', 'root'), incidentId('logons', 'alice'), incidentId('logons', '_digest')].includes(digest!.dedup_key), 'its own id');
  assert.match(String(digest!.triggers[0]!.summary), /^logons: 2 findings in the last/);
  assert.match(String((digest!.triggers[0]!.custom_details as Record<string, string>).message), /count +winlog\.event_data\.TargetUserName|count/);
});

test('errors: a wrong routing key is PagerDuty\'s 400, final, redacted even when echoed; a 500 is retried; a 429 waits for Retry-After or stays pending for the next run', async () => {
  const T = uniqueBaseTime();
  const wrongKey = 'WRONGkeySECRET0123456789abcdef01';
  const wrong = await pdProject();
  wrong.project.env.PAGERDUTY_ROUTING_KEY = wrongKey;
  fake.server.echoKey = true;
  await wrong.logon(T - 30_000, 'root');
  const refused = await wrong.project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(refused.code, 0);
  assert.equal(events().length, 1, 'a 400 is not retried');
  assert.ok(fake.server.requests[0]!.body.includes(wrongKey), 'the fake did get (and echo) the key');
  assert.match(refused.stderr, /PagerDuty at http:\/\/127\.0\.0\.1:\d+ answered HTTP 400 invalid event: Event object is invalid \(Invalid routing key: \*\*\*\) \(check the channel's routing_key/);
  assert.ok(!everything(wrong.project, refused).includes(wrongKey), 'the routing key appears nowhere: stdout, --json, stderr, state, audit');
  assert.deepEqual(wrong.project.state().pending, [], 'dropped: no retry can fix it');

  fake.server.echoKey = false;
  fake.server.requests.length = 0;
  fake.server.failures = 1;
  const flaky = await pdProject();
  await flaky.logon(T - 30_000, 'root');
  await runOk(flaky.project, T);
  assert.equal(events().length, 2, 'the 500 was retried within the run');
  assert.equal(fake.server.alerts.length, 1);

  fake.server.requests.length = 0;
  fake.server.alerts.length = 0;
  fake.server.busy = 1;
  fake.server.retryAfter = '1';
  const busy = await pdProject();
  await busy.logon(T - 30_000, 'root');
  const started = Date.now();
  await runOk(busy.project, T);
  assert.ok(Date.now() - started >= 1000, 'the retry waited for Retry-After: 1');
  assert.equal(fake.server.alerts.length, 1);

  fake.server.requests.length = 0;
  fake.server.alerts.length = 0;
  fake.server.busy = 5;
  fake.server.retryAfter = undefined;
  const throttled = await pdProject();
  await throttled.logon(T - 30_000, 'root');
  const later = await throttled.project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.notEqual(later.code, 0, 'deliveries left pending');
  assert.match(later.stderr, /answered HTTP 429 throttle event: Requests for this service are arriving too quickly/);
  assert.equal(throttled.project.state().pending.length, 1, 'kept for the next run');
  fake.server.busy = 0;
  await runOk(throttled.project, T + 10_000);
  assert.equal(fake.server.alerts.length, 1, 'the next run delivers it');
  assert.deepEqual(throttled.project.state().pending, []);
});

test('channel test pd sends an info event and prints its dedup_key; validate names a missing or inline routing key and a wrong severity at their lines', async () => {
  const { project } = await pdProject();
  const result = await project.run(['channel', 'test', 'pd']);
  assert.equal(result.code, 0, result.stderr);
  const [alert] = fake.server.alerts;
  assert.equal(alert!.triggers[0]!.severity, 'info');
  assert.match(result.stdout, new RegExp(`^channel pd \\(pagerduty\\) -> PagerDuty Events API v2 at http://127\\.0\\.0\\.1:\\d+: test notice sent\\n  accepted: dedup_key ${alert!.dedup_key}\\n`));

  const bad = world.project({ extraConfig: { channels: { p1: { type: 'pagerduty' }, p2: { type: 'pagerduty', routing_key: 'R0123456789abcdefSECRETpd0000001' }, p3: { type: 'pagerduty', routing_key: '${PD_KEY}', severity: 'high' } } } });
  const checked = await bad.run(['validate'], { PD_KEY: 'x'.repeat(32) });
  assert.equal(checked.code, 2);
  assert.match(checked.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/p1: needs at least one of routing_key, routing_key_file$/m);
  assert.match(checked.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/p2\/routing_key: secrets must not be written inline: use routing_key: \$\{SOME_ENV_VAR\} or routing_key_file: \/path\/to\/file$/m);
  assert.match(checked.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/p3\/severity: must be one of "critical", "error", "warning", "info"$/m);
  assert.ok(!checked.stderr.includes('R0123456789abcdefSECRETpd0000001'), 'the inline key is not printed back');
});
