// alertcron init: a folder a new user can validate at once, and never a file overwritten.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/project.js';

const base = mkdtempSync(join(tmpdir(), 'alertcron-init-'));
after(() => rmSync(base, { recursive: true, force: true }));
const FILES = ['alertcron.yaml', 'alerts/example-errors.yaml', 'queries/example-errors.json', '.gitignore'];

test('init writes a commented configuration, one example alert and query, a .gitignore for state/, and the next three steps', async () => {
  const result = await runCli(['init', 'alerts-folder'], base);
  assert.equal(result.code, 0, result.stderr);
  const dir = join(base, 'alerts-folder');
  assert.equal(result.stdout.split('\n')[0], `created in ${dir}: ${FILES.join(', ')}`);
  assert.match(result.stdout, /\nNext steps:\n {2}1\. Edit alertcron\.yaml.*\n {2}2\. .*alertcron validate --cluster && alertcron test example-errors --from 1h\n {2}3\. Run it every minute from cron.*\n {7}\* \* \* \* \* cd .*alerts-folder && .*alertcron run\n$/);
  const config = readFileSync(join(dir, 'alertcron.yaml'), 'utf8');
  assert.ok(config.split('\n').filter((line) => /^\s*#/.test(line)).length >= 10, 'the configuration explains itself in comments');
  assert.match(config, /^# yaml-language-server: \$schema=\/.*\/alertcron\.schema\.json$/m);
  assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join(), 'state/');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'queries', 'example-errors.json'), 'utf8')), { query: { term: { 'log.level': 'error' } } });

  const validate = await runCli(['validate'], dir);
  assert.equal(validate.code, 0, validate.stderr);
  assert.equal(validate.stdout, 'OK: 1 alert(s) valid, 0 disabled, 1 channel(s)\n');
});

test('init never overwrites a file: it keeps each one that exists, says so, and writes the others', async () => {
  const dir = join(base, 'existing');
  const first = await runCli(['init', dir], base);
  assert.equal(first.code, 0, first.stderr);
  writeFileSync(join(dir, 'alertcron.yaml'), 'elasticsearch: { url: "http://es.example.org:9200" }\n');
  rmSync(join(dir, 'queries', 'example-errors.json'));
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
  const again = await runCli(['init'], dir);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(again.stdout.split('\n').slice(0, 4), [
    `created in ${dir}: queries/example-errors.json`,
    'kept alertcron.yaml: it was already there and was not changed',
    'kept alerts/example-errors.yaml: it was already there and was not changed',
    'kept .gitignore: it was already there and was not changed (make sure it ignores state/)',
  ]);
  assert.equal(readFileSync(join(dir, 'alertcron.yaml'), 'utf8'), 'elasticsearch: { url: "http://es.example.org:9200" }\n');
  assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'node_modules/\n');
});
