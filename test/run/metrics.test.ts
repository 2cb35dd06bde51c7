import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyState, type PendingDelivery } from '../../src/model/state.js';
import type { MetricFamily } from '../../src/render/promText.js';
import { runMetrics } from '../../src/run/metrics.js';
import { stateFileBytes } from '../../src/run/metricsFile.js';
import { ExitCode } from '../../src/util/errors.js';

const samples = (families: MetricFamily[], name: string) => families.find((f) => f.name === name)?.samples.map((s) => [s.labels ?? {}, s.value]);

test('source health: each configured source (one removed from alertcron.yaml keeps a stale health in the state: left out)', () => {
  const data = emptyState();
  data.sources = { thehive: { failures: 3, since: 1 }, clock: { failures: 1 }, maxpatrol: { failures: 5 } };
  const families = runMetrics({ startedAt: 0, durationMs: 0, exitCode: 3, data, sources: ['elasticsearch', 'thehive'] });
  assert.deepEqual(samples(families, 'alertcron_source_up'), [[{ source: 'elasticsearch' }, 1], [{ source: 'thehive' }, 0]]);
  assert.deepEqual(samples(families, 'alertcron_source_consecutive_failures'), [[{ source: 'elasticsearch' }, 0], [{ source: 'thehive' }, 3]]);
});

test('pending deliveries: their number and the age of the oldest when the run ended; no report, no run families', () => {
  const data = emptyState();
  data.lastRun = { startedAt: 100_000, finishedAt: 130_000, exitCode: 4 };
  data.pending = [{ createdAt: 70_000 }, { createdAt: 40_000 }, { createdAt: 120_000 }] as PendingDelivery[];
  const families = runMetrics({ startedAt: 100_000, durationMs: 2_500, exitCode: 4, data, sources: [] });
  assert.deepEqual(samples(families, 'alertcron_deliveries_pending'), [[{}, 3]]);
  assert.deepEqual(samples(families, 'alertcron_deliveries_oldest_pending_age_seconds'), [[{}, 90]]);
  assert.deepEqual(samples(families, 'alertcron_run_duration_seconds'), [[{}, 2.5]]);
  assert.deepEqual(samples(families, 'alertcron_run_start_timestamp_seconds'), [[{}, 100]]);
  assert.deepEqual(samples(families, 'alertcron_last_success_timestamp_seconds'), []);
  assert.equal(samples(families, 'alertcron_run_findings'), undefined);
});

test('the state size counts state.json, the files named after it and its receipts folder, not temporary files or other files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-size-'));
  try {
    const file = join(dir, 'state.json');
    writeFileSync(file, 'x'.repeat(100));
    writeFileSync(`${file}.keys-1.1`, 'x'.repeat(20));
    writeFileSync(`${file}.journal`, 'x'.repeat(3));
    writeFileSync(`${file}.tmp-99-1`, 'x'.repeat(1000));
    writeFileSync(join(dir, 'audit.log'), 'x'.repeat(1000));
    mkdirSync(`${file}.receipts`);
    writeFileSync(join(`${file}.receipts`, '2026-12-07'), 'x'.repeat(7));
    assert.equal(stateFileBytes(file), 130);
    assert.equal(stateFileBytes(join(dir, 'missing', 'state.json')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the exit code's HELP names every exit code a run can write (all but the command line's usage error)", () => {
  const help = runMetrics({ startedAt: 0, durationMs: 0, exitCode: 0, sources: [] }).find((f) => f.name === 'alertcron_run_exit_code')!.help;
  for (const [name, code] of Object.entries(ExitCode)) if (code !== ExitCode.usage) assert.match(help, new RegExp(`[(,] ?${code} `), `${name} (${code})`);
});
