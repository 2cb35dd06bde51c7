import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeBacktestPage } from '../../src/commands/backtestPage.js';
import { ExitCode, UserError } from '../../src/util/errors.js';
import { registerSecret } from '../../src/util/redact.js';
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

test('writeBacktestPage: a registered secret in an error, the query, a title, a key or a setting is blanked on the page, as in --json', async () => {
  const secret = 'pw-Zq81xLmT0rk';
  registerSecret(secret);
  const chart = sampleChart({ steps: 10, keys: [`user-${secret}`] });
  chart.errors = [`step 3: request to https://alertcron:${secret}@es.example:9200/_msearch failed: ECONNREFUSED`];
  chart.query = { query: { term: { 'user.name': secret } } };
  chart.notices = [{ at: chart.span.from, key: `user-${secret}`, reason: 'first', title: `login by ${secret}`, channels: ['mail'] }];
  chart.settings = { ...chart.settings, index: `logs-${secret}` };
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-page-'));
  try {
    const page = readFileSync(await writeBacktestPage(join(dir, 'report.html'), [chart], { generatedAt: 0, project: 'p' }), 'utf8');
    assert.ok(!page.includes(secret), 'the secret is nowhere on the page');
    assert.ok(!page.includes(secret.slice(0, 10)), 'nor a piece of it');
    for (const blanked of ['https://alertcron:***@es.example', 'login by ***', 'logs-***', 'user-***']) assert.ok(page.includes(blanked), blanked);
    assert.ok(chart.errors[0]!.includes(secret), 'the chart given is left as it was');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
