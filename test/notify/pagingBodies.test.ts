// The PagerDuty event and the Opsgenie alert a notice becomes, for any log text: within each service's documented
// limits, one clean line where the service shows a line, HTML-escaped where Opsgenie formats HTML (never cut inside a
// character reference), and the same id for every notice of an alert and key (its resolve included).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pagerDutyChannel } from '../../src/notify/channels/pagerduty/index.js';
import { pagerDutyEvent } from '../../src/notify/channels/pagerduty/event.js';
import { opsgenieChannel } from '../../src/notify/channels/opsgenie/index.js';
import { cutEscaped, opsgenieAlert, OPSGENIE_LIMITS } from '../../src/notify/channels/opsgenie/alertBody.js';
import { incidentId } from '../../src/notify/incidentId.js';
import type { Notification } from '../../src/notify/types.js';
import { boundedDetails } from '../../src/notify/boundedDetails.js';
import { checkProperty, fc } from '../support/property.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** Log text of every kind: markup, unicode (lone surrogates too), line breaks, long runs. */
const logText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '#', ';', 'a', '1', '\n', '\u202e', '\ud800', '🔥'), maxLength: 2000 }));

const notice = (title: string, message: string, value: string, reason = 'first'): Notification => ({ alert: 'logons', key: value || 'k', reason, title, message, labels: { 'host.name': value } });

const pd = pagerDutyChannel.complete({ type: 'pagerduty', routing_key: 'R'.repeat(32), source: '{{host.name}}', component: '{{host.name}}', custom_details: { host: '{{host.name}}' } });
const genie = opsgenieChannel.complete({ type: 'opsgenie', api_key: 'k', tags: ['{{host.name}}', 'x:{{host.name}}'], entity: '{{host.name}}', details: { host: '{{host.name}}' } });

test('property: a PagerDuty trigger is within limits and plain one-line text for any log text; every notice of a key shares its dedup_key', async () => {
  await checkProperty(
    'pagerduty event bounds',
    fc.property(logText, logText, logText, (title, message, value) => {
      const event = pagerDutyEvent(pd, notice(title, message, value));
      const payload = event.payload!;
      assert.ok(payload.summary.length >= 1 && payload.summary.length <= 1024);
      for (const line of [payload.summary, payload.source, payload.component ?? '']) {
        assert.ok(!/\n/.test(line) && !CONTROL.test(line) && !LONE_SURROGATE.test(line), JSON.stringify(line));
        assert.ok(line.length <= 1024);
      }
      for (const detail of Object.values(payload.custom_details)) assert.ok(!CONTROL.test(detail) && !LONE_SURROGATE.test(detail) && detail.length <= 8192);
      assert.equal(event.dedup_key, incidentId('logons', value || 'k'));
      assert.deepEqual(pagerDutyEvent(pd, notice('x', 'y', value, 'resolved')), { routing_key: 'R'.repeat(32), event_action: 'resolve', dedup_key: event.dedup_key });
    }),
    300,
  );
});

test('property: an Opsgenie alert fits every documented limit, its HTML fields carry no markup character of a value and no cut reference', async () => {
  await checkProperty(
    'opsgenie alert bounds',
    fc.property(logText, logText, logText, (title, message, value) => {
      const alert = opsgenieAlert(genie, notice(title, message, value));
      assert.ok(alert.message.length >= 1 && alert.message.length <= OPSGENIE_LIMITS.message);
      assert.ok(alert.description.length <= OPSGENIE_LIMITS.description);
      for (const html of [alert.message, alert.description]) assert.ok(!/[<>]/.test(html), JSON.stringify(html.slice(0, 80)));
      assert.ok(!/["']/.test(alert.description), JSON.stringify(alert.description.slice(0, 80)));
      assert.ok(!/&(?!#\d+;)/.test(alert.description), 'each & of the description opens a whole character reference');
      for (const text of [alert.message, alert.description]) assert.ok(!CONTROL.test(text) && !LONE_SURROGATE.test(text));
      assert.ok(!alert.message.includes('\n'));
      assert.ok(alert.tags.length <= OPSGENIE_LIMITS.tags && alert.tags.every((t) => t.length <= OPSGENIE_LIMITS.tag && !t.includes('\n')));
      assert.ok((alert.entity ?? '').length <= OPSGENIE_LIMITS.entity && !(alert.entity ?? '').includes('\n'));
      assert.ok(Object.entries(alert.details).reduce((n, [k, v]) => n + k.length + v.length, 0) <= OPSGENIE_LIMITS.details);
      assert.equal(alert.alias, incidentId('logons', value || 'k'));
    }),
    300,
  );
});

test('the Opsgenie message is read as plain text too (push, SMS, voice): a value\'s < > become look-alikes, & \' " stay as they are; the description is HTML-escaped', () => {
  const alert = opsgenieAlert({ ...genie, message: 'Logon {{host.name}}', description: 'User {{host.name}}' }, notice('t', 'm', `O'Brien <admin> & "co"`));
  assert.equal(alert.message, `Logon O'Brien \u2039admin\u203a & "co"`);
  assert.equal(alert.description, 'User O&#39;Brien &#60;admin&#62; &#38; &#34;co&#34;');
  const long = opsgenieAlert({ ...genie, message: '{{host.name}}' }, notice('t', 'm', "&'".repeat(100)));
  assert.equal(long.message, `${"&'".repeat(64)}&\u2026`, 'the 130 characters hold the text itself, not its references');
});

test('cutEscaped never leaves half a character reference and keeps text that fits', () => {
  assert.equal(cutEscaped('a&#60;b', 10), 'a&#60;b');
  assert.equal(cutEscaped('abc&#60;def', 6), 'abc…');
  assert.equal(cutEscaped('R&D team logon of someone', 10), 'R&D team …', 'a literal & of the template is not a reference');
  assert.equal(cutEscaped('&#60;&#62;&#60;', 11), '&#60;&#62;…');
});

test('a digest and a test notice are info (P5) with an id of their own per period; a resolve uses what the trigger opened', () => {
  const digest: Notification = { alert: 'logons', key: '_digest', reason: 'digest', title: 'logons: 3 findings', message: 'table', window: { from: 1, to: 2 } };
  const event = pagerDutyEvent(pd, digest);
  assert.equal(event.payload!.severity, 'info');
  assert.notEqual(event.dedup_key, incidentId('logons', '_digest'));
  assert.notEqual(event.dedup_key, pagerDutyEvent(pd, { ...digest, window: { from: 2, to: 3 } }).dedup_key, 'the next period is another event');
  assert.equal(event.dedup_key, pagerDutyEvent(pd, { ...digest }).dedup_key, 'a retry is the same event');
  assert.equal(opsgenieAlert(genie, digest).priority, 'P5');
  const opened = incidentId('old-name', 'root');
  assert.equal(pagerDutyEvent(pd, { ...notice('t', 'm', 'root', 'resolved'), opened: { id: opened } }).dedup_key, opened);
  assert.equal(pagerDutyEvent(pd, { ...notice('t', 'm', 'root', 'resolved'), opened: { id: 'not ours' } }).dedup_key, incidentId('logons', 'root'), 'a receipt that is no incident id is not trusted');
});

test('boundedDetails: names one clean line, values clean text, each cut; a blank or repeated name and what passes the total left out', () => {
  const entries: [string, string][] = [['a\nb', 'x\u202e\ty'], ['', 'no name'], ['a b', 'again'], ['long', 'z'.repeat(20)], ['c', 'fits']];
  assert.deepEqual(boundedDetails(entries, { name: 10, value: 8, total: 30 }), { 'a b': 'x y', long: 'zzzzzzz…', c: 'fits' });
  assert.deepEqual(boundedDetails([['n', 'v'.repeat(5)], ['m', 'w']], { name: 5, value: 10, total: 6 }), { n: 'vvvvv' }, 'a detail that passes the total is left out');
});
