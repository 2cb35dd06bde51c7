// `run --json` says where the run's time and memory went, stage by stage, and the cluster's own time (shape only:
// nothing here is timed).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { acquireLock } from '../../src/state/fileLock.js';
import { movedToClusterMarker } from '../../src/state/store.js';
import { defaultConfig } from '../support/project.js';
import { checkProperty } from '../support/property.js';
import { startSilentServer } from '../support/silentServer.js';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** Every stage of a real run that delivers, in the order they run. */
const RUN_STAGES = ['start', 'config', 'alerts', 'begin', 'inbox', 'plan', 'fetch', 'evaluate', 'decide', 'problems', 'converse', 'queue', 'prune', 'commit', 'deliver', 'record', 'audit', 'heartbeat', 'release'];
/** A dry run stops before anything is written or sent. */
const DRY_STAGES = [...RUN_STAGES.slice(0, RUN_STAGES.indexOf('prune') + 1), 'release'];

interface Stage {
  stage: string;
  wallMs: number;
  cpuMs: number;
  heapMb: number;
  rssMb: number;
}

/** Asserts that `stages` names exactly `names`, each once and in order, each with finite numbers >= 0. */
function assertStages(stages: Stage[] | undefined, names: string[]): void {
  assert.ok(Array.isArray(stages), 'the report has stages');
  assert.deepEqual(stages.map((s) => s.stage), names);
  for (const s of stages) {
    assert.deepEqual(Object.keys(s).sort(), ['cpuMs', 'heapMb', 'rssMb', 'stage', 'wallMs']);
    for (const field of ['wallMs', 'cpuMs', 'heapMb', 'rssMb'] as const) assert.ok(Number.isFinite(s[field]) && s[field] >= 0, `${s.stage}.${field} = ${s[field]}`);
  }
  assert.ok(stages.some((s) => s.rssMb > 0) && stages.some((s) => s.heapMb > 0), 'memory is read');
}

test('run --json lists every stage of a run once, with its wall, CPU, heap and RSS, and the cluster\'s own time', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('run-stages');
  await indexDocs(world.esUrl, index, [{ '@timestamp': iso(T - MIN), user: 'mallory' }]);
  const project = world.project();
  project.writeAlert('seen', { index, condition: { type: 'any' }, group_by: 'user', notify: ['soc-email'] });

  const run = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { stages?: Stage[]; clusterTookMs?: number; clusterRequests: number; deliveries: unknown[] };
  assert.equal(report.deliveries.length, 1, 'the run delivered (every stage had work)');
  assert.equal(world.smtp.messages.length, 1);
  assertStages(report.stages, RUN_STAGES);
  assert.equal(report.clusterRequests, 1);
  assert.ok(typeof report.clusterTookMs === 'number' && Number.isFinite(report.clusterTookMs) && report.clusterTookMs >= 0, `clusterTookMs = ${report.clusterTookMs}`);

  const dry = await project.run(['run', '--dry-run', '--json'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(dry.code, 0, dry.stderr);
  assertStages((JSON.parse(dry.stdout) as { stages?: Stage[] }).stages, DRY_STAGES);
});

test('clusterTookMs adds up the took of each _msearch answer, whatever the cluster puts there', async () => {
  // A stand-in cluster: every _msearch is answered with one empty response per search and the `took` drawn for it.
  let tooks: unknown[] = [];
  let answered = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const searches = body.split('\n').filter(Boolean).length / 2;
      const empty = { took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: 0, relation: 'eq' }, max_score: null, hits: [] }, status: 200 };
      const took = tooks[answered++];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...(took === undefined ? {} : { took }), responses: Array.from({ length: searches }, () => empty) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // One search per request: three alerts, three requests, three tooks.
    const project = world.project({ extraConfig: { elasticsearch: { url, timeout: '5s', fuse_alerts: 1, msearch_chunk: 1 } } });
    for (const name of ['a', 'b', 'c']) project.writeAlert(name, { index: 'logs-*', condition: { type: 'any' }, notify: ['soc-email'] });
    const took = fc.oneof(fc.nat(100_000), fc.double({ min: -1e6, max: 1e9, noNaN: true }), fc.string({ maxLength: 5 }), fc.constant(null), fc.boolean(), fc.constant(undefined), fc.constant({ ms: 3 }));
    await checkProperty(
      'clusterTookMs is the sum of the numeric tooks >= 0',
      fc.asyncProperty(fc.array(took, { minLength: 3, maxLength: 3 }), async (drawn) => {
        tooks = drawn;
        answered = 0;
        const run = await project.run(['run', '--dry-run', '--json'], { ALERTCRON_NOW: iso(uniqueBaseTime()) });
        assert.equal(run.code, 0, run.stderr);
        const report = JSON.parse(run.stdout) as { clusterTookMs?: number; clusterRequests: number };
        assert.equal(report.clusterRequests, 3);
        assert.equal(answered, 3);
        const expected = drawn.reduce<number>((sum, t) => sum + (typeof t === 'number' && Number.isFinite(t) && t >= 0 ? t : 0), 0);
        assert.equal(report.clusterTookMs, expected);
      }),
      10,
    );
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a run that waited for the lock while `state migrate` moved its state charges that wait to begin, not to config', { timeout: 60_000 }, async () => {
  const stateIndex = `alertcron-state-stages-${Math.random().toString(36).slice(2, 8)}`;
  const project = world.project();
  const config = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url });
  const write = (backend: string) => project.writeConfig({ ...config, state: { backend, index: stateIndex, host_id: 'host-a', lease_ttl: '60s', max_clock_skew: '1s', lock_wait: '15s' } });
  write('file');
  project.writeAlert('seen', { index: 'logs-*', condition: { type: 'any' }, notify: ['soc-email'] });
  // A migration to the cluster holds the file's lock for 2 s, then leaves its marker and the new alertcron.yaml behind.
  const file = join(project.dir, 'state', 'state.json');
  mkdirSync(join(project.dir, 'state'), { recursive: true });
  const release = await acquireLock(file, 1_000, () => undefined);
  try {
    const running = project.run(['run', '--json'], { ALERTCRON_NOW: iso(uniqueBaseTime()) });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    writeFileSync(movedToClusterMarker(file), 'moved');
    write('cluster');
    await release();
    const run = await running;
    assert.match(run.stderr, /the state moved to the other backend/);
    assert.equal(run.code, 0, run.stderr);
    const stages = (JSON.parse(run.stdout) as { stages?: Stage[] }).stages;
    assertStages(stages, RUN_STAGES);
    const of = (name: string) => stages!.find((s) => s.stage === name)!.wallMs;
    assert.ok(of('begin') >= 1_500, `begin ${of('begin')} ms: the 2 s waited for the lock`);
    assert.ok(of('config') < 1_000, `config ${of('config')} ms: reading alertcron.yaml twice, not the wait`);
  } finally {
    await release().catch(() => undefined);
    await fetch(`${world.esUrl}/${stateIndex}*?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
  }
});

test('clusterTookMs is 0 when the cluster cannot be reached, and absent when run.deadline cut the searches short', { timeout: 60_000 }, async () => {
  // Nothing listens on the port of a server just closed: every search fails at once.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const down = world.project({ extraConfig: { elasticsearch: { url: `http://127.0.0.1:${port}`, timeout: '5s' } } });
  down.writeAlert('a', { index: 'logs-*', condition: { type: 'any' }, notify: ['soc-email'] });
  const unreachable = JSON.parse((await down.run(['run', '--dry-run', '--json'], { ALERTCRON_NOW: iso(uniqueBaseTime()) })).stdout) as { clusterTookMs?: number; clusterRequests: number };
  assert.ok(unreachable.clusterRequests >= 1);
  assert.equal(unreachable.clusterTookMs, 0, 'no answer: 0');

  // A cluster that accepts and never answers, its request timeout far beyond the run's deadline.
  const silent = await startSilentServer();
  try {
    const slow = world.project({ extraConfig: { elasticsearch: { url: silent.url, timeout: '60s' }, run: { deadline: '3s' } } });
    slow.writeAlert('a', { index: 'logs-*', condition: { type: 'any' }, notify: ['soc-email'] });
    const cut = await slow.run(['run', '--dry-run', '--json'], { ALERTCRON_NOW: iso(uniqueBaseTime()) });
    const report = JSON.parse(cut.stdout) as { clusterTookMs?: number; alerts: { error?: string }[] };
    assert.match(JSON.stringify(report.alerts), /deadline/, cut.stdout);
    assert.equal('clusterTookMs' in report, false, 'cut by the deadline: absent');
  } finally {
    await silent.close();
  }
});
