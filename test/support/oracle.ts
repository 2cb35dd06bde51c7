// ElastAlert2 as an oracle: one dataset replayed minute by minute through ElastAlert2 2.31 (test/oracle/ea_replay.py
// in the shared venv) and through `alertcron test <alert> --backtest <span> --json`, and the runs that matched diffed.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from './project.js';
import { ensureVenv } from './pythonVenv.js';
import { indexDocs } from './seed.js';
import type { World } from './world.js';

const MIN = 60_000;
/** The replay driver. */
export const EA_REPLAY = join(REPO_ROOT, 'test', 'oracle', 'ea_replay.py');
/** alertcron's key of an alert without group_by, and what ElastAlert2's null query_key value is compared as. */
export const ALL = '_all';
/** What ElastAlert2's null query_key value (an event without the field) is compared as in a rule with a query_key. */
export const MISSING = '(missing)';

/** One dataset and one rule written both ways. */
export interface OracleCase {
  /** A short name: the index prefix, the rule's and the alert's name. */
  name: string;
  /** The first replayed step starts here (epoch ms, on a minute); steps end at start + 1m, + 2m ... end. */
  start: number;
  /** The last step ends here (epoch ms, on a minute); alertcron's backtest runs with ALERTCRON_NOW = end. */
  end: number;
  /** Events, each with its `@timestamp` (ISO); keep them inside (start, end) and off minute boundaries unless a boundary is what is tested. */
  docs: Record<string, unknown>[];
  /** The ElastAlert2 rule without name, index, alert, realert and filter (added: the debug alerter, realert 0, filter [] unless given). */
  elastalert: Record<string, unknown>;
  /** The alertcron alert without index, every, ingest_delay, throttle and notify (added: 1m, 0s, 0s, soc-email). */
  alertcron: Record<string, unknown>;
  /** Other ElastAlert2 rules loaded into the same process, by name (as `elastalert`): what one rule does to another. */
  elastalertAlso?: Record<string, Record<string, unknown>>;
}

/** One match ElastAlert2 produced, as ea_replay.py prints it. */
export interface EaMatch {
  rule: string;
  /** The end of the step (run) that produced it, ISO with milliseconds. */
  step: string;
  /** The query_key value (ALL when the rule has none; MISSING for an event without it). */
  key: string;
  timestamp: string;
  match: Record<string, unknown>;
}

/** What both sides gave, and where they differ, at run granularity: `<step end ISO> <key>` strings, sorted. */
export interface OracleResult {
  index: string;
  elastalert: { matches: EaMatch[]; errors: { rule: string; step: string; error: string }[]; runs: string[] };
  alertcron: { summary: BacktestJson; runs: string[] };
  /** Runs (step and key) that matched in ElastAlert2 only. */
  onlyElastalert: string[];
  /** Runs (step and key) that matched in alertcron only. */
  onlyAlertcron: string[];
}

/** The parts of `alertcron test --backtest --json` the oracle reads. */
export interface BacktestJson {
  steps: number;
  notices: number;
  findings: { at: string; key: string }[];
  sent: { at: string; key: string; reason: string }[];
  [other: string]: unknown;
}

/** `<step end ISO> <key>`: one run in which one key matched. */
export function run(at: number | string, key: string = ALL): string {
  return `${new Date(at).toISOString()} ${key}`;
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** Spawns a command and collects its output; rejects with both streams when it exits non-zero. */
function capture(cmd: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stderr.slice(-3000)}\n${stdout.slice(-1000)}`))));
  });
}

/** Runs the rule through ElastAlert2 2.31, step by step over [start, end], and returns its matches and errors. */
export async function replayElastalert(esUrl: string, index: string, c: OracleCase): Promise<OracleResult['elastalert']> {
  const { python } = await ensureVenv();
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-oracle-'));
  try {
    const url = new URL(esUrl);
    mkdirSync(join(dir, 'rules'));
    writeFileSync(
      join(dir, 'config.yaml'),
      stringify({ es_host: url.hostname, es_port: Number(url.port), writeback_index: `${index}-ea`, rules_folder: join(dir, 'rules'), run_every: { minutes: 1 }, buffer_time: { minutes: 45 } }),
    );
    const rules = { ...c.elastalertAlso, [c.name]: c.elastalert };
    for (const [name, rule] of Object.entries(rules)) writeFileSync(join(dir, 'rules', `${name}.yaml`), stringify({ filter: [], ...rule, name, index, realert: { minutes: 0 }, alert: ['debug'] }));
    const { stdout } = await capture(python, [EA_REPLAY, '--config', join(dir, 'config.yaml'), '--start', new Date(c.start).toISOString(), '--end', new Date(c.end).toISOString()], dir);
    const lines = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    if (!lines.at(-1)?.done) throw new Error(`ea_replay.py did not finish:\n${stdout.slice(-2000)}`);
    const noKey = c.elastalert.query_key === undefined ? ALL : MISSING;
    const matches: EaMatch[] = [];
    const errors: { rule: string; step: string; error: string }[] = [];
    for (const l of lines.slice(0, -1)) {
      const step = new Date(String(l.step_end)).toISOString();
      if (l.error !== undefined) errors.push({ rule: String(l.rule), step, error: String(l.error) });
      else matches.push({ rule: String(l.rule), step, key: l.key === null || l.key === undefined ? noKey : String(l.key), timestamp: String(l.timestamp), match: l.match as Record<string, unknown> });
    }
    return { matches, errors, runs: sorted(matches.filter((m) => m.rule === c.name).map((m) => run(m.step, m.key))) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the alert through `alertcron test <alert> --backtest <span> --json` in a fresh project, ALERTCRON_NOW = end. */
export async function replayAlertcron(world: World, index: string, c: OracleCase): Promise<OracleResult['alertcron']> {
  const project = world.project();
  project.writeAlert(c.name, { index, every: '1m', ingest_delay: '0s', throttle: '0s', notify: ['soc-email'], ...c.alertcron });
  const spanMinutes = Math.round((c.end - c.start) / MIN);
  const out = await project.run(['test', c.name, '--backtest', `${spanMinutes}m`, '--json'], { ALERTCRON_NOW: new Date(c.end).toISOString() });
  if (out.code !== 0) throw new Error(`alertcron test --backtest exited ${out.code}: ${out.stderr}${out.stdout.slice(0, 2000)}`);
  const summary = JSON.parse(out.stdout) as BacktestJson;
  if (summary.steps !== spanMinutes) throw new Error(`alertcron replayed ${summary.steps} steps, expected ${spanMinutes}`);
  return { summary, runs: sorted(summary.findings.map((f) => run(f.at, f.key))) };
}

/**
 * Seeds the dataset into a fresh index and replays it through both; the diff is at run granularity (alertcron
 * checks a key at most once per run, ElastAlert2 may match a key several times in one step: those are one run).
 * Findings are compared before alertcron's throttle, so no throttle can hide a difference.
 */
export async function replayBoth(world: World, c: OracleCase): Promise<OracleResult> {
  if (c.start % MIN || c.end % MIN || c.end <= c.start) throw new Error('an oracle span starts and ends on a minute');
  const index = await world.index(`oracle-${c.name}`);
  await indexDocs(world.esUrl, index, c.docs);
  const [elastalert, alertcron] = await Promise.all([replayElastalert(world.esUrl, index, c), replayAlertcron(world, index, c)]);
  const ea = new Set(elastalert.runs);
  const ac = new Set(alertcron.runs);
  return {
    index,
    elastalert,
    alertcron,
    onlyElastalert: elastalert.runs.filter((r) => !ac.has(r)),
    onlyAlertcron: alertcron.runs.filter((r) => !ea.has(r)),
  };
}
