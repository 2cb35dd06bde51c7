// bin/alertcron.js against a stand-in bundle: a command whose promise never settles (a bug that leaves nothing to
// wait for) must end as an internal error cron can see, not as a silent exit 0; a settled one keeps its own code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/project.js';

/** A copy of bin/ beside a dist/bundle whose cli.cjs runs `main` as given; returns the entry point's result. */
function runEntry(main: string): { status: number | null; stderr: string } {
  const root = mkdtempSync(join(tmpdir(), 'alertcron-entry-'));
  try {
    cpSync(join(REPO_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    mkdirSync(join(root, 'dist', 'bundle'), { recursive: true });
    writeFileSync(join(root, 'dist', 'bundle', 'build.json'), JSON.stringify({ files: {}, vendored: [] }));
    writeFileSync(join(root, 'dist', 'bundle', 'cli.cjs'), `exports.usePackageLoader = () => {};\nexports.main = ${main};\nexports.exitWhenFlushed = async (code) => process.exit(code);\n`);
    const r = spawnSync(process.execPath, [join(root, 'bin', 'alertcron.js'), 'run'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ALERTCRON_CACHE: 'off' }, timeout: 30_000 });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('the entry point: a command that never settles exits 1 with an internal error on stderr; a finished one keeps its code', () => {
  const hung = runEntry('() => new Promise(() => {})');
  assert.equal(hung.status, 1);
  assert.match(hung.stderr, /alertcron: internal error: the command stopped before it finished/);
  const done = runEntry('async () => 4');
  assert.equal(done.status, 4);
  assert.equal(done.stderr, '');
  const ok = runEntry('async () => 0');
  assert.equal(ok.status, 0);
});
