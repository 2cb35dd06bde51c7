// Pure parts of the alertmanager channel: the labels a notice fires and the labels its resolve ends (kept in the
// receipt, else derived), property-tested over hostile values: always valid label names, clean one-line values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertLabels, postableAlert, resolveLabels } from '../../src/notify/channels/alertmanager/alertBody.js';
import type { AlertmanagerChannelConfig } from '../../src/notify/channels/alertmanager/types.js';
import { incidentId } from '../../src/notify/incidentId.js';
import { checkProperty, fc } from '../support/property.js';

const config: AlertmanagerChannelConfig = { type: 'alertmanager', urls: ['http://am:9093'], labels: { severity: 'warning', host: '{{host.name}}' }, annotations: { summary: '{{title}}', description: '{{message}}' }, timeout: 10_000 };
const notice = (reason: string, host: string) => ({ alert: 'logons', key: 'root', reason, title: 'T', message: 'M', labels: { 'host.name': host } });

test('labels: the channel\'s rendered from the finding (an empty one left out), then alertname and alertcron_id; values clean, one line, at most 128 characters', async () => {
  assert.deepEqual(alertLabels(config, notice('first', 'dc01')), { severity: 'warning', host: 'dc01', alertname: 'logons', alertcron_id: incidentId('logons', 'root') });
  assert.deepEqual(Object.keys(alertLabels(config, notice('first', ''))), ['severity', 'alertname', 'alertcron_id'], 'Alertmanager drops an empty label: so does alertcron, so the resolve matches');
  await checkProperty(
    'alertmanager label values',
    fc.property(fc.string({ maxLength: 400, unit: fc.oneof(fc.constantFrom('\n', '\r', '\u202e', '\u200d', '\ud800', '\u0007'), fc.string({ maxLength: 2, unit: 'grapheme' })) }), (host) => {
      for (const value of Object.values(alertLabels(config, notice('first', host)))) {
        assert.ok(value.length > 0 && value.length <= 128);
        assert.ok(!/[\u0000-\u001f\u007f-\u009f\p{Cf}]|[\ud800-\udbff](?![\udc00-\udfff])/u.test(value), JSON.stringify(value));
      }
    }),
    300,
  );
});

test('a resolve ends the labels its trigger sent (from the receipt); without them, alertname, alertcron_id and the fixed labels; endsAt = now - 5 s and no startsAt', () => {
  const fired = alertLabels(config, notice('first', 'dc01'));
  const withReceipt = { ...notice('resolved', 'other'), opened: { id: fired.alertcron_id, detail: fired } };
  assert.deepEqual(resolveLabels(config, withReceipt), fired);
  assert.deepEqual(resolveLabels(config, notice('resolved', 'dc01')), { severity: 'warning', alertname: 'logons', alertcron_id: incidentId('logons', 'root') });
  const alert = postableAlert(config, withReceipt, Date.UTC(2026, 0, 1));
  assert.deepEqual(alert, { labels: fired, annotations: { summary: 'T', description: 'M' }, endsAt: '2025-12-31T23:59:55.000Z' });
  assert.equal(postableAlert({ ...config, resolve_timeout: 3_600_000 }, notice('first', 'dc01'), Date.UTC(2026, 0, 1)).endsAt, '2026-01-01T01:00:00.000Z');
});
