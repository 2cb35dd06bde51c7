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
  elastalert: { matches: EaMatch[]; errors: { step: string; error: string }[]; runs: string[] };
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

/**
 * Runs rules through ElastAlert2 2.31 in one process (each rule over its own index), step by step over [start,
 * end], and returns each rule's matches and errors by its case's name.
 */
export async function replayElastalert(esUrl: string, rules: readonly { index: string; c: OracleCase }[], start: number, end: number): Promise<Map<string, OracleResult['elastalert']>> {
  const { python } = await ensureVenv();
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-oracle-'));
  try {
    const url = new URL(esUrl);
    mkdirSync(join(dir, 'rules'));
    writeFileSync(
      join(dir, 'config.yaml'),
      stringify({ es_host: url.hostname, es_port: Number(url.port), writeback_index: `${rules[0]!.index}-ea`, rules_folder: join(dir, 'rules'), run_every: { minutes: 1 }, buffer_time: { minutes: 45 } }),
    );
    for (const { index, c } of rules) writeFileSync(join(dir, 'rules', `${c.name}.yaml`), stringify({ filter: [], ...c.elastalert, name: c.name, index, realert: { minutes: 0 }, alert: ['debug'] }));
    const { stdout } = await capture(python, [EA_REPLAY, '--config', join(dir, 'config.yaml'), '--start', new Date(start).toISOString(), '--end', new Date(end).toISOString()], dir);
    const lines = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = lines.at(-1);
    if (!done?.done) throw new Error(`ea_replay.py did not finish:\n${stdout.slice(-2000)}`);
    // Every case's rule ran to the end, or its error was printed: a rule that did not load (or vanished) is no pass.
    const names = new Set(rules.map(({ c }) => c.name));
    const stray = lines.slice(0, -1).filter((l) => l.error !== undefined && !names.has(String(l.rule)));
    if (stray.length) throw new Error(`ElastAlert2 reported errors outside the cases' rules:\n${stray.map((l) => JSON.stringify(l)).join('\n')}`);
    const enabled = new Set(Array.isArray(done.rules) ? done.rules.map(String) : []);
    const missing = rules.filter(({ c }) => !enabled.has(c.name) && !lines.some((l) => l.rule === c.name && l.error !== undefined));
    if (missing.length) throw new Error(`ElastAlert2 did not run rule(s) ${missing.map(({ c }) => c.name).join(', ')} to the end and printed no error for them:\n${stdout.slice(-2000)}`);
    const results = new Map<string, OracleResult['elastalert']>();
    for (const { c } of rules) {
      // Without a query_key every match is of the one key (flatline calls it "all", the others None).
      const keyless = c.elastalert.query_key === undefined;
      const matches: EaMatch[] = [];
      const errors: { step: string; error: string }[] = [];
      for (const l of lines.slice(0, -1).filter((l) => l.rule === c.name)) {
        const step = new Date(String(l.step_end)).toISOString();
        if (l.error !== undefined) errors.push({ step, error: String(l.error) });
        else matches.push({ rule: c.name, step, key: keyless ? ALL : l.key === null || l.key === undefined ? MISSING : String(l.key), timestamp: String(l.timestamp), match: l.match as Record<string, unknown> });
      }
      results.set(c.name, { matches, errors, runs: sorted(matches.map((m) => run(m.step, m.key))) });
    }
    return results;
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
  return (await replayAll(world, [c]))[0]!;
}

/**
 * replayBoth for several cases over the same span (distinct names), each in its own index: one ElastAlert2 process
 * replays all their rules (its start-up is most of a small replay's time), alertcron backtests them two at a time.
 */
export async function replayAll(world: World, cases: readonly OracleCase[]): Promise<OracleResult[]> {
  const { start, end } = cases[0]!;
  if (start % MIN || end % MIN || end <= start) throw new Error('an oracle span starts and ends on a minute');
  if (cases.some((c) => c.start !== start || c.end !== end)) throw new Error('replayAll: the cases share one span');
  if (new Set(cases.map((c) => c.name)).size !== cases.length) throw new Error('replayAll: the cases have distinct names');
  const rules: { index: string; c: OracleCase }[] = [];
  for (const c of cases) {
    const index = await world.index(`oracle-${c.name}`);
    await indexDocs(world.esUrl, index, c.docs);
    rules.push({ index, c });
  }
  const alertcron = async () => {
    const results: OracleResult['alertcron'][] = new Array(rules.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < rules.length; i = next++) results[i] = await replayAlertcron(world, rules[i]!.index, rules[i]!.c);
    };
    await Promise.all([worker(), worker()]);
    return results;
  };
  const [ea, ac] = await Promise.all([replayElastalert(world.esUrl, rules, start, end), alertcron()]);
  return rules.map(({ index, c }, i) => {
    const elastalert = ea.get(c.name)!;
    const alertcron = ac[i]!;
    const eaRuns = new Set(elastalert.runs);
    const acRuns = new Set(alertcron.runs);
    return { index, elastalert, alertcron, onlyElastalert: elastalert.runs.filter((r) => !acRuns.has(r)), onlyAlertcron: alertcron.runs.filter((r) => !eaRuns.has(r)) };
  });
}

/** A time offset of minutes and seconds, in ms (datasets are written as offsets from the span's start). */
export function m(minutes: number, seconds = 0): number {
  return minutes * MIN + seconds * 1000;
}

/** The whole minutes from `from` to `to`, inclusive (e.g. the runs a key matches in). */
export function minutes(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
