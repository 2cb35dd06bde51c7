// The multi-host bench's harness at a tiny size (4 hosts × 50 alerts, one measured minute) against the real engine,
// and its report splice on a copy of docs/BENCHMARK.md. No time is asserted: only that the harness measures what it
// says (each host's runs, every alert evaluated by exactly one host) and that the splice leaves the rest alone.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BIN, REPO_ROOT } from '../support/project.js';
import { testEsUrl } from '../support/world.js';
import { measureHostsCase, type HostsResult } from './hosts.js';
import { HOSTS_HEADING, HOSTS_ROW_PREFIX, spliceHostsReport } from './hostsReport.js';

const work = mkdtempSync(join(tmpdir(), 'alertcron-hosts-bench-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('four hosts sharing 50 alerts: each host measured and holding a fair share, every alert evaluated by exactly one host each minute', async () => {
  const engineUrl = testEsUrl();
  const bench = {
    engineUrl,
    python: 'python3',
    bin: BIN,
    baseEnv: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work },
    work,
    smtpPort: 9,
    slackUrl: 'http://127.0.0.1:9/services/none',
    clearRequestCache: async () => undefined,
    log: () => undefined,
    stateIndex: `hosts-bench-state-${Math.random().toString(36).slice(2, 8)}`,
  };
  // Two warm-up minutes: in the first the hosts start together and do not all see each other yet.
  const c = await measureHostsCase(bench, 4, 50, 1, 2);
  assert.deepEqual(c.perHost.map((p) => p.host), ['bench-host-1', 'bench-host-2', 'bench-host-3', 'bench-host-4']);
  assert.deepEqual(c.perHost.flatMap((p) => p.codes), [0, 0, 0, 0], JSON.stringify(c.perHost));
  // Once every host is live, each holds at least half its fair share of the 64 partitions (16).
  for (const p of c.perHost) assert.ok((p.held ?? 0) >= 8, `${p.host} held ${p.held} partitions: ${c.perHost.map((x) => `${x.host} ${x.held}`).join(', ')}`);
  // Every host reached the cluster through its own proxy and wrote its state (the proxy sees at least what the run reports).
  for (const p of c.perHost) assert.ok(p.requests > 0 && p.stateRequests > 0 && p.docsWritten >= p.stateDocs, JSON.stringify(p));
  assert.equal(c.perMinute.evaluated, 50);
  assert.deepEqual([c.twice, c.missed], [[0], [0]]);
  assert.equal(c.perHost.reduce((a, p) => a + p.evaluated, 0), 50);
  // The state index was removed after the case.
  const left = await fetch(`${engineUrl}/${bench.stateIndex}`, { method: 'HEAD' });
  assert.equal(left.status, 404);
});

test('--hosts-only puts its section and target rows into the report and leaves every other line as it was', () => {
  const file = join(work, 'BENCHMARK.md');
  const original = readFileSync(join(REPO_ROOT, 'docs', 'BENCHMARK.md'), 'utf8');
  const without = original.split('\n').filter((l) => !l.startsWith(HOSTS_ROW_PREFIX));
  const start = without.indexOf(HOSTS_HEADING);
  if (start >= 0) without.splice(start, without.findIndex((l, i) => i > start && l.startsWith('## ')) - start);
  writeFileSync(file, without.join('\n'));
  const perHost = (host: string, evaluated: number) => ({ host, wall_s: 1, wall_max_s: 1.5, cpu_s: 0.5, rss_mb: 90, requests: 9, busyMs: 120, stateRequests: 7, stateWrites: 3, stateDocs: 40, docsWritten: 60, docsByKind: { part: 40, host: 2, alert: 18 }, evaluated, held: 32, codes: [0], byKind: { 'POST _msearch': 1 } });
  const hostsCase = (hosts: number, alerts: number) => ({ hosts, alerts, minutes: 2, warmup: 2, loadAvg: [1, 1, 1], perHost: Array.from({ length: hosts }, (_, k) => perHost(`bench-host-${k + 1}`, alerts / hosts)), perMinute: { requests: 9 * hosts, stateRequests: 7 * hosts, stateWrites: 3 * hosts, stateDocs: 40 * hosts, docsWritten: 60 * hosts, docsByKind: { part: 40 * hosts, host: 2 * hosts, alert: 18 * hosts }, evaluated: alerts, slowest_s: 1.5 }, twice: [0, 0], missed: [0, 0], checks: [] });
  const result: HostsResult = {
    startedAt: '2026-12-07T09:00:00.000Z',
    alertcronCommit: 'abc',
    cases: [hostsCase(1, 1000), hostsCase(2, 1000)],
    scale: [hostsCase(1, 100), hostsCase(2, 100)],
    takeovers: [{ label: 'short', settings: { partition_lease: '6s', host_ttl: '30s', max_clock_skew: '1s' }, periodS: 10, hosts: 2, alerts: 100, victim: 'bench-host-2', leases: ['1', '2'], killedAfterS: 0.3, takeoverS: 8.5, waitedS: 60, takenBy: { 'bench-host-1': 2 }, ticks: [{ atS: 9.7, took: 2, codes: [0] }] }],
    command: 'node dist/test/bench/bench.js --hosts-only',
    checks: ['a check'],
  };
  spliceHostsReport(file, result);
  spliceHostsReport(file, result);
  const spliced = readFileSync(file, 'utf8').split('\n');
  const from = spliced.indexOf(HOSTS_HEADING);
  assert.ok(from > 0, 'the section is there');
  const to = spliced.findIndex((l, i) => i > from && l.startsWith('## '));
  const section = spliced.slice(from, to < 0 ? undefined : to);
  assert.equal(spliced.filter((l) => l === HOSTS_HEADING).length, 1, 'spliced twice, present once');
  assert.ok(section.some((l) => l.includes('**8.50 s**')), 'the takeover time is in the section');
  assert.ok(section.some((l) => l.startsWith('### Projection: 100,000 alerts on 4 hosts')));
  const rows = spliced.filter((l) => l.startsWith(HOSTS_ROW_PREFIX));
  assert.equal(rows.length, 3, rows.join('\n'));
  const targets = spliced.indexOf('## Targets');
  assert.ok(rows.every((r) => spliced.indexOf(r) > targets && spliced.indexOf(r) < spliced.indexOf('## Machine and versions')), 'the rows are in the Targets table');
  // Everything else is the report as it was, line for line.
  const rest = spliced.filter((l, i) => !l.startsWith(HOSTS_ROW_PREFIX) && (i < from || (to >= 0 && i >= to)));
  assert.deepEqual(rest, without);
});
