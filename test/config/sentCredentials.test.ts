// The credentials alertcron sends are registered for redaction in every form a server may echo them in. A webhook
// channel's url is one (Discord, Slack and Teams hooks carry their token in the path): the webhook notifier shows
// no answer body today, so no run output echoes it, and the registration is checked here directly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config } from '../../src/config/types.js';
import { registerSentCredentials } from '../../src/config/sentCredentials.js';
import { redact } from '../../src/util/redact.js';

test('a webhook channel\'s url is redacted whole, and its path and query on their own', () => {
  const token = 'Wh7kT0ken-in-the-path-4f9a2';
  const url = `https://discord.example/api/webhooks/1234567/${token}?thread_id=99`;
  const config = { sources: {}, monitoring: {}, channels: { hook: { type: 'webhook', url, headers: {} } } } as unknown as Config;
  registerSentCredentials(config);
  const echoed = `POST ${url} failed; path /api/webhooks/1234567/${token}?thread_id=99 and %2Fapi%2Fwebhooks%2F1234567%2F${token}%3Fthread_id%3D99`;
  const shown = redact(echoed);
  assert.ok(!shown.includes(token), shown);
  assert.equal(shown, 'POST *** failed; path *** and ***');
});

test('a token parameter\'s value is redacted alone only when it looks like a token: ?key=alertcron blanks no word', () => {
  const sig = 'q8Xv2Lm0Tz7Kp4Rw9Yb1Nc6Hd3Fg5Js-Ua_Ve8Wt2Mo';
  const key = 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI';
  const config = {
    sources: {},
    monitoring: { heartbeat_url: 'https://ping.example/beat?key=alertcron' },
    channels: {
      teams: { type: 'teams', webhook_url: `https://prod.example.logic.azure.com/workflows/w1/triggers/manual/paths/invoke?api-version=2016-06-01&sig=${sig}` },
      chat: { type: 'google-chat', webhook_url: `https://chat.googleapis.com/v1/spaces/AAAA/messages?key=${key}&token=soc` },
    },
  } as unknown as Config;
  registerSentCredentials(config);
  assert.equal(redact('alertcron ran for soc'), 'alertcron ran for soc', 'short words in a query are not secrets of their own');
  assert.equal(redact(`sig ${sig} and key ${key}`), 'sig *** and key ***', 'token-like values are, alone');
  assert.equal(redact('GET /beat?key=alertcron'), 'GET ***', 'the URL\'s path and query still are');
});

test('a standard base64 signature (with / + and =) in a token parameter is redacted alone, as sent, decoded and with its + kept', () => {
  const sig = 'Kq7Xv2Lm0Tz7Kp4Rw9Yb1Nc6Hd3/Fg5Js+Ua8Ve8Wt2Mo=';
  const config = {
    sources: {},
    monitoring: {},
    channels: {
      teams: { type: 'teams', webhook_url: `https://prod.example.logic.azure.com/workflows/w2/triggers/manual/paths/invoke?api-version=2016-06-01&sig=${encodeURIComponent(sig)}` },
      raw: { type: 'webhook', url: `https://fn.example.org/api/hook?code=Zz9Yy8Xx7Ww6/Vv5+Uu4Tt3Ss2==`, headers: {} },
    },
  } as unknown as Config;
  registerSentCredentials(config);
  assert.equal(redact(`signature ${sig} is invalid`), 'signature *** is invalid');
  assert.equal(redact(`sig=${encodeURIComponent(sig)}`), 'sig=***');
  assert.equal(redact('code Zz9Yy8Xx7Ww6/Vv5+Uu4Tt3Ss2== and Zz9Yy8Xx7Ww6/Vv5 Uu4Tt3Ss2=='), 'code *** and ***');
  assert.equal(redact('api-version 2016-06-01'), 'api-version 2016-06-01', 'a parameter that is not a token is not one');
});

test('a Discord webhook\'s token and a Mattermost hook id, the path segments that look like tokens, are redacted alone', () => {
  const discordToken = 'Xy9_aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5-aB6cD7eF8gH9iJ0kL1mN2oP';
  const hookId = 'k3x9q1w7e5r2t8y4u6i0o1p3a5';
  const config = {
    sources: {},
    monitoring: {},
    channels: {
      discord: { type: 'discord', webhook_url: `https://discord.com/api/webhooks/112233445566778899/${discordToken}` },
      chat: { type: 'mattermost', webhook_url: `https://mattermost.example/hooks/${hookId}` },
    },
  } as unknown as Config;
  registerSentCredentials(config);
  assert.equal(redact(`Invalid Webhook Token ${discordToken}; err=no hook ${hookId}`), 'Invalid Webhook Token ***; err=no hook ***');
  assert.equal(redact('POST to api webhooks and hooks for discord'), 'POST to api webhooks and hooks for discord', 'the other segments are words, left alone');
});
