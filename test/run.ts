import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROFILES_DIR_ENV, removeProfiles } from './support/browser.js';
import { startEngine } from './support/engine.js';
import { REPO_ROOT } from './support/project.js';

/**
 * How long one test file may run before it is stopped and failed: far above the slowest file today (about 70 s in
 * CI, 125 s on a loaded 2-core machine: clusterConnectionLoss, chaosHosts, hostsShare; but badStateTimes passed 900 s
 * at a load average of 18 on 2 cores), and still far below CI's 90 minutes.
 */
const DEFAULT_FILE_TIMEOUT_S = 1800;

/** The reporter that names the test a stopped file was running (beside spec). */
const HANG_REPORTER = pathToFileURL(join(REPO_ROOT, 'dist', 'test', 'support', 'hangReporter.js')).href;

/** Test files compiled into dist/test, found recursively; filters, when given, keep those whose path contains one of them. */
function testFiles(dir: string, filters: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(path, filters));
    else if (entry.name.endsWith('.test.js') && (!filters.length || filters.some((f) => path.includes(f)))) out.push(path);
  }
  return out.sort();
}

const USAGE = `usage: node dist/test/run.js [--test-timeout <seconds>] [filter | file.test.js ...]
  filter          run the test files under dist/test whose path contains it (none: all of them)
  file.test.js    an existing test file, run as given
  --test-timeout  stop a test file that runs longer, failing it with its name and the test it was running
                  (default ${DEFAULT_FILE_TIMEOUT_S} s; 0: no limit)
`;

/** The arguments: filters (or test files named by path) and the per-file limit in seconds (0: none). */
function parseArguments(args: readonly string[]): { filters: string[]; timeoutS: number } {
  const filters: string[] = [];
  let timeoutS = DEFAULT_FILE_TIMEOUT_S;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (arg === '--test-timeout' || arg.startsWith('--test-timeout=')) {
      const value = arg === '--test-timeout' ? args[++i] : arg.slice('--test-timeout='.length);
      timeoutS = Number(value);
      if (value === undefined || value.trim() === '' || !Number.isFinite(timeoutS) || timeoutS < 0) {
        process.stderr.write(`--test-timeout needs a number of seconds (0: no limit), not ${JSON.stringify(value ?? '')}\n${USAGE}`);
        process.exit(64);
      }
    } else filters.push(arg);
  }
  return { filters, timeoutS };
}

const { filters, timeoutS } = parseArguments(process.argv.slice(2));
const named = filters.filter((f) => f.endsWith('.test.js') && existsSync(f)).map((f) => resolve(f));
const searched = filters.filter((f) => !named.includes(resolve(f)));
const files = [...(named.length && !searched.length ? [] : testFiles(join(REPO_ROOT, 'dist', 'test'), searched)), ...named];
// Given no file, node --test would look for tests everywhere (the bench included): a filter that matches nothing is an error.
if (!files.length) {
  process.stderr.write(`no test file under dist/test matches ${filters.map((f) => JSON.stringify(f)).join(' or ')}\n`);
  process.exit(64);
}
const engine = await startEngine(process.env.ALERTCRON_TEST_ENGINE_LOG ? { log: (line) => process.stderr.write(`[engine] ${line}\n`) } : {});
process.stderr.write(`search engine ready at ${engine.url}${engine.external ? ' (already running)' : ''}\n`);
// node's --test-timeout also bounds each test file's process (it is killed at the limit, the file fails with its
// name); the hang reporter adds which test was running then.
const limit = timeoutS > 0 ? [`--test-timeout=${Math.round(timeoutS * 1000)}`] : [];
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${HANG_REPORTER}`, '--test-reporter-destination=stderr'];
// The test files' browser profiles go in one folder of this run, removed at its end: a file stopped at the limit
// is killed before its own clean-up runs, and its browser, still shutting down, is ended first.
const profiles = mkdtempSync(join(tmpdir(), 'alertcron-test-browsers-'));
const child = spawn(process.execPath, ['--test', ...reporters, '--test-concurrency=2', ...limit, ...files.map((f) => relative(REPO_ROOT, f))], {
  cwd: REPO_ROOT,
  stdio: 'inherit',
  env: { ...process.env, ALERTCRON_TEST_ES_URL: engine.url, [PROFILES_DIR_ENV]: profiles },
});
const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await removeProfiles(profiles);
await engine.stop();
process.exit(code);
