import { startHttpRecorder, type HttpRecorder } from './httpRecorder.js';

/** How the fake Twilio answers. */
export type TwilioBehaviour = 'ok' | 'rate-limited' | 'server-error' | 'hang';

/** A message or call Twilio accepted, as its form fields. */
export type TwilioRecord = Record<string, string>;

/** A local server speaking Twilio's REST protocol for Messages and Calls, with its documented errors. */
export interface TwilioServer extends HttpRecorder {
  accountSid: string;
  authToken: string;
  behaviour: TwilioBehaviour;
  messages: TwilioRecord[];
  calls: TwilioRecord[];
  /** Numbers whose messages and calls fail with a 500 (20500), as a carrier outage for one person would. */
  failingNumbers: Set<string>;
}

const E164 = /^\+[1-9]\d{6,14}$/;

function error(status: number, code: number, message: string) {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

/** Starts the fake Twilio: Basic auth (20003), E.164 `To` (21211), Body of 1,600 at most (21617), 201 with a sid. */
export async function startTwilioServer(): Promise<TwilioServer> {
  const accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
  const authToken = 'twilio-auth-token-SECRET-0042';
  const state = { accountSid, authToken, behaviour: 'ok' as TwilioBehaviour, messages: [] as TwilioRecord[], calls: [] as TwilioRecord[], failingNumbers: new Set<string>() };
  const recorder = await startHttpRecorder((request) => {
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(request.path);
    if (request.method !== 'POST' || !match) return error(404, 20404, 'The requested resource was not found');
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (request.headers.authorization !== expected || match[1] !== accountSid) return error(401, 20003, 'Authenticate');
    if (state.behaviour === 'hang') return 'hang';
    if (state.behaviour === 'rate-limited') return { ...error(429, 20429, 'Too Many Requests'), headers: { 'retry-after': '1' } };
    if (state.behaviour === 'server-error') return error(500, 20500, 'Internal Server Error');
    const form = Object.fromEntries(new URLSearchParams(request.body));
    if (state.failingNumbers.has(form.To ?? '')) return error(500, 20500, 'Internal Server Error');
    // +15005550001 is Twilio's documented test number that is "invalid".
    if (!E164.test(form.To ?? '') || form.To === '+15005550001') return error(400, 21211, `The 'To' number ${form.To} is not a valid phone number.`);
    if (match[2] === 'Messages') {
      if ((form.Body ?? '').length > 1600) return error(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
      state.messages.push(form);
      return { status: 201, body: { sid: `SM${state.messages.length}`, status: 'queued', to: form.To, from: form.From, body: form.Body, num_segments: '1' } };
    }
    if (!form.Twiml && !form.Url) return error(400, 21205, 'Url or Twiml parameter is required');
    state.calls.push(form);
    return { status: 201, body: { sid: `CA${state.calls.length}`, status: 'queued', to: form.To, from: form.From } };
  });
  const { behaviour: _initial, ...rest } = state;
  Object.assign(recorder, rest);
  Object.defineProperty(recorder, 'behaviour', { get: () => state.behaviour, set: (value: TwilioBehaviour) => (state.behaviour = value) });
  return recorder as TwilioServer;
}
