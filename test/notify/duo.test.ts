import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createDuoClient, DuoError } from '../../src/notify/duo/client.js';
import { canonicalRequest, canonParams, signRequest } from '../../src/notify/duo/sign.js';
import { startDuoServer } from '../support/duoServer.js';

// Worked examples published with Duo's own client (duo_api_nodejs tests/duo_sig.js): facts the signer must reproduce.
const FUZZ: Record<string, string> = {
  '\u469a\u287b\u35d0\u8ef3\u6727\u502a\u0810\ud091\xc8\uc170': '\u0f45\u1a76\u341a\u654c\uc23f\u9b09\uabe2\u8343\u1b27\u60d0',
  '\u7449\u7e4b\uccfb\u59ff\ufe5f\u83b7\uadcc\u900c\ucfd1\u7813': '\u8db7\u5022\u92d3\u42ef\u207d\u8730\uacfe\u5617\u0946\u4e30',
  '\u7470\u9314\u901c\u9eae\u40d8\u4201\u82d8\u8c70\u1d31\ua042': '\u17d9\u0ba8\u9358\uaadf\ua42a\u48be\ufb96\u6fe9\ub7ff\u32f3',
  '\uc2c5\u2c1d\u2620\u3617\u96b3F\u8605\u20e8\uac21\u5934': '\ufba9\u41aa\ubd83\u840b\u2615\u3e6e\u652d\ua8b5\ud56bU',
};

test('Duo canonical parameters: sorted keys, strict percent-encoding (Duo\'s published examples)', () => {
  assert.equal(canonParams({}), '');
  assert.equal(canonParams({ username: 'root', realname: 'First Last' }), 'realname=First%20Last&username=root');
  assert.equal(canonParams({ foo_bar: '2', foo: '1' }), 'foo=1&foo_bar=2');
  assert.equal(canonParams({ ip_whitelist_enroll_policy: '2', ip_whitelist: '1' }), 'ip_whitelist=1&ip_whitelist_enroll_policy=2');
  assert.equal(
    canonParams({ digits: '0123456789', letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', whitespace: '\t\n\x0b\x0c\r ' }),
    'digits=0123456789&letters=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ&punctuation=%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D~&whitespace=%09%0A%0B%0C%0D%20',
  );
});

test('Duo v2 canonical request and HMAC signature match Duo\'s published example', () => {
  const date = 'Fri, 07 Dec 2012 17:18:00 -0000';
  const canon = canonicalRequest(date, 'PoSt', 'foO.BAr52.cOm', '/Foo/BaR2/qux', FUZZ);
  assert.ok(canon.startsWith('Fri, 07 Dec 2012 17:18:00 -0000\nPOST\nfoo.bar52.com\n/Foo/BaR2/qux\n%E4%9A%9A%E2%A1%BB'), canon.slice(0, 120));
  assert.ok(canon.endsWith('=%EF%AE%A9%E4%86%AA%EB%B6%83%E8%90%8B%E2%98%95%E3%B9%AE%E6%94%AD%EA%A2%B5%ED%95%ABU'));
  const header = signRequest('test_ikey', 'gtdfxv9YgVBYcF6dl2Eq17KUQJN2PLM2ODVTkvoT', { date, method: 'PoSt', host: 'foO.BAr52.cOm', path: '/Foo/BaR2/qux', params: FUZZ }, 'sha1');
  assert.equal(header, 'Basic dGVzdF9pa2V5OmYwMTgxMWNiYmY5NTYxNjIzYWI0NWI4OTMwOTYyNjdmZDQ2YTUxNzg=');
  // SHA-512 (what the client sends) over the same canon: 128 hex digits after the integration key.
  const sha512 = Buffer.from(signRequest('test_ikey', 'k', { date, method: 'GET', host: 'h', path: '/p', params: {} }).slice(6), 'base64').toString();
  assert.match(sha512, /^test_ikey:[0-9a-f]{128}$/);
});

const duo = await startDuoServer();
after(() => duo.close());
const config = (over: Partial<Parameters<typeof createDuoClient>[0]> = {}) => ({ api_url: duo.base, integration_key: duo.ikey, secret_key: duo.skey, timeout: 300, push_timeout: 60_000, push_type: 'alertcron', ...over });

test('Duo client against the protocol server: preauth, async push, status allow / deny / waiting, a hung long poll is waiting', async () => {
  duo.users.set('alice', { enrolled: true, push: 'waiting' });
  duo.users.set('newbie', { enrolled: false, push: 'waiting' });
  const client = createDuoClient(config());
  assert.deepEqual(await client.preauth('alice'), { result: 'auth', statusMsg: 'Account is active', canPush: true });
  assert.equal((await client.preauth('newbie')).result, 'enroll');
  const txid = await client.push('alice', { from: 'alertcron', alert: 'sudo on db-3 & more' });
  const push = duo.pushes.find((p) => p.txid === txid)!;
  assert.equal(push.type, 'alertcron');
  assert.equal(new URLSearchParams(push.pushinfo).get('alert'), 'sudo on db-3 & more');
  // Duo's documented form (from=login%20portal&domain=example.com): %20, not the form encoding's +, which Duo Mobile would show as is.
  assert.equal(push.pushinfo, 'from=alertcron&alert=sudo%20on%20db-3%20%26%20more');
  assert.equal((await client.status(txid)).result, 'waiting');
  duo.users.get('alice')!.push = 'allow';
  assert.equal((await client.status(txid)).result, 'allow');
  duo.users.get('alice')!.push = 'deny';
  const denied = await client.push('alice', {});
  assert.deepEqual(await client.status(denied), { result: 'deny', status: 'deny', statusMsg: 'Login request denied.' });
  duo.hangStatus = true;
  try {
    assert.equal((await client.status(denied)).result, 'waiting', 'a long poll past the timeout is still waiting');
  } finally {
    duo.hangStatus = false;
  }
  assert.ok(duo.requests.every((r) => r.verdict === 'ok'), 'every request was signed correctly');
});

test('Duo client: a wrong secret key is refused with 40103, an unknown integration key with 40102, unknown user with 40002', async () => {
  await assert.rejects(createDuoClient(config({ secret_key: 'wrong' })).preauth('alice'), (e: DuoError) => e.code === 40103 && e.httpStatus === 401 && /Invalid signature/.test(e.message));
  await assert.rejects(createDuoClient(config({ integration_key: 'DIWRONG' })).preauth('alice'), (e: DuoError) => e.code === 40102);
  await assert.rejects(createDuoClient(config()).preauth('mallory'), (e: DuoError) => e.code === 40002);
  assert.equal(duo.requests.filter((r) => r.verdict === 40103).length, 1);
});
