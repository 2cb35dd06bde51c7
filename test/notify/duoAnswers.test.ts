// Duo's answers are outside data: whatever a server at api_url answers (any status, any JSON or none, fields of any
// type, text that echoes the request's credentials), the client resolves with a well-formed result or rejects with
// a DuoError, and no key reaches a result or an error.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { createDuoClient } from '../../src/notify/duo/client.js';
import { registerSecret } from '../../src/util/redact.js';
import { startHttpRecorder, type Answer, type RecordedRequest } from '../support/httpRecorder.js';
import { checkProperty } from '../support/property.js';

const IKEY = 'DIWJ8X6AEYOR5OMC6TQ1';
const SKEY = 'Zh5t8kq2Lr9vXw3yBn7mPc4dFg6jHs1a';
registerSecret(IKEY);
registerSecret(SKEY);

let next: (request: RecordedRequest) => Answer = () => ({ status: 500 });
const server = await startHttpRecorder((request) => next(request));
after(() => server.close());

/** Texts a server could put anywhere: plain words, the request's Authorization header, the secret key, or both. */
const echoText = fc.constantFrom('plain', 'authorization', 'secret', 'both').map((kind) => (request: RecordedRequest) => {
  const auth = String(request.headers.authorization ?? '');
  return kind === 'plain' ? 'Login timed out.' : kind === 'authorization' ? `you sent ${auth}` : kind === 'secret' ? `key ${SKEY}` : `${auth} ${SKEY}`;
});
const field = fc.oneof(fc.constantFrom('auth', 'enroll', 'allow', 'deny', 'waiting', 'timeout', 'pushed'), fc.string(), fc.integer(), fc.constant(null));

test('property: any Duo answer gives a well-formed result or a DuoError, with no key in either', async () => {
  await checkProperty(
    'duo client survives any answer',
    fc.asyncProperty(
      fc.constantFrom(200, 400, 401, 404, 429, 500, 503),
      fc.constantFrom('OK', 'FAIL', undefined, 42),
      fc.record({ result: field, status: field, devices: fc.oneof(fc.constant([{ capabilities: ['push'] }]), fc.jsonValue()), txid: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }),
      echoText,
      echoText,
      fc.boolean(),
      fc.constantFrom('preauth', 'push', 'status'),
      async (status, stat, response, message, statusMsg, notJson, call) => {
        next = (request) => (notJson ? { status, body: `<html>${message(request)}</html>` } : { status, body: { stat, code: status * 100 + 1, message: message(request), message_detail: message(request), response: { ...response, status_msg: statusMsg(request) } } });
        const client = createDuoClient({ api_url: server.base, integration_key: IKEY, secret_key: SKEY, timeout: 1000, push_timeout: 60_000, push_type: 'alertcron' });
        // A short signal: a 429 is not waited out here (the backoff stops when the call's time is up).
        const signal = AbortSignal.timeout(200);
        let out: unknown;
        try {
          out = call === 'preauth' ? await client.preauth('alice', signal) : call === 'push' ? await client.push('alice', { from: 'x' }, signal) : await client.status('tx-1', signal);
        } catch (error) {
          assert.equal((error as Error).name, 'DuoError', `not a DuoError: ${String(error)}`);
          out = (error as Error).message;
        }
        if (call === 'preauth' && typeof out === 'object') assert.ok(['auth', 'enroll', 'allow', 'deny'].includes((out as { result: string }).result));
        if (call === 'status' && typeof out === 'object') assert.ok(['waiting', 'allow', 'deny', 'timeout'].includes((out as { result: string }).result));
        if (call === 'push' && typeof out !== 'string') assert.fail('push gives a txid or a DuoError');
        const text = JSON.stringify(out);
        for (const secret of [IKEY, SKEY, Buffer.from(`${IKEY}:`).toString('base64').slice(0, 24)]) assert.ok(!text.includes(secret), `${text} holds a key`);
      },
    ),
    150,
  );
});

test('a push Duo ended unanswered is "timeout", whether its status says timeout (Duo\'s docs) or its message says timed out (Duo\'s own mock); a refusal stays deny', async () => {
  const client = createDuoClient({ api_url: server.base, integration_key: IKEY, secret_key: SKEY, timeout: 1000, push_timeout: 60_000, push_type: 'alertcron' });
  const answer = (response: Record<string, unknown>) => (next = () => ({ status: 200, body: { stat: 'OK', response } }));
  answer({ result: 'deny', status: 'timeout', status_msg: 'Login timed out.' });
  assert.equal((await client.status('tx')).result, 'timeout');
  answer({ result: 'deny', status: 'Authentication timed out.' });
  assert.equal((await client.status('tx')).result, 'timeout');
  answer({ result: 'deny', status: 'deny', status_msg: 'Login request denied.' });
  assert.equal((await client.status('tx')).result, 'deny');
});
