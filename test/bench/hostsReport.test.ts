// The writes target of the multi-host report is judged from the documents written by kind: per-alert kinds that
// grow with alerts in quiet minutes miss it however small the growth of the total; lease and heartbeat documents
// do not count against it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostsCase, HostsResult } from './hosts.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CARRIED_NOTE, carryHostsReport, HOSTS_HEADING, HOSTS_ROW_PREFIX, hostsSection, hostsTargetRows, spliceHostsReport, writesVerdict } from './hostsReport.js';

/** A 4-host case at `alerts` alerts whose minute wrote these documents by kind. */
function hostsCase(alerts: number, docsByKind?: Record<string, number>): HostsCase {
  const docs = Object.values(docsByKind ?? { part: 200 }).reduce((a, b) => a + b, 0);
  const perHost = { host: 'bench-host-1', wall_s: 1, wall_max_s: 1, cpu_s: 1, rss_mb: 90, requests: 9, busyMs: 100, stateRequests: 7, stateWrites: 3, stateDocs: docs, docsWritten: docs, docsByKind: docsByKind ?? {}, evaluated: alerts, held: 64, codes: [0], byKind: {} };
  return { hosts: 4, alerts, minutes: 1, warmup: 2, loadAvg: [1, 1, 1], perHost: [perHost], perMinute: { requests: 9, stateRequests: 7, stateWrites: 3, stateDocs: docs, docsWritten: docs, ...(docsByKind ? { docsByKind } : {}), evaluated: alerts, slowest_s: 1 }, twice: [0], missed: [0], checks: [] };
}

const result = (cases: HostsCase[]): HostsResult => ({ startedAt: '2026-12-07T09:00:00.000Z', alertcronCommit: 'abc', cases, scale: [], takeovers: [], command: 'bench', checks: [] });
const writesRow = (h: HostsResult) => hostsTargetRows(h).find((r) => r.startsWith(`${HOSTS_ROW_PREFIX}state writes`))!;

test('alert: documents growing with alerts in quiet minutes miss the writes target, though the total grows far less than 2x', () => {
  // As measured on int at 13ad085: the total 217 -> 240 (1.1x for 10x the alerts), all of it alert: documents.
  const h = result([hostsCase(1000, { part: 194, host: 8, alert: 15 }), hostsCase(10_000, { part: 194, host: 8, alert: 38 })]);
  assert.equal(writesVerdict(h), false);
  const row = writesRow(h);
  assert.match(row, /\*\*missed\*\*/);
  assert.match(row, /alert: 38/);
  assert.match(row, /Per-alert kinds \(alert, pending, claim, sent, ask\) 15 → 38/);
  assert.match(row, /Rule: met when the per-alert kinds grow by at most 2 \+ 1 per 10,000 alerts added/);
});

test('lease and heartbeat documents growing (renewal rounds of longer runs) do not miss it; per-alert kinds within the rule meet it', () => {
  const h = result([hostsCase(1000, { part: 194, host: 8, alert: 1 }), hostsCase(40_000, { part: 259, host: 8, alert: 3, 'claim delete': 2 })]);
  assert.equal(writesVerdict(h), true);
  assert.match(writesRow(h), /\*\*met\*\*/);
  // With one host measured at two counts the projection is written too, its writes split by kind.
  h.scale = [{ ...hostsCase(1000), hosts: 1 }, { ...hostsCase(40_000), hosts: 1 }];
  assert.ok(hostsSection(h).some((l) => l.startsWith('- **State writes**') && l.includes('Split by kind')));
});

test('without the documents by kind (a report of an older bench) the target is not judged', () => {
  const h = result([hostsCase(1000), hostsCase(10_000)]);
  assert.equal(writesVerdict(h), undefined);
  assert.match(writesRow(h), /not counted by kind, not judged \| not measured \|$/);
});

test('a bench run without hosts carries the earlier section and rows over, marked once, into the report it wrote', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-hosts-carry-'));
  try {
    const file = join(dir, 'BENCHMARK.md');
    // The earlier report: a measured hosts section between others, its row in the targets.
    const h = result([hostsCase(1000, { part: 194, host: 8 }), hostsCase(10_000, { part: 194, host: 8 })]);
    writeFileSync(file, ['# Benchmark', '', '## Targets', '', '| target | measured | verdict |', '|---|---|---|', '| old row | 1 | met |', '', '## Results', '', 'old', '', "## Where alertcron's time goes", '', 'x', ''].join('\n'));
    spliceHostsReport(file, h);
    const earlier = readFileSync(file, 'utf8');
    // The new run writes a report without hosts, then carries them over.
    writeFileSync(file, ['# Benchmark', '', '## Targets', '', '| target | measured | verdict |', '|---|---|---|', '| new row | 2 | met |', '', '## Results', '', 'new', '', "## Where alertcron's time goes", '', 'y', ''].join('\n'));
    assert.equal(carryHostsReport(file, earlier), true);
    const once = readFileSync(file, 'utf8');
    assert.ok(once.includes('| new row | 2 | met |') && !once.includes('old row'), 'the new run\'s own rows stay');
    assert.equal(once.split('\n').filter((l) => l.startsWith(HOSTS_ROW_PREFIX)).length, hostsTargetRows(h).length);
    const section = once.slice(once.indexOf(HOSTS_HEADING));
    assert.ok(section.startsWith(`${HOSTS_HEADING}\n\n${CARRIED_NOTE}\n`), section.slice(0, 300));
    assert.ok(once.indexOf(HOSTS_HEADING) < once.indexOf("## Where alertcron's time goes"));
    // Carried again by a later run: the note is not repeated, the rows are not doubled.
    writeFileSync(file, ['# Benchmark', '', '## Targets', '', '| target | measured | verdict |', '|---|---|---|', '| newer | 3 | met |', ''].join('\n'));
    assert.equal(carryHostsReport(file, once), true);
    const twice = readFileSync(file, 'utf8');
    assert.equal(twice.split(CARRIED_NOTE).length, 2);
    assert.equal(twice.split('\n').filter((l) => l.startsWith(HOSTS_ROW_PREFIX)).length, hostsTargetRows(h).length);
    // A report that never had the section: nothing carried, the file as the run wrote it.
    writeFileSync(file, '# Benchmark\n');
    assert.equal(carryHostsReport(file, '# Benchmark\n\n## Targets\n'), false);
    assert.equal(readFileSync(file, 'utf8'), '# Benchmark\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
