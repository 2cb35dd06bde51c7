import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { hostsStatus, partitionRanges } from '../../src/commands/statusHosts.js';
import { hostOfHolder, isLeaseDocument, leaseRecords } from '../../src/state/cluster/partitionLeases.js';
import { PARTITIONS } from '../../src/model/partition.js';
import { checkProperty } from '../support/property.js';

/** Reads "0-3, 7" back into its numbers. */
function expand(ranges: string): number[] {
  if (!ranges) return [];
  return ranges.split(', ').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to! - from! + 1 }, (_, i) => from! + i);
  });
}

test('partitionRanges: written back out it is the sorted set of the partitions, with no two ranges that touch', async () => {
  assert.equal(partitionRanges([7, 0, 1, 2, 3, 9, 10, 3]), '0-3, 7, 9-10');
  assert.equal(partitionRanges([]), '');
  await checkProperty(
    'partition ranges',
    fc.property(fc.array(fc.integer({ min: 0, max: PARTITIONS - 1 }), { maxLength: 80 }), (partitions) => {
      const text = partitionRanges(partitions);
      assert.deepEqual(expand(text), [...new Set(partitions)].sort((a, b) => a - b));
      const bounds = text ? text.split(', ').map((r) => r.split('-').map(Number)) : [];
      for (let i = 1; i < bounds.length; i++) assert.ok(bounds[i]![0]! > bounds[i - 1]!.at(-1)! + 1, `${text}: ranges touch`);
    }),
    300,
  );
});

test('hostsStatus: a lease is held only until it runs out; a holder without a heartbeat is listed as such', () => {
  const now = 1_000_000;
  const lease = (name: string, holder: string, until: number, released = false) => ({ name, holder, token: 1, until, released, updatedAt: until - 1 });
  const view = hostsStatus({ hosts: [], leases: [lease('0', 'a@i/1/r', now), lease('1', 'a@i/1/r', now - 1), lease('coordinator', 'b@j/2/s', now + 5, true)] }, now, 90_000);
  assert.deepEqual(view.leases.slice(0, 2).map((l) => l.state), ['held', 'expired']);
  assert.equal(view.leases.find((l) => l.name === 'coordinator')!.state, 'released');
  assert.equal(view.leases.filter((l) => l.state === 'absent').length, PARTITIONS - 2);
  assert.deepEqual(view.hosts.map((h) => [h.id, h.live, h.not_live, h.holds]), [['a', false, 'no heartbeat document', { partitions: [0], coordinator: false }]]);
  assert.equal(hostOfHolder('host-a@1234abcd/77/run1'), 'host-a');
  assert.equal(view.leases[0]!.host, 'a');
});

test('status shows lease documents of any shape without error: each is read as a lease or left out with its reason', async () => {
  const { hostsLines } = await import('../../src/commands/statusHosts.js');
  const valid = { kind: 'part', id: 'part:3', holder: 'a@i/1/r', token: 2, until: 5_000, released: false, updated_at: 4_000 };
  const field = fc.constantFrom(...Object.keys(valid), 'extra');
  await checkProperty(
    'lease documents of any shape',
    fc.property(fc.array(fc.oneof(fc.jsonValue(), fc.dictionary(field, fc.oneof(fc.jsonValue(), fc.double()))).map((changes) => (typeof changes === 'object' && changes && !Array.isArray(changes) ? { ...valid, ...changes } : changes)), { maxLength: 5 }), (sources) => {
      // As peek reads them: a document of another shape is set aside, the others become the leases status shows.
      const leases = leaseRecords(new Map(sources.map((source, i) => [String(i), isLeaseDocument(source) ? { doc: source, seqNo: 1, primaryTerm: 1 } : undefined])));
      const view = hostsStatus({ hosts: [], leases }, 5_000, 90_000);
      assert.equal(view.leases.length, PARTITIONS + 1);
      for (const line of hostsLines(view, 5_000, 90_000)) assert.doesNotMatch(line, /NaN|undefined|Invalid/);
    }),
    300,
  );
});
