// The bench's stage tables and issue 29's target rows, on made-up samples: what `run --json` printed is read, the
// medians are per stage, and each target is judged on the number it names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuPerNotice, ISSUE29_ROW_PREFIX, issue29Sections, issue29TargetRows, stagesSection } from './issue29Report.js';
import type { BenchResults } from './report.js';
import type { Summary } from './run.js';
import { limitedBy, stagesOf, stageTable, summariseStages, type RunStages } from './stagesReport.js';

const stage = (name: string, wallMs: number, cpuMs = wallMs, rssMb = 60) => ({ stage: name, wallMs, cpuMs, heapMb: 10, rssMb });

/** A series' summary with these medians. */
function summary(wall_s: number, rss_mb: number, cpu_s = wall_s, extra: Partial<Summary> = {}): Summary {
  return { runs: 5, wall_s, wall_min_s: wall_s, wall_max_s: wall_s, rss_mb, cpu_s, requests: 1, requests_min: 1, requests_max: 1, connections: 1, byKind: {}, clusterMs: 0, codes: [0], ...extra };
}

function results(extra: Partial<BenchResults>): BenchResults {
  return {
    startedAt: '2026-12-07T12:00:00.000Z',
    options: { sizes: [], runs: 5 },
    machine: { cpus: 2, cpuModel: 'x', memoryGiB: 8, os: 'linux' },
    versions: { node: 'v20', alertcronCommit: 'abc', alertcronDirty: false, opensearch: 'opensearch 2.19' },
    data: { index: 'i', docs: 1, sizeBytes: 1, seededNow: false, seedSeconds: 0, quietWindowDocs: 0, incidentWindowDocs: 0, quietNow: '', incidentNow: '' },
    floor: {},
    sizes: [],
    checks: [],
    ...extra,
  };
}

test('the stages of a run are read from its --json report; anything else reads as none', () => {
  const report = { exitCode: 0, stages: [stage('start', 40), stage('fetch', 12.5)], clusterTookMs: 7 };
  assert.deepEqual(stagesOf(JSON.stringify(report)), { stages: report.stages, clusterTookMs: 7 });
  assert.equal(stagesOf('alertcron: cannot reach the cluster'), undefined);
  assert.equal(stagesOf(JSON.stringify({ exitCode: 0 })), undefined, 'a build without stages');
  assert.deepEqual(stagesOf(JSON.stringify({ stages: [stage('start', 1), { stage: 'broken' }] }))?.stages, [stage('start', 1)]);
  assert.equal(stagesOf(JSON.stringify(report), 0.0625)?.processWallMs, 62.5, 'the same run\'s process wall, when measured');
});

test('stages are summarised as medians per stage, the totals and the largest resident set per run', () => {
  const runs: (RunStages | undefined)[] = [
    { stages: [stage('start', 40), stage('fetch', 100, 10, 80)], clusterTookMs: 60 },
    { stages: [stage('start', 50), stage('fetch', 300, 30, 90)], clusterTookMs: 80 },
    { stages: [stage('start', 45), stage('fetch', 200, 20, 70), stage('deliver', 5)] },
    undefined,
  ];
  const s = summariseStages(runs)!;
  assert.equal(s.runs, 3);
  assert.deepEqual(s.stages.map((x) => [x.stage, x.wallMs, x.cpuMs]), [['start', 45, 45], ['fetch', 200, 20], ['deliver', 0, 0]]);
  assert.equal(s.wallMs, 250, 'median of the runs\' totals 140, 350, 250');
  assert.equal(s.clusterTookMs, 70);
  assert.equal(s.rssMb, 80);
  assert.equal(summariseStages([undefined]), undefined);

  const table = stageTable('quiet', [['10', s], ['1,000', undefined]]);
  assert.match(table[2]!, /^\| stage \| 10 \|$/, 'a scenario without stages has no column');
  assert.ok(table.includes('| fetch | **200 / 20.0** |'), 'the largest stage in bold');
  assert.ok(table.includes('| all stages | 250 / 70.0 |'));
  assert.ok(table.some((l) => l.startsWith("| the cluster's own time") && l.endsWith('| 70.0 |')));
  assert.deepEqual(stageTable('none', [['10', undefined]]), []);
  assert.ok(!table.some((l) => l.startsWith('| outside the stages')), 'no row without the runs\' process wall');

  // The time outside the stages is each run's own process wall less its own stages (not another run's wall).
  const walled = summariseStages([
    { stages: [stage('start', 40), stage('fetch', 100)], processWallMs: 150 },
    { stages: [stage('start', 50), stage('fetch', 300)], processWallMs: 352 },
    { stages: [stage('start', 45), stage('fetch', 200)], processWallMs: 249 },
  ])!;
  assert.equal(walled.outsideMs, 4, 'median of 10, 2 and 4');
  assert.ok(stageTable('quiet', [['10', walled]]).some((l) => l.startsWith('| outside the stages') && l.endsWith('| 4.0 |')));
});

test('what limits a run: the CPU, the cluster, or the network, by their shares of the wall time', () => {
  assert.match(limitedBy(1000, 900, 100, 50), /^alertcron's CPU \(CPU 90%/);
  assert.match(limitedBy(1000, 300, 600, 500), /^the cluster \(/);
  assert.match(limitedBy(1000, 300, 600, 100), /^the network or the proxy \(/);
  assert.match(limitedBy(1000, 300, 600, undefined), /^the network or the proxy \(.*in flight 60%\)$/);
  assert.match(limitedBy(1000, 200, 100, 50), /^neither the CPU nor the cluster alone/);
  // Side by side, not the CPU first: a CPU busy 65% of the time while the cluster works 85% of it is the cluster's.
  assert.match(limitedBy(1000, 650, 900, 850), /^the cluster \(CPU 65%.*took 85%\)$/);
  assert.match(limitedBy(1000, 650, 900, 100), /^the network or the proxy \(/, 'in flight less took: 80%');
  assert.match(limitedBy(1000, 500, 100, 50), /^alertcron's CPU \(/, 'the largest share, even under 60%');
  assert.match(limitedBy(1000, 300, 600, 500, ' (other runs)'), /took 50% \(other runs\)\)$/, 'where took comes from');
});

test('issue 29 targets: each judged on its own number, with the largest stages; a scenario not measured says so', () => {
  const quiet = summariseStages([{ stages: [stage('start', 30), stage('fetch', 90), stage('evaluate', 20)] }]);
  const res = results({
    floor: { nodeMsearch: summary(0.1, 45) },
    sizes: [
      { n: 10, runs: 5, eaRuns: 5, acQuiet: summary(0.14, 70), stages: { quiet } },
      { n: 1000, expectedMatches: 100, runs: 5, eaRuns: 5, acQuiet: summary(0.25, 90, 0.2), acIncident: summary(0.4, 100, 0.23), eaQuiet: summary(11, 400), eaIncident: summary(10, 400), acQuietCold: summary(0.5, 120), validateCold: summary(0.2, 90) },
    ],
    receipts: { alerts: 100, checks: [], variants: [0, 200_000, 1_000_000].map((receipts, i) => ({ receipts, label: `receipts-${receipts}`, bytes: receipts * 370, runs: summary(0.2 + i * 0.03, 70 + i * 15), first: summary(2, 600), stateJsonBytes: 2000 + i * 100 })) },
    big: { n: 100_000, expectedMatches: 10_000, runs: 3, quiet: summary(6, 500, 5, { clusterMs: 800 }), incident: summary(7, 1000, 6), stages: { quiet: { runs: 2, stages: [], wallMs: 6000, cpuMs: 5000, rssMb: 500, clusterTookMs: 700 } } },
  });
  const rows = issue29TargetRows(res);
  assert.ok(rows.every((r) => r.startsWith(ISSUE29_ROW_PREFIX)));
  const find = (start: string) => rows.find((r) => r.startsWith(`${ISSUE29_ROW_PREFIX}${start}`)) ?? assert.fail(`no row ${start}: ${rows.join('\n')}`);
  assert.match(find('1,000 alerts, the incident minute'), /25\.0× .* \*\*met\*\*/);
  assert.match(find('1,000 alerts, nothing matching: at least 40×'), /44\.0× .* \*\*met\*\*/);
  assert.match(find('10 alerts within 1.5×'), /1\.40× .*fetch 90 ms, start 30 ms \| \*\*met\*\*/);
  assert.match(find('1,000 alerts, the first run'), /\*\*missed\*\*/);
  assert.match(find('`validate` of 1,000'), /\*\*met\*\*/);
  assert.match(find('delivery costs'), /0\.30 ms at 1,000 alerts.* \*\*met\*\*/);
  assert.match(find('200,000 receipts'), /\+0\.030 s wall.*\+15 MB.* \*\*met\*\*/);
  assert.match(find('200,000 receipts'), /state\.json rewritten 2\.1 kB \(2\.0 kB with none\)/, 'the size of the state file the measured runs rewrite');
  const receiptsSection = issue29Sections(res);
  assert.ok(receiptsSection.some((l) => /^\| 200,000 receipts \|.*\| 2\.1 kB \|$/.test(l)), receiptsSection.join('\n'));
  assert.ok(receiptsSection.some((l) => /the layout that takeover leaves .*not the one a week of live runs would leave/.test(l)), 'the receipts layout is said to be a migrated one');
  assert.match(find('1,000,000 receipts'), /for information.*\+0\.060 s wall.*\+30 MB.* \| for information \|$/, 'measured: its numbers, for information (not judged)');
  assert.match(find('100,000 alerts on one host'), /nothing matching: .*500 MB.*limited by alertcron's CPU.*the incident minute: .*1000 MB.* \*\*missed\*\*/, 'the incident minute is judged too');
  const tenK = (acIncident?: Summary) => issue29TargetRows(results({ sizes: [{ n: 10_000, runs: 5, eaRuns: 0, acQuiet: summary(1, 110), acIncident }] })).find((r) => r.includes('10,000 alerts: peak memory'));
  assert.match(tenK(summary(1.2, 150))!, /150 MB \(110 MB nothing matching, 150 MB in the incident minute\) \| \*\*missed\*\* \|$/, 'the peak of the two minutes');
  assert.match(tenK()!, /110 MB \(110 MB nothing matching, the incident minute not measured\) \| not judged/);
  assert.match(find('10,000 alerts with'), /not in this run .* not measured \|$/);
  assert.match(find('an alert with 100,000 keys'), /not in this run/);
  assert.match(find('the report says'), /2 of 9 measured scenarios .* \*\*missed\*\*/);
  assert.equal(cpuPerNotice(summary(1, 1, 2), summary(1, 1, 2.5), 1000), 0.5);

  const section = stagesSection(res);
  assert.equal(section[0], '## Where the time goes, by stage');
  assert.ok(section.some((l) => l.startsWith('**Nothing matching, steady state, by number of alerts**')));
  assert.ok(section.some((l) => l.startsWith('**100,000 alerts on one host**')));
  assert.deepEqual(stagesSection(results({})), [], 'nothing measured: no section');
});

test('the keys rows say that their measured runs start right after the takeover (a compacted key file, no sections of changes)', () => {
  const variant = (label: string) => ({ label, bytes: 1e6, runs: summary(0.3, 80), first: summary(1, 200) });
  const section = issue29Sections(results({ firingKeys: { keys: 100_000, withKeys: variant('keys'), withoutKeys: variant('no-keys'), checks: [] } }));
  assert.ok(section.some((l) => /just written whole \(compacted\), without the sections of changed keys/.test(l)), section.join('\n'));
});
