// The test runner stops a test file that runs past --test-timeout and fails it by name with the test it was running,
// so a hang fails the suite with a name instead of at CI's 90 minutes; the other files' results stand.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { browserSkipReason } from '../support/browser.js';
import { REPO_ROOT } from '../support/project.js';

/** Runs `node dist/test/run.js args`, killing it (and failing) if it has not ended after guardMs. */
function runRunner(args: string[], guardMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Without NODE_TEST_CONTEXT, which tells node --test it runs inside a test file (it would then run nothing).
    const { NODE_TEST_CONTEXT: _inside, ...env } = process.env;
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'test', 'run.js'), ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the runner did not end after ${guardMs / 1000} s although its limit was far shorter:\n${output}`));
    }, guardMs);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, output });
    });
  });
}

test('a test file that hangs is stopped at --test-timeout and fails by its name and the test it was running; the others still pass', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-runner-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const pidFile = join(dir, 'hung.pid');
    writeFileSync(
      join(dir, 'hangs.test.js'),
      "import { test } from 'node:test';\nimport { writeFileSync } from 'node:fs';\n" +
        "test('a quick one', () => {});\n" +
        `test('waits for ever', () => { writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); return new Promise(() => setInterval(() => {}, 1000)); });\n`,
    );
    writeFileSync(join(dir, 'leaves-a-handle.test.js'), "import { test } from 'node:test';\ntest('ends but leaves a timer', () => { setInterval(() => {}, 1000); });\n");
    writeFileSync(join(dir, 'fine.test.js'), "import { test } from 'node:test';\ntest('fine file', () => {});\n");
    const files = ['hangs.test.js', 'leaves-a-handle.test.js', 'fine.test.js'].map((f) => join(dir, f));

    const { code, output } = await runRunner(['--test-timeout', '3', ...files], 120_000);
    assert.notEqual(code, 0, output);
    assert.match(output, new RegExp(`test file ${join(dir, 'hangs.test.js')} was stopped by the runner's limit \\(test timed out after 3000ms; [^)]*\\) while running "waits for ever"`), output);
    assert.match(output, new RegExp(`test file ${join(dir, 'leaves-a-handle.test.js')} was stopped by the runner's limit .* after its last test ended`), output);
    assert.doesNotMatch(output, /fine\.test\.js was stopped/, output);
    assert.match(output, /✔ fine file/, output);
    assert.match(output, /✔ a quick one/, output);
    assert.match(output, /ℹ pass 3\n/, output);
    // The hung file's process is gone, not left behind.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `the hung test file's process ${pid} was killed`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--test-timeout takes seconds; anything else is refused with the usage, and --help shows it', async () => {
  const bad = await runRunner(['--test-timeout', 'soon', 'no-such-test-file'], 60_000);
  assert.equal(bad.code, 64, bad.output);
  assert.match(bad.output, /--test-timeout needs a number of seconds \(0: no limit\), not "soon"/);
  assert.match(bad.output, /usage: node dist\/test\/run\.js/);
  const help = await runRunner(['--help'], 60_000);
  assert.equal(help.code, 0, help.output);
  assert.match(help.output, /--test-timeout {2}stop a test file that runs longer.*\n.*\(default 1800 s; 0: no limit\)/);
});

test('a test file killed with its browser open (as at --test-timeout, no exit handler runs) leaves no browser profile folder behind', { skip: browserSkipReason() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-runner-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const marker = join(dir, 'profile.json');
    const browserModule = pathToFileURL(join(REPO_ROOT, 'dist', 'test', 'support', 'browser.js')).href;
    writeFileSync(
      join(dir, 'killed.test.js'),
      `import { test } from 'node:test';\nimport { writeFileSync } from 'node:fs';\nimport { openBrowser } from ${JSON.stringify(browserModule)};\n` +
        `test('opens a browser and is killed', async () => { const browser = await openBrowser(); ` +
        `writeFileSync(${JSON.stringify(marker)}, JSON.stringify({ profile: browser.profile, pid: browser.child.pid })); process.kill(process.pid, 'SIGKILL'); });\n`,
    );
    const { code, output } = await runRunner([join(dir, 'killed.test.js')], 180_000);
    assert.notEqual(code, 0, output);
    const { profile, pid } = JSON.parse(readFileSync(marker, 'utf8')) as { profile: string; pid: number };
    assert.match(profile, /alertcron-chromium-/, output);
    assert.equal(existsSync(profile), false, `the killed file's browser profile ${profile} was removed by the runner`);
    // Gone, or a zombie its new parent has not reaped yet.
    const running = (() => {
      try {
        return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    })();
    assert.equal(running, false, `the killed file's browser ${pid} is gone`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
