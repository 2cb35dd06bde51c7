// docs/metrics.md cannot drift: its alerting rules are the ones promtool checks and replays here, and its table
// names exactly the metrics a run writes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyState } from '../../src/model/state.js';
import { runMetrics } from '../../src/run/metrics.js';
import type { RunReport } from '../../src/run/report.js';
import { REPO_ROOT } from '../support/project.js';
import { promtoolMissing, runTool } from '../support/promCheck.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs', 'metrics.md'), 'utf8');

/** The fenced block right after the `<!-- promtool check rules: NAME -->` marker, and its file name. */
function rulesBlock(): { name: string; text: string } {
  const found = /<!-- promtool check rules: (\S+) -->\n```yaml\n([\s\S]*?)\n```\n/.exec(DOC);
  assert.ok(found, 'docs/metrics.md has the marked rules block');
  return { name: found[1]!, text: `${found[2]!}\n` };
}

/** A rules test for `promtool test rules`: one host that stops, one that goes down, one that keeps failing, a stuck notice, a source down. */
const RULES_TEST = (rules: string) => `rule_files: [${rules}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # host a ran every minute until minute 5, then stopped (the file stays: its start time ages).
      - series: 'alertcron_run_start_timestamp_seconds{instance="a"}'
        values: '0+60x5 300x30'
      # host c ran every minute until minute 5, then went down: node_exporter is not scraped, the series goes stale.
      - series: 'alertcron_run_start_timestamp_seconds{instance="c"}'
        values: '0+60x5 _x30'
      # host b runs every minute, but its last success was at minute 0.
      - series: 'alertcron_run_start_timestamp_seconds{instance="b"}'
        values: '0+60x35'
      - series: 'alertcron_last_success_timestamp_seconds{instance="b"}'
        values: '0x35'
      - series: 'alertcron_deliveries_oldest_pending_age_seconds{instance="b"}'
        values: '0 0 0 1900+60x32'
      - series: 'alertcron_source_up{instance="b",source="thehive"}'
        values: '1 1 1 0x32'
      - series: 'alertcron_source_up{instance="b",source="elasticsearch"}'
        values: '1x35'
    alert_rule_test:
      - eval_time: 5m
        alertname: AlertcronNotRunning
        exp_alerts: []
      - eval_time: 15m
        alertname: AlertcronNotRunning
        exp_alerts:
          - exp_labels: { severity: critical, instance: a }
            exp_annotations: { summary: "alertcron on a has not started a run for 10m 0s" }
          - exp_labels: { severity: critical, instance: c }
            exp_annotations: { summary: "alertcron on c has not started a run for 10m 0s" }
      - eval_time: 15m
        alertname: AlertcronSourceDown
        exp_alerts:
          - exp_labels: { severity: critical, instance: b, source: thehive }
            exp_annotations: { summary: "alertcron on b cannot read thehive" }
      - eval_time: 10m
        alertname: AlertcronDeliveriesStuck
        exp_alerts:
          - exp_labels: { severity: critical, instance: b }
            exp_annotations: { summary: "alertcron on b: a notice has been pending for 38m 40s" }
      - eval_time: 25m
        alertname: AlertcronNotSucceeding
        exp_alerts: []
      - eval_time: 31m
        alertname: AlertcronNotSucceeding
        exp_alerts:
          - exp_labels: { severity: warning, instance: b }
            exp_annotations: { summary: "alertcron on b: no successful run for 31m 0s (last exit code: see alertcron_run_exit_code)" }
`;

test('the alerting rules in docs/metrics.md pass promtool check rules and fire when they should (promtool test rules)', async (t) => {
  const skip = promtoolMissing();
  if (skip) return t.skip(skip);
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-rules-'));
  try {
    const { name, text } = rulesBlock();
    writeFileSync(join(dir, name), text);
    const checked = await runTool('promtool', ['check', 'rules', join(dir, name)], '');
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /SUCCESS: 4 rules found/);
    writeFileSync(join(dir, 'tests.yml'), RULES_TEST(name));
    const replayed = await runTool('promtool', ['test', 'rules', join(dir, 'tests.yml')], '');
    assert.equal(replayed.code, 0, replayed.stdout + replayed.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the metrics table of docs/metrics.md names every metric a run writes, and only those', () => {
  const documented = [...DOC.matchAll(/^\| `(alertcron_[a-z_]+)` \|/gm)].map((m) => m[1]!);
  const data = emptyState();
  data.lastRun = { startedAt: 0, finishedAt: 1, exitCode: 0, lastSuccessAt: 1 };
  const report = {
    exitCode: 0,
    problems: [],
    alerts: [{ name: 'a', status: 'ok', findings: [] }],
    deliveries: [{ alert: 'a', key: 'k', channel: 'c', ok: true, attempts: 1 }],
    pending: 0,
    sourceRequests: { elasticsearch: 1 },
    sourceElapsedMs: { elasticsearch: 5 },
    stateRequests: { requests: 1, writes: 1, docs: 1 },
    actions: [{ channel: 'bot', op: 'ack', ok: true, message: '' }],
  } as unknown as RunReport;
  const written = runMetrics({ startedAt: 0, durationMs: 1, exitCode: 0, report, data, sources: ['elasticsearch'], stateBytes: 1 });
  assert.deepEqual(documented, written.map((f) => f.name));
  for (const family of written) assert.ok(family.samples.length, `${family.name} has a sample when everything is there`);
});
