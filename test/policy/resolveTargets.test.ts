import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { emptyState, type KeyState, type PendingDelivery } from '../../src/model/state.js';
import { muteReason } from '../../src/policy/mute.js';
import { resolveTargets } from '../../src/policy/resolveTargets.js';
import { CHANNEL_KINDS, channelKind } from '../../src/notify/channels/registry.js';
import { resolveSettingOf, sendsResolved } from '../../src/notify/channels/sendResolved.js';
import { plainMap } from '../../src/util/plainMap.js';
import { checkProperty } from '../support/property.js';

const T = Date.parse('2026-12-01T10:00:00Z');

/** A channel's part in a generated case: when it was last told (if ever), and how alertcron.yaml has it now. */
const channelArb = fc.record({
  told: fc.option(fc.integer({ min: T - 10_000, max: T + 10_000 }), { nil: undefined }),
  setting: fc.constantFrom('gone', 'on', 'off'),
});

test('property: the resolve goes to exactly the configured, send_resolved channels told in the current episode; the rest told then are named', async () => {
  await checkProperty(
    'resolveTargets picks the channels of the current episode',
    fc.property(
      fc.dictionary(fc.constantFrom('mail', 'slack', 'sms', 'call', 'hook', '__proto__', 'constructor', 'a.b-c_d'), channelArb),
      fc.option(fc.integer({ min: T - 10_000, max: T + 10_000 }), { nil: undefined }),
      (channels, resolvedAt) => {
        const delivered = plainMap<number>();
        for (const [name, c] of Object.entries(channels)) if (c.told !== undefined) delivered[name] = c.told;
        const key: Pick<KeyState, 'delivered' | 'resolvedAt'> = { delivered, ...(resolvedAt === undefined ? {} : { resolvedAt }) };
        const setting = (name: string) => {
          const s = Object.prototype.hasOwnProperty.call(channels, name) ? channels[name]!.setting : 'gone';
          return s === 'gone' ? undefined : { sendResolved: s === 'on' };
        };
        const targets = resolveTargets(key, setting);
        const thisEpisode = Object.keys(delivered).filter((name) => resolvedAt === undefined || delivered[name]! > resolvedAt);
        assert.deepEqual([...targets.to, ...targets.skipped.map((s) => s.channel)].sort(), [...thisEpisode].sort(), 'every channel of this episode, once');
        assert.deepEqual(targets.to, [...targets.to].sort(), 'in a stable order');
        for (const name of targets.to) assert.equal(setting(name)?.sendResolved, true, name);
        for (const { channel, why } of targets.skipped) assert.equal(why, setting(channel) ? 'send_resolved is false' : 'channel no longer configured in alertcron.yaml');
      },
    ),
    300,
  );
});

test('a channel told exactly when the key last resolved belongs to that episode, not the next', () => {
  const key = { delivered: plainMap<number>([['mail', T], ['slack', T + 1]]), resolvedAt: T };
  assert.deepEqual(resolveTargets(key, () => ({ sendResolved: true })), { to: ['slack'], skipped: [] });
});

test('send_resolved defaults to true for every kind but twilio-call and thehive; a channel\'s own setting wins', () => {
  for (const kind of CHANNEL_KINDS) assert.equal(sendsResolved({ type: kind.type } as never), !['twilio-call', 'thehive'].includes(kind.type), kind.type);
  assert.equal(channelKind('twilio-call')?.sendResolved, false);
  assert.equal(channelKind('thehive')?.sendResolved, false);
  assert.equal(sendsResolved({ type: 'twilio-call', send_resolved: true } as never), true);
  assert.equal(sendsResolved({ type: 'email', send_resolved: false } as never), false);
  const settingOf = resolveSettingOf(plainMap([['ops', { type: 'slack' } as never]]));
  assert.deepEqual(settingOf('ops'), { sendResolved: true });
  assert.equal(settingOf('gone'), undefined);
  assert.equal(settingOf('__proto__'), undefined);
});

/** The muter's view of a state where key k of alert a was told on mail at `told` and is silenced now. */
function muteContext(told: number) {
  const data = emptyState();
  data.alerts.a = { keys: plainMap([['k', { firstSeen: T - 5000, lastSeen: T - 5000, lastFired: told, fired: 1, delivered: plainMap([['mail', told]]), acknowledged: { at: T - 1000, by: 'bob' } } as KeyState]]) };
  data.silences.push({ id: 's1', alert: 'a', key: 'k', createdAt: T - 2000, endsAt: T + 3_600_000, comment: 'quiet', author: 'alice' });
  return { data, defined: new Set(['a']), disabled: new Set<string>(), now: T };
}

const resolvedItem: PendingDelivery = { id: 'r1', alert: 'a', key: 'k', channel: 'mail', reason: 'resolved', title: 'Resolved: k', message: '', createdAt: T - 500, attempts: 0 };

test('a resolved notice is not muted by a silence or an ack of its key; a first notice is', () => {
  const context = muteContext(T - 5000);
  assert.equal(muteReason(resolvedItem, context), undefined);
  assert.match(muteReason({ ...resolvedItem, reason: 'first' }, context) ?? '', /^silenced by s1/);
});

test('a resolved notice still pending when its channel has accepted a newer notice of the key is dropped as stale', () => {
  assert.match(muteReason(resolvedItem, muteContext(T - 100)) ?? '', /fired again on this channel/);
  assert.equal(muteReason({ ...resolvedItem, channel: 'slack' }, muteContext(T - 100)), undefined, 'another channel, not told since, still gets it');
});
