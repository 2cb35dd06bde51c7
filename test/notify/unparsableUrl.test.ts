import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSlackNotifier } from '../../src/notify/slack.js';
import { createWebhookNotifier } from '../../src/notify/webhook.js';
import { DeliveryError, type Notification } from '../../src/notify/types.js';

const notice = { alert: 'a', key: 'k', reason: 'new', title: 't', message: 'm' } as Notification;
const URLS = ['https://[x/T0/B0/secret-token', 'https://hooks.example:99999/secret-token'];

test('a Slack webhook URL that does not parse: each notice fails as "could not reach Slack" (retryable), the URL never shown', async () => {
  for (const webhook_url of URLS) {
    const notifier = await createSlackNotifier('slack', { type: 'slack', webhook_url, timeout: 1000 });
    await assert.rejects(notifier.send(notice, new AbortController().signal), (e: DeliveryError) => {
      assert.ok(e instanceof DeliveryError);
      assert.equal(e.message, 'could not reach Slack');
      assert.equal(e.retryable, true);
      return true;
    });
  }
});

test('a webhook URL that does not parse: each notice fails as "could not reach the webhook (ERR_INVALID_URL)", the URL never shown', async () => {
  for (const url of URLS) {
    const notifier = await createWebhookNotifier('hook', { type: 'webhook', url, timeout: 1000 } as Parameters<typeof createWebhookNotifier>[1]);
    await assert.rejects(notifier.send(notice, new AbortController().signal), (e: DeliveryError) => {
      assert.ok(e instanceof DeliveryError);
      assert.equal(e.message, 'could not reach the webhook (ERR_INVALID_URL)');
      assert.ok(!JSON.stringify({ ...e, m: e.message, s: e.stack }).includes('secret-token'));
      assert.equal(e.retryable, true);
      return true;
    });
  }
});
