import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT, runCli, type CliResult } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { runInTerminal, type TerminalResult } from '../support/terminal.js';
import { iso, useWorld } from '../support/world.js';

const world = useWorld();
const MIN = 60_000;
/** What erases the progress line before each redraw: never in output that is not a terminal's. */
const ERASE = '\r\u001b[K';
const folders: string[] = [];
after(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-progress-'));
  folders.push(dir);
  return dir;
}

/** One command run three ways: stderr on a terminal (stdout to a file), all to pipes (as cron), stderr to a file (stdout on a terminal). */
interface ThreeWays {
  terminal: TerminalResult;
  terminalStdout: string;
  piped: CliResult;
  stderrFile: string;
  stderrFileScreen: TerminalResult;
}

async function threeWays(args: string[], cwd: string, env: Record<string, string>, between: () => void = () => {}): Promise<ThreeWays> {
  const out = join(cwd, '.tty-stdout');
  const err = join(cwd, '.tty-stderr');
  const terminal = await runInTerminal(args, { cwd, env, stdoutTo: out });
  between();
  const piped = await runCli(args, cwd, env);
  between();
  const stderrFileScreen = await runInTerminal(args, { cwd, env, stderrTo: err });
  return { terminal, terminalStdout: readFileSync(out, 'utf8'), piped, stderrFile: readFileSync(err, 'utf8'), stderrFileScreen };
}

/** The checks every long command meets: progress on the terminal only, the same exit code and stdout either way. */
function assertOnlyOnTerminal(run: ThreeWays, progress: RegExp): void {
  assert.ok(run.terminal.screen.includes(ERASE), `the terminal shows a line drawn in place:\n${JSON.stringify(run.terminal.screen.slice(0, 600))}`);
  assert.match(run.terminal.screen, progress);
  // The line is erased at the end: whatever was drawn last is followed by an erase.
  assert.ok(run.terminal.screen.lastIndexOf(ERASE) > run.terminal.screen.search(progress));
  assert.equal(run.terminal.code, run.piped.code, run.piped.stderr);
  assert.equal(run.terminalStdout, run.piped.stdout, 'stdout is the same with and without a terminal');
  for (const [where, text] of [['piped stderr', run.piped.stderr], ['stderr to a file', run.stderrFile], ['stdout on a terminal', run.stderrFileScreen.screen]] as const) {
    assert.ok(!text.includes('\u001b[K'), `${where}: no progress line`);
    assert.doesNotMatch(text, progress, where);
  }
  assert.equal(run.stderrFile, run.piped.stderr, 'stderr in a file is what cron mails: the same as piped');
}

async function noProgressWithJson(args: string[], cwd: string, env: Record<string, string>, progress: RegExp, between: () => void = () => {}): Promise<void> {
  between();
  const json = await runInTerminal([...args, '--json'], { cwd, env, stdoutTo: join(cwd, '.tty-json') });
  assert.ok(!json.screen.includes('\u001b[K'), `--json: no progress line:\n${JSON.stringify(json.screen.slice(0, 600))}`);
  assert.doesNotMatch(json.screen, progress);
  JSON.parse(readFileSync(join(cwd, '.tty-json'), 'utf8'));
}

test('progress: import elastalert of a folder shows files read of how many on a terminal only; cron, a file and --json get none', { timeout: 120_000 }, async () => {
  const dir = scratch();
  const rules = join(REPO_ROOT, 'test', 'fixtures', 'elastalert-public');
  const args = ['import', 'elastalert', rules, '--out', 'out'];
  const fresh = () => rmSync(join(dir, 'out'), { recursive: true, force: true });
  const progress = /import .*elastalert-public: reading: \d+\/\d+ files \(\d+%\)/;
  const run = await threeWays(args, dir, { XDG_CACHE_HOME: join(dir, '.cache') }, fresh);
  assertOnlyOnTerminal(run, progress);
  assert.match(run.piped.stdout, /converted \d+ rule\(s\) into out\//);
  await noProgressWithJson(args, dir, {}, progress, fresh);
  // A dumb terminal cannot redraw a line: it gets plain lines (here the first ones), nothing to erase.
  fresh();
  const dumb = await runInTerminal(args, { cwd: dir, env: { TERM: 'dumb' }, stdoutTo: join(dir, '.tty-dumb') });
  assert.match(dumb.screen, progress);
  assert.ok(!dumb.screen.includes('\u001b'), JSON.stringify(dumb.screen.slice(0, 300)));
});

test('progress: import sigma of a folder shows files converted of how many on a terminal only', { timeout: 120_000 }, async () => {
  const dir = scratch();
  const rules = join(REPO_ROOT, 'test', 'fixtures', 'sigma', 'rules', 'rules', 'identity');
  const args = ['import', 'sigma', rules, '--index', 'logs-*', '--out', 'alerts'];
  const fresh = () => rmSync(join(dir, 'alerts'), { recursive: true, force: true });
  const progress = /import sigma: converting: \d+\/\d+ files/;
  const run = await threeWays(args, dir, {}, fresh);
  assertOnlyOnTerminal(run, progress);
  await noProgressWithJson(args, dir, {}, progress, fresh);
});

test('progress: a backtest shows its steps, validate --cluster its alerts, on a terminal only', { timeout: 180_000 }, async () => {
  const T = Math.floor(uniqueBaseTime() / MIN) * MIN;
  const index = await world.index('progress-auth');
  await indexDocs(world.esUrl, index, [logonEvent(T - 3 * 60 * MIN, 'alice'), logonEvent(T - 10 * MIN, 'bob')]);
  const project = world.project();
  project.writeAlert('logons', { index, condition: { type: 'count', gte: 1 }, group_by: 'winlog.event_data.TargetUserName', every: '1m', throttle: '1h', notify: ['soc-email'] });
  project.writeAlert('failures', { index, condition: { type: 'count', gte: 5 }, every: '5m', notify: ['soc-email'] });
  const env = { XDG_CACHE_HOME: join(project.dir, '.cache'), ...project.env, ALERTCRON_NOW: iso(T) };

  const backtest = ['test', 'logons', '--backtest', '1d'];
  const steps = /backtest logons: \d+\/1440 steps \(\d+%\)/;
  const replayed = await threeWays(backtest, project.dir, env);
  assertOnlyOnTerminal(replayed, steps);
  assert.match(replayed.piped.stdout, /backtest of logons: 1440 runs .*\n2 notice\(s\) would have been sent/);
  await noProgressWithJson(backtest, project.dir, env, steps);
  // Several alerts: each its own phase, named with its place in the list.
  const several = ['test', 'logons', 'failures', '--backtest', '1d'];
  const second = /backtest failures \(alert 2 of 2\): \d+\/288 steps/;
  assertOnlyOnTerminal(await threeWays(several, project.dir, env), second);
  await noProgressWithJson(several, project.dir, env, second);

  const validate = ['validate', '--cluster'];
  const alerts = /validate --cluster: \d\/2 alerts/;
  const validated = await threeWays(validate, project.dir, env);
  assertOnlyOnTerminal(validated, alerts);
  assert.equal(validated.piped.code, 0, validated.piped.stderr);
  await noProgressWithJson(validate, project.dir, env, alerts);
});

test('progress: state migrate shows what it is doing on a terminal (reading, writing, reading back), and nothing in cron\'s mail', { timeout: 180_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('progress-migrate');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'alice')]);
  const stateIndex = `alertcron-state-progress-${Math.random().toString(36).slice(2, 8)}`;
  const project = world.project({ extraConfig: { state: { lock_wait: '15s', index: stateIndex, host_id: 'host-a' } } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], throttle: '1h' });
  const env = { XDG_CACHE_HOME: join(project.dir, '.cache'), ...project.env, ALERTCRON_NOW: iso(T) };
  try {
    const first = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
    assert.equal(first.code, 0, first.stderr);
    const toCluster = await runInTerminal(['state', 'migrate', '--to', 'cluster'], { cwd: project.dir, env, stdoutTo: join(project.dir, '.tty-stdout') });
    assert.equal(toCluster.code, 0, toCluster.screen);
    assert.ok(toCluster.screen.includes(ERASE));
    for (const phase of [/state migrate: reading the state on the file backend/, /state migrate: writing 1 alerts to the cluster backend/, /state migrate: reading the cluster backend's copy back to compare/]) assert.match(toCluster.screen, phase);
    assert.match(readFileSync(join(project.dir, '.tty-stdout'), 'utf8'), /moved the state from the file backend to the cluster backend \(1 alerts/);
    // Back, as cron (or a script) would run it: no terminal, no progress.
    const back = await project.run(['state', 'migrate', '--to', 'file']);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /moved the state from the cluster backend to the file backend \(1 alerts/);
    assert.equal(back.stderr, '');
  } finally {
    await fetch(`${world.esUrl}/${stateIndex}*`, { method: 'DELETE' });
  }
});
