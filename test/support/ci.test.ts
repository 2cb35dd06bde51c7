// CI=false or CI=0 is not CI: a missing browser or promtool then skips with its reason instead of failing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { inCi } from './ci.js';
import { REPO_ROOT } from './project.js';

const SUPPORT = join(REPO_ROOT, 'dist', 'test', 'support');

/** What a fresh node process with this CI value prints for a missing browser and a missing promtool. */
function skipReasons(ci: string | undefined): { browser: string; promtool: string } {
  const script =
    `const { browserSkipReason } = await import(${JSON.stringify(pathToFileURL(join(SUPPORT, 'browser.js')).href)});\n` +
    `const { promtoolMissing } = await import(${JSON.stringify(pathToFileURL(join(SUPPORT, 'promCheck.js')).href)});\n` +
    `let promtool; try { promtool = String(promtoolMissing()); } catch (error) { promtool = 'throws: ' + error.message; }\n` +
    `process.stdout.write(JSON.stringify({ browser: String(browserSkipReason()), promtool }));\n`;
  const { CI: _ci, NODE_TEST_CONTEXT: _inside, ...env } = process.env;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    // No browser at that path, and no promtool on an empty PATH.
    env: { ...env, ...(ci === undefined ? {} : { CI: ci }), ALERTCRON_TEST_CHROMIUM: '/nonexistent/chromium', PATH: '' },
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { browser: string; promtool: string };
}

test('CI unset, empty, false or 0 is not CI: a missing browser and a missing promtool skip with their reason', () => {
  for (const ci of [undefined, '', 'false', 'FALSE', '0']) {
    const { browser, promtool } = skipReasons(ci);
    assert.match(browser, /^no browser at \/nonexistent\/chromium/, `CI=${ci}`);
    assert.match(promtool, /^promtool is not installed .*docs\/development\.md.*skipped outside CI$/, `CI=${ci}`);
    assert.doesNotMatch(promtool, /apt-get install prometheus/, 'installing the package starts a server; .ci/run takes the binary alone');
  }
});

test('CI=true (or any other value) is CI: a missing browser does not skip and a missing promtool fails', () => {
  for (const ci of ['true', '1', 'yes']) {
    const { browser, promtool } = skipReasons(ci);
    assert.equal(browser, 'undefined', `CI=${ci}`);
    assert.match(promtool, /^throws: promtool is not installed/, `CI=${ci}`);
  }
  assert.equal(inCi({ CI: ' False ' }), false);
  assert.equal(inCi({ CI: 'true' }), true);
});
