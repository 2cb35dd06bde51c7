import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useChannelServers } from '../support/channelWorld.js';
import { checkProperty, fc } from '../support/property.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

// A channel with several recipients records its delivery per recipient: a retry goes only to those not reached yet.
const MIN = 60_000;
const world = useWorld();
const servers = useChannelServers();
const FIRST = '+15551230001';
const SECOND = '+15551230002';

/** A project whose alert fires once for key "root" and notifies `notify`, each of those Twilio channels sending to `numbers`. */
async function twilioProject(numbers: string[], notify: string[], delivery: Record<string, unknown> = { deadline: '10s', attempt_timeout: '3s', retries: 1 }) {
  const T = uniqueBaseTime();
  const index = await world.index('auth-recipients');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  const config = servers.config(world);
  const channels = config.channels as Record<string, Record<string, unknown>>;
  for (const name of notify) channels[name] = { ...channels[name], to: numbers };
  project.writeConfig({ ...config, delivery });
  Object.assign(project.env, servers.secrets);
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify, title: 'Admin {{key}}' });
  return { T, project };
}

test('Twilio SMS and calls to two numbers, the second failing: over three runs the first is texted and called once, the second retried each run', { timeout: 120_000 }, async () => {
  const { T, project } = await twilioProject([FIRST, SECOND], ['oncall-sms', 'oncall-call']);
  servers.twilio.failingNumbers.add(SECOND);
  const to = (records: Record<string, string>[], number: string) => records.filter((r) => r.To === number).length;
  const tried = () => servers.twilio.requests.filter((r) => new URLSearchParams(r.body).get('To') === SECOND).length;

  let triedBefore = 0;
  for (let run = 0; run < 3; run++) {
    const result = await project.run(['run'], { ALERTCRON_NOW: iso(T + run * MIN) });
    assert.equal(result.code, 4, result.stderr);
    const owed = run === 0 ? ' \\(1 of 2 recipients still owed\\)' : '';
    assert.match(result.stderr, new RegExp(`-> oncall-sms: Twilio answered HTTP 500 \\(code 20500\\): Internal Server Error${owed} \\(will retry next run\\)`));
    assert.equal(to(servers.twilio.messages, FIRST), 1, `run ${run + 1}: the first number was texted once`);
    assert.equal(to(servers.twilio.calls, FIRST), 1, `run ${run + 1}: the first number was called once`);
    assert.ok(tried() > triedBefore, `run ${run + 1} tried the second number again`);
    triedBefore = tried();
    const pending = project.state().pending as { channel: string; to?: string[] }[];
    assert.deepEqual(pending.map((p) => [p.channel, p.to]).sort(), [['oncall-call', [SECOND]], ['oncall-sms', [SECOND]]], 'only the second number is still owed');
  }

  servers.twilio.failingNumbers.clear();
  const last = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(last.code, 0, last.stderr);
  assert.deepEqual([to(servers.twilio.messages, FIRST), to(servers.twilio.messages, SECOND)], [1, 1], 'each number texted exactly once');
  assert.deepEqual([to(servers.twilio.calls, FIRST), to(servers.twilio.calls, SECOND)], [1, 1], 'each number called exactly once');
  const sent = (project.state().sent as { channel: string; receipt: { messages?: { chat: string; id: string }[] } }[]).filter((s) => s.channel === 'oncall-sms');
  assert.deepEqual(sent[0]!.receipt.messages?.map((m) => m.chat), [FIRST, SECOND], 'the receipt keeps the message of each number');
});

test('generated numbers and failing subsets: over two runs every number is texted exactly once, the failing ones only after they recover', { timeout: 240_000 }, async () => {
  const NUMBERS = ['+15551230001', '+15551230002', '+15551230003', '+15551230004'];
  await checkProperty(
    'Twilio SMS per-number delivery through the CLI',
    fc.asyncProperty(fc.integer({ min: 1, max: NUMBERS.length }), fc.array(fc.boolean(), { minLength: NUMBERS.length, maxLength: NUMBERS.length }), async (count, failing) => {
      const numbers = NUMBERS.slice(0, count);
      const { T, project } = await twilioProject(numbers, ['oncall-sms'], { deadline: '10s', attempt_timeout: '3s', retries: 0 });
      servers.twilio.messages.length = 0;
      servers.twilio.failingNumbers.clear();
      numbers.forEach((number, i) => failing[i] && servers.twilio.failingNumbers.add(number));
      const texted = (number: string) => servers.twilio.messages.filter((m) => m.To === number).length;
      const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
      assert.equal(first.code, numbers.some((_, i) => failing[i]) ? 4 : 0, first.stderr);
      for (const [i, number] of numbers.entries()) assert.equal(texted(number), failing[i] ? 0 : 1, `${number} after the first run`);
      servers.twilio.failingNumbers.clear();
      const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
      assert.equal(second.code, 0, second.stderr);
      for (const number of numbers) assert.equal(texted(number), 1, `${number} texted exactly once over both runs`);
    }),
    6,
  );
});

test('a number Twilio refuses for good (21211) is reported once; the number that got the SMS keeps it as delivered and is not texted again', { timeout: 120_000 }, async () => {
  const INVALID = '+15005550001';
  const { T, project } = await twilioProject([FIRST, INVALID], ['oncall-sms']);
  const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 4, first.stderr);
  assert.match(first.stderr, /-> oncall-sms: Twilio answered HTTP 400 \(code 21211\): .*refused for good: \+15005550001\) \(not retried\)/);
  assert.deepEqual(project.state().pending, []);
  const sent = project.state().sent as { channel: string; receipt: { chat?: string } }[];
  assert.deepEqual(sent.map((s) => [s.channel, s.receipt.chat]), [['oncall-sms', FIRST]], 'the SMS the first number got is recorded as sent');
  const second = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(servers.twilio.messages.filter((m) => m.To === FIRST).length, 1);
});
