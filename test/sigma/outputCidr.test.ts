// The network of a `cidr` value as pySigma reads it (Python's ip_network): generated networks against Python's own
// canonical form, which the Lucene output prints byte for byte, and the refusals of what is no network.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { SigmaRefused } from '../../src/sigma/refused.js';
import { ipNetwork } from '../../src/sigma/output/ipNetwork.js';
import { PROPERTY_SEED } from '../support/property.js';
import { ensureVenv } from '../support/pythonVenv.js';

/** IPv6 networks written as people write them: any case, zero runs compressed or not, an embedded IPv4 tail sometimes. */
const hextet = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
// Sometimes an IPv4-mapped address (::ffff:...), which Python 3.13 prints with a dotted quad (seed 860375639), and
// sometimes host bits left set, which Python's strict ip_network refuses.
const ipv6 = fc.tuple(fc.array(hextet, { minLength: 8, maxLength: 8 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 128 }), fc.integer({ min: 0, max: 5 })).map(([h, upper, v4tail, prefix, shape]) => {
  if (shape === 0) h = [0, 0, 0, 0, 0, 0xffff, ...h.slice(6)];
  const masked = shape === 1 ? h : h.map((value, index) => {
    const keep = Math.max(0, Math.min(16, prefix - index * 16));
    return keep === 0 ? 0 : value & ~((1 << (16 - keep)) - 1) & 0xffff;
  });
  let text = masked.map((value) => value.toString(16)).join(':');
  if (v4tail && prefix <= 96) text = `${masked.slice(0, 6).map((v) => v.toString(16)).join(':')}:0.0.0.0`;
  return `${upper ? text.toUpperCase() : text}/${prefix}`;
});

test("IPv6 networks come out in Python's canonical (compressed, lower-case) form, as pySigma prints them", async () => {
  const side = await ensureVenv();
  const networks = fc.sample(ipv6, { seed: PROPERTY_SEED, numRuns: 300 });
  const script = [
    'import ipaddress,json,sys',
    'def net(t):',
    '    try: n = ipaddress.ip_network(t)',
    '    except ValueError: return None',
    '    return [str(n.network_address), n.prefixlen]',
    'print(json.dumps([net(t) for t in json.load(sys.stdin)]))',
  ].join('\n');
  const python = spawnSync(side.python, ['-c', script], { input: JSON.stringify(networks), encoding: 'utf8' });
  assert.equal(python.status, 0, python.stderr);
  const expected = JSON.parse(python.stdout) as ([string, number] | null)[];
  assert.ok(expected.some((e) => e === null) && expected.some((e) => e?.[0].includes('.')), 'the sample must hold host bits set and IPv4-mapped networks');
  networks.forEach((network, index) => {
    const want = expected[index];
    if (want === null) {
      assert.throws(() => ipNetwork(network), (error: unknown) => error instanceof SigmaRefused && /host bits set/.test(error.message), `${network} (seed ${PROPERTY_SEED})`);
      return;
    }
    const got = ipNetwork(network);
    assert.deepEqual([got.address, got.prefix], want, `${network} (seed ${PROPERTY_SEED})`);
  });
  assert.equal(ipNetwork('0:0:0:0:0:FFFF:0:0/125').address, '::ffff:0.0.0.0');
});

test('what is no network is refused, naming the value and the fix', () => {
  for (const [text, reason] of [
    ['10.1.0.0/8', /host bits set: write the network address, 10\.0\.0\.0\/8/],
    ['300.0.0.0/8', /not an IPv4 or IPv6 network/],
    ['fe80::/129', /no valid prefix length \(0 to 128\)/],
    ['10.0.0.0/x', /no valid prefix length/],
    ['example.com/8', /not an IPv4 or IPv6 network/],
  ] as const) {
    assert.throws(() => ipNetwork(text), (error: unknown) => error instanceof SigmaRefused && reason.test(error.message) && error.message.includes(text), text);
  }
  assert.deepEqual(ipNetwork('192.168.1.7'), { address: '192.168.1.7', prefix: 32, v6: false });
});
