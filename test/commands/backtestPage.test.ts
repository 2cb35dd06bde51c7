import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeBacktestPage } from '../../src/commands/backtestPage.js';
import { ExitCode, UserError } from '../../src/util/errors.js';
import { sampleChart } from '../support/chartFixture.js';

test('writeBacktestPage: a write the file system refuses (the folder gone since the check) is a UserError naming the page and the fix, exit code 6', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-page-'));
  rmSync(dir, { recursive: true });
  const page = join(dir, 'report.html');
  await assert.rejects(writeBacktestPage(page, [sampleChart({ steps: 10 })], { generatedAt: 0, project: 'p' }), (error: unknown) => {
    assert.ok(error instanceof UserError, String(error));
    assert.equal(error.exitCode, ExitCode.cannotWrite);
    assert.match(error.message, new RegExp(`^cannot write the chart page ${page.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*ENOENT.*Fix: make sure ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} exists`));
    return true;
  });
});
