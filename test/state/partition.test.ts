import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assignLeases, COORDINATOR, fnv1a32, leaseNames, partitionOf, PARTITIONS } from '../../src/model/partition.js';
import { checkProperty } from '../support/property.js';

test('fnv1a32 gives the published FNV-1a values (so every host and Node version agrees)', () => {
  // Reference values of FNV-1a 32 (http://www.isthe.com/chongo/tech/comp/fnv/): "" and "a" and "foobar".
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  // Non-ASCII names hash their UTF-8 bytes.
  assert.notEqual(fnv1a32('é'), fnv1a32('e'));
});

test('partitionOf spreads alert names over every partition, and leaseNames lists them and the coordinator', () => {
  const counts = new Array(PARTITIONS).fill(0);
  for (let i = 0; i < 10_000; i++) counts[partitionOf(`alert-${i}`)]++;
  assert.ok(Math.min(...counts) > 100 && Math.max(...counts) < 220, `uneven: ${Math.min(...counts)}..${Math.max(...counts)}`);
  const names = leaseNames();
  assert.equal(names.length, PARTITIONS + 1);
  assert.equal(names.at(-1), COORDINATOR);
});

test('assignLeases: the same owners whatever the order of the hosts; a join or a leave moves only that host\'s share', () => {
  checkProperty(
    'rendezvous assignment',
    fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { minLength: 1, maxLength: 8 }), fc.stringMatching(/^[a-z0-9-]{1,12}$/), (hosts, joiner) => {
      const owners = assignLeases(hosts);
      assert.deepEqual(owners, assignLeases([...hosts].reverse()));
      for (const owner of owners.values()) assert.ok(hosts.includes(owner));
      if (hosts.includes(joiner)) return;
      const after = assignLeases([...hosts, joiner]);
      for (const [name, owner] of after) if (owner !== joiner) assert.equal(owner, owners.get(name), `lease ${name} moved between two hosts that stayed`);
      const left = assignLeases(hosts.slice(1));
      for (const [name, owner] of owners) if (owner !== hosts[0] && hosts.length > 1) assert.equal(left.get(name), owner);
    }),
    300,
  );
  assert.equal(assignLeases([]).size, 0);
  const four = assignLeases(['host-1', 'host-2', 'host-3', 'host-4']);
  const share = new Map<string, number>();
  for (const owner of four.values()) share.set(owner, (share.get(owner) ?? 0) + 1);
  assert.equal(share.size, 4, 'every one of 4 hosts gets a share of 65 leases');
});

test('assignLeases gives every host a fair share, also of hosts named alike (host-1, host-2 ...)', () => {
  const sets = [['host-1', 'host-2'], ['host-1', 'host-2', 'host-3'], ['host-1', 'host-2', 'host-3', 'host-4'], ['a.example.com', 'b.example.com', 'c.example.com'], ['siem-01', 'siem-02', 'siem-03', 'siem-04']];
  for (const hosts of sets) {
    const share = new Map<string, number>();
    for (const owner of assignLeases(hosts).values()) share.set(owner, (share.get(owner) ?? 0) + 1);
    const least = Math.min(...hosts.map((h) => share.get(h) ?? 0));
    assert.ok(least >= leaseNames().length / hosts.length / 2, `${hosts.join(', ')}: ${JSON.stringify(Object.fromEntries(share))}`);
  }
});
