// A connection to the state cluster dropped at any step of a run (lease, read, claim, mark sent, commit, release) is a
// source failure: exit 3 with the documented message and the "cannot search the cluster" notice, never an internal error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { startBulkFaultProxy, type BulkFaultProxy } from '../support/bulkFaultProxy.js';
import { checkProperty, fc } from '../support/property.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const stateIndices: string[] = [];
after(async () => {
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

type Request = { method: string; path: string; body: string };
const DOWN = 'alertcron on host-a cannot search the cluster';

const stateBulk = (r: Request) => r.path.startsWith('/_bulk') && r.body.includes('"_id":"alert:');
/** A _bulk of lease documents only (taking or giving back the partitions' leases), not a commit that writes windows too. */
const leaseBulk = (r: Request) => r.path.startsWith('/_bulk') && r.body.includes('"_id":"part:') && !r.body.includes('"_id":"alert:');

/** A renewal of the held leases: partial updates of `until` only. */
const renewalBulk = (r: Request) => leaseBulk(r) && r.body.includes('"update"') && !r.body.includes('"released":true') && !r.body.includes('"token"');
const claimBulk = (r: Request) => r.path.startsWith('/_bulk') && r.body.includes('"create"') && r.body.includes('"state":"claimed"');
/** Whether the run being cut claimed its notices (it is delivering them): reset before each run. */
let claimed = false;
/** The renewal timer's first renewal while the mails are on their way (after the claims), not one the commit makes before. */
const renewalMidDelivery = (r: Request) => (claimBulk(r) && (claimed = true), claimed && renewalBulk(r));

/**
 * The steps of a run's talk with the state index: each is the `nth` request of its kind; `slow` runs it with
 * partition_lease 3s (renewed every second) and mails that take 2 s each, so that the renewal timer runs mid-delivery.
 */
const STEPS: [string, (r: Request, index: string) => boolean, number, { slow: true }?][] = [
  ['state refresh', (r, index) => r.path.startsWith(`/${index}/_refresh`), 1],
  ['shared search (lease:run, leases, heartbeats)', (r, index) => r.path.startsWith(`/${index}/_search`), 1],
  ['heartbeat', (r, index) => r.method === 'PUT' && r.path.startsWith(`/${index}/_doc/host`), 1],
  ['lease take', (r) => leaseBulk(r) && !r.body.includes('"released":true'), 1],
  ['held partitions search', (r, index) => r.path.startsWith(`/${index}/_search`), 2],
  ['commit before sending', stateBulk, 1],
  ['claim', claimBulk, 1],
  ['mark sent', (r) => r.path.startsWith('/_bulk') && r.body.includes('"state":"sent"'), 1],
  ['last commit', stateBulk, 2],
  ['release', (r) => leaseBulk(r) && r.body.includes('"released":true'), 1],
  ['lease renewal during a slow delivery', renewalMidDelivery, 1, { slow: true }],
];

test('a connection to the state cluster dropped at any step ends the run with exit 3 and the notice, never an internal error', { timeout: 600_000 }, async (t) => {
  const proxy: BulkFaultProxy = await startBulkFaultProxy(world.esUrl);
  try {
    for (const [step, matches, nth, options] of STEPS) {
      // A read lost before or after the cluster answered is the same; a write may have landed or not.
      for (const when of nth && /lease read|refresh|search/.test(step) ? (['before'] as const) : (['before', 'after'] as const)) {
        const T = uniqueBaseTime();
        const index = await world.index('conn-auth');
        const shared = `alertcron-state-conn-${Math.random().toString(36).slice(2, 8)}`;
        stateIndices.push(shared);
        const project = world.project();
        project.writeConfig({
          ...defaultConfig({ esUrl: proxy.url, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
          elasticsearch: { url: proxy.url, timeout: '3s' },
          run: { deadline: '20s' },
          state: { backend: 'cluster', index: shared, host_id: 'host-a', lease_ttl: '30s', max_clock_skew: '1s', lock_wait: '2s', ...(options?.slow ? { partition_lease: '3s' } : {}) },
          monitoring: { notify: ['soc-email'], after_failures: 1 },
        });
        project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}', throttle: '1h' });
        // A first run creates the state index and its lease; the second finds two new keys, and loses its connection once.
        const first = await project.run(['run'], { ALERTCRON_NOW: iso(T - MIN) });
        assert.equal(first.code, 0, first.stderr);
        await indexDocs(world.esUrl, index, ['ann', 'bob'].map((user) => logonEvent(T - 30_000, user)));
        world.smtp.messages.length = 0;
        let seen = 0;
        let cutDone = false;
        claimed = false;
        proxy.cut = (r) => {
          if (cutDone || !matches(r, shared) || ++seen < nth) return undefined;
          cutDone = true;
          return when;
        };
        if (options?.slow) world.smtp.acceptDelayMs = 2_000;
        const cut = await project.run(['run'], { ALERTCRON_NOW: iso(T) }).finally(() => (world.smtp.acceptDelayMs = undefined));
        proxy.cut = undefined;
        const what = `${step} (${when}): exit ${cut.code}, stderr ${cut.stderr}`;
        t.diagnostic(what.trim());
        assert.ok(cutDone, `the ${step} request was made (exit ${cut.code}, ${cut.stderr})`);
        assert.doesNotMatch(cut.stderr, /internal error/, what);
        assert.equal(cut.code, 3, what);
        assert.match(cut.stderr, /state cluster cannot be used/, what);
        // The notice about the cluster goes out (this run, or the next one that reaches it), once; nothing is lost.
        const next = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
        assert.equal(next.code, 0, `${what}; next run: ${next.stderr}`);
        const subjects = world.smtp.messages.map((m) => m.subject);
        assert.equal(subjects.filter((s) => s === DOWN).length, 1, `${what}: ${JSON.stringify(subjects)}`);
        for (const user of ['ann', 'bob']) assert.ok(subjects.includes(`Admin ${user}`), `${what}: ${user} not lost: ${JSON.stringify(subjects)}`);
        // A renewal lost mid-delivery: the mails the run handed over are recorded (claims, journal), none is sent twice.
        if (options?.slow) for (const user of ['ann', 'bob']) assert.equal(subjects.filter((s) => s === `Admin ${user}`).length, 1, `${what}: ${user} once: ${JSON.stringify(subjects)}`);
      }
    }
  } finally {
    await proxy.close();
  }
});

test('generated faults on any request of the state cluster (dropped, 5xx, 429, not JSON, a _bulk short of results): never an internal error or a leaked password, nothing lost', { timeout: 600_000 }, async () => {
  const proxy: BulkFaultProxy = await startBulkFaultProxy(world.esUrl);
  try {
    const T = uniqueBaseTime();
    const index = await world.index('conn-gen-auth');
    const shared = `alertcron-state-gen-${Math.random().toString(36).slice(2, 8)}`;
    stateIndices.push(shared);
    const project = world.project();
    const password = `pw-${Math.random().toString(36).slice(2, 12)}`;
    project.env.ES_PASSWORD = password;
    project.writeConfig({
      ...defaultConfig({ esUrl: proxy.url, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
      elasticsearch: { url: proxy.url, timeout: '3s', username: 'alertcron', password: '${ES_PASSWORD}' },
      run: { deadline: '20s' },
      state: { backend: 'cluster', index: shared, host_id: 'host-a', lease_ttl: '30s', max_clock_skew: '1s', lock_wait: '2s' },
      monitoring: { notify: ['soc-email'], after_failures: 1 },
    });
    project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}', throttle: '7d' });
    let minute = 0;
    const fault = fc.oneof(
      fc.constantFrom<'before' | 'after'>('before', 'after'),
      fc.record({ status: fc.constantFrom(500, 502, 503, 429), body: fc.constant('{"error":{"type":"x","reason":"busy"},"status":503}') }),
      fc.record({ status: fc.constantFrom(200, 201), body: fc.constantFrom('<html>proxy</html>', '{"took":1,"errors":false', '{"took":1,"errors":false,"items":[]}', '{"took":1}') }),
    );
    type Answer = 'before' | 'after' | { status: number; body: string };
    const attempt = async (nth: number, answer: Answer) => {
      const round = minute;
      await indexDocs(world.esUrl, index, [logonEvent(T + round * MIN - 30_000, `user${round}`)]);
      const mailsBefore = world.smtp.messages.length;
      let seen = 0;
      proxy.cut = (r) => (r.path.startsWith(`/${shared}/`) || r.path.startsWith('/_bulk') ? (++seen === nth ? answer : undefined) : undefined);
      const faulty = await project.run(['run'], { ALERTCRON_NOW: iso(T + minute++ * MIN) });
      proxy.cut = undefined;
      const what = `request ${nth} answered ${JSON.stringify(answer)}: exit ${faulty.code}: ${faulty.stderr}`;
      assert.doesNotMatch(faulty.stderr, /internal error/, what);
      assert.ok([0, 3].includes(faulty.code!), what);
      // The next runs, without faults, deliver whatever was left: nothing lost; and no earlier key is told again
      // (throttle 7d): a state read as empty from a bad answer would tell them all.
      let next = await project.run(['run'], { ALERTCRON_NOW: iso(T + minute++ * MIN) });
      if (next.code !== 0) next = await project.run(['run'], { ALERTCRON_NOW: iso(T + minute++ * MIN) });
      assert.equal(next.code, 0, `${what}; next: ${next.stderr}`);
      const subjects = world.smtp.messages.slice(mailsBefore).map((m) => m.subject);
      assert.ok(world.smtp.messages.some((m) => m.subject === `Admin user${round}`), `${what}: user${round} was not lost`);
      assert.deepEqual(subjects.filter((s) => s.startsWith('Admin ') && s !== `Admin user${round}`), [], `${what}: earlier keys told again`);
      const seenText = [faulty.stdout, faulty.stderr, next.stdout, next.stderr, readFileSync(join(project.dir, 'state', 'audit.log'), 'utf8'), readFileSync(join(project.dir, 'state', 'local.json'), 'utf8')].join('\n');
      assert.ok(!seenText.includes(password), `${what}: the password leaked`);
    };
    // The answers that are not the cluster's (a proxy's page, a body cut short) on the lease, the state search and the commit.
    await attempt(1, { status: 200, body: '<html>proxy</html>' });
    await attempt(1, { status: 200, body: '{"found":true}' });
    // The refresh before the state search answered without refreshing. The stale read it can cause shows only when the last
    // write is not yet searchable (seed 178524749 found it: a refused commit, a key told twice); this case guards the exit code.
    await attempt(3, { status: 200, body: '{"took":1}' });
    await attempt(4, { status: 200, body: '{"took":1,"hits":' });
    await attempt(4, { status: 200, body: '{"took":1,"timed_out":false}' });
    await attempt(6, { status: 200, body: '{"took":1,"errors":false,"items":[]}' });
    await checkProperty(
      'faults on the state cluster',
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fault, async (nth, answer) => attempt(nth, answer)),
      12,
    );
  } finally {
    await proxy.close();
  }
});
