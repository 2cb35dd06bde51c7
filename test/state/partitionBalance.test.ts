import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignLeases, leaseNames } from '../../src/model/partition.js';

// Hosts are usually named in sequence (host-1, host-2 ...; siem-01 ...): names that differ in one byte. Their
// rendezvous scores must still be independent, or one host gets most of the 65 leases and another none (FNV-1a
// alone gave bench-host-4 no lease of 65 and bench-host-1 38).
test('assignLeases gives every one of 2 to 4 sequentially named hosts between half and 1.5 times its fair share', () => {
  const families: ((i: number) => string)[] = [
    (i) => `host-${i + 1}`,
    (i) => `h${i + 1}`,
    (i) => `bench-host-${i + 1}`,
    (i) => `siem-0${i + 1}`,
    (i) => `cron${i + 1}.example.org`,
    (i) => `node-${i + 1}`,
    (i) => `alertcron-${i + 1}`,
    (i) => `host-a${String.fromCharCode(97 + i)}`,
    (i) => `soc-cron-${i + 1}`,
  ];
  for (const name of families)
    for (let n = 2; n <= 4; n++) {
      const hosts = Array.from({ length: n }, (_, i) => name(i));
      const share = new Map(hosts.map((h) => [h, 0]));
      for (const owner of assignLeases(hosts).values()) share.set(owner, share.get(owner)! + 1);
      const fair = leaseNames().length / n;
      for (const [host, got] of share) assert.ok(got >= fair / 2 && got <= fair * 1.5, `${hosts.join(', ')}: ${host} got ${got} of ${leaseNames().length} leases (${JSON.stringify(Object.fromEntries(share))})`);
    }
});
