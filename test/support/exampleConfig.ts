import { defaultConfig } from './project.js';

/** Where the bundled examples' channels, TheHive and MaxPatrol point in the tests and the demo: local servers. */
export interface ExampleServices {
  esUrl: string;
  smtpPort: number;
  slackUrl: string;
  twilio: { base: string; accountSid: string };
  theHiveUrl: string;
  /** The Slack Web API test server of the ask example (a dead address when the test does not need it). */
  slackApiUrl?: string;
  /** The Duo Auth API test server of the ask example. */
  duoUrl?: string;
  /** The fake MaxPatrol: its core and token URLs, and the path of its CA file. */
  maxPatrol: { apiUrl: string; tokenUrl: string; caFile: string; username: string };
}

/** The configuration the bundled alerts/ examples need, with every channel, TheHive and MaxPatrol on local servers. */
export function exampleConfig(s: ExampleServices): Record<string, unknown> {
  const base = defaultConfig({ esUrl: s.esUrl, smtpPort: s.smtpPort, slackUrl: s.slackUrl });
  const twilio = { account_sid: s.twilio.accountSid, auth_token: '${TWILIO_AUTH_TOKEN}', from: '+15005550006', api_url: s.twilio.base, timeout: '3s' };
  const channels = base.channels as Record<string, Record<string, unknown>>;
  const email = channels['soc-email']!;
  return {
    ...base,
    // One unhurried attempt per notice: the examples run fires six alerts at once on a machine that may be loaded,
    // and a webhook answered after a short attempt timeout would be sent again by the in-run retry (the sink
    // accepted both), which is the outbox's at-least-once promise, not what this test is about.
    delivery: { deadline: '40s', attempt_timeout: '20s', retries: 0 },
    thehive: { url: s.theHiveUrl, api_key: '${THEHIVE_API_KEY}', timeout: '3s' },
    maxpatrol: { url: s.maxPatrol.apiUrl, token_url: s.maxPatrol.tokenUrl, username: s.maxPatrol.username, password: '${MP_PASSWORD}', client_secret: '${MP_CLIENT_SECRET}', ca_file: s.maxPatrol.caFile, time_zone: 'Europe/Moscow', timeout: '3s' },
    channels: {
      ...channels,
      'soc-slack': { ...channels['soc-slack'], timeout: '20s' },
      'soc-email': { ...email, timeout: '20s' },
      'oncall-sms': { type: 'twilio-sms', ...twilio, to: ['+15551230001'] },
      'oncall-call': { type: 'twilio-call', ...twilio, to: ['+15551230001'] },
      'seniors-call': { type: 'twilio-call', ...twilio, to: ['+15551239999'] },
      'reporter-mail': { ...email, from: 'security@test.local' },
      'soc-bot': { type: 'slack-app', bot_token: '${SLACK_BOT_TOKEN}', channel: 'C0ALERTS', api_url: s.slackApiUrl ?? 'http://127.0.0.1:9/api', timeout: '3s' },
    },
    duo: { api_url: s.duoUrl ?? 'http://127.0.0.1:9', integration_key: '${DUO_IKEY}', secret_key: '${DUO_SKEY}', timeout: '2s' },
  };
}
