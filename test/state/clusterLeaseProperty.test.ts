import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { assignLeases } from '../../src/model/partition.js';
import { bulk } from '../../src/state/cluster/bulk.js';
import { StateClient } from '../../src/state/cluster/client.js';
import { STATE_INDEX_BODY } from '../../src/state/cluster/docs.js';
import { leaseDocId, readLeases, releaseLeases, renewLeases, takeLeases, type HeldLeases } from '../../src/state/cluster/partitionLeases.js';
import { checkProperty } from '../support/property.js';
import { testEsUrl } from '../support/world.js';

const esUrl = testEsUrl();
const indices: string[] = [];
after(async () => {
  for (const index of indices) await fetch(`${esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

const TTL = 30_000;
const SKEW = 1_000;

type Step = { host: number; action: 'take' | 'renew' | 'commit' | 'release' | 'wait'; ms: number };

test('random interleavings of take, renew, fenced commit and release by two or three hosts on the real engine never let two holders\' commits of one lease both land out of order', { timeout: 600_000 }, async () => {
  const step = fc.record({ host: fc.integer({ min: 0, max: 2 }), action: fc.constantFrom('take', 'renew', 'commit', 'release', 'wait'), ms: fc.integer({ min: 0, max: 45_000 }) }) as fc.Arbitrary<Step>;
  await checkProperty(
    'partition leases: one holder per token, commits land in token order',
    fc.asyncProperty(fc.integer({ min: 2, max: 3 }), fc.array(step, { minLength: 4, maxLength: 24 }), async (hostCount, steps) => {
      const index = `alertcron-state-leaseprop-${Math.random().toString(36).slice(2, 8)}`;
      indices.push(index);
      await fetch(`${esUrl}/${index}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(STATE_INDEX_BODY) });
      const client = new StateClient({ url: esUrl, timeout: 10_000 });
      try {
        const names = Array.from({ length: hostCount }, (_, i) => `host-${i}`);
        const owners = assignLeases(names);
        let now = 1_000_000_000_000;
        let run = 0;
        const hosts = names.map(() => ({ holder: '', held: undefined as HeldLeases['held'] | undefined, lost: new Set<string>() }));
        // Every commit that landed, in the order it landed: the lease, its token and holder.
        const landed: { lease: string; token: number; holder: string }[] = [];
        for (const { host: i, action, ms } of steps) {
          const host = hosts[i % hostCount]!;
          const me = names[i % hostCount]!;
          if (action === 'wait') now += ms;
          else if (action === 'take' && !host.held) {
            host.holder = `${me}@0000000${i}/1/run${run++}`;
            host.lost = new Set();
            host.held = (await takeLeases(client, index, host.holder, owners, me, now, TTL, SKEW, await readLeases(client, index))).held;
          } else if (action === 'renew' && host.held) await renewLeases(client, index, host.held, host.lost, TTL, now);
          else if (action === 'commit' && host.held) {
            // The fenced write: only leases not lost and with more than the skew left, each with its sequence number.
            const writable = [...host.held].filter(([name, lease]) => !host.lost.has(name) && lease.doc.until - now > SKEW);
            const results = await bulk(client, index, writable.map(([name, lease]) => ({ op: 'index', id: leaseDocId(name), doc: { ...lease.doc, body: { windows: { [`a${now}`]: {} }, ops: {} } }, seqNo: lease.seqNo, primaryTerm: lease.primaryTerm })));
            results.forEach((result, k) => {
              const [name, lease] = writable[k]!;
              if (result.status < 300) {
                landed.push({ lease: name, token: lease.doc.token, holder: lease.doc.holder });
                host.held!.set(name, { ...lease, seqNo: result.seqNo!, primaryTerm: result.primaryTerm! });
              } else host.lost.add(name);
            });
          } else if (action === 'release' && host.held) {
            await releaseLeases(client, index, host.held, host.lost, now);
            host.held = undefined;
          }
        }
        const holderOf = new Map<string, string>();
        const newest = new Map<string, number>();
        for (const { lease, token, holder } of landed) {
          const key = `${lease}#${token}`;
          assert.equal(holderOf.get(key) ?? holder, holder, `lease ${lease} token ${token} has one holder`);
          holderOf.set(key, holder);
          assert.ok(token >= (newest.get(lease) ?? 0), `lease ${lease}: a commit of token ${token} landed after one of token ${newest.get(lease)}`);
          newest.set(lease, token);
        }
      } finally {
        client.close();
        await fetch(`${esUrl}/${index}`, { method: 'DELETE' }).catch(() => undefined);
      }
    }),
    12,
  );
});
