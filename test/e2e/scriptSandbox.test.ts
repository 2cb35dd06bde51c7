import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** Scripts that misbehave in every way issue 10 found, and one that works. */
const SCRIPTS: Record<string, string> = {
  'loops.mjs': 'export function match() {\n  while (true) {}\n}\n',
  'never-settles.mjs': 'export const match = () => new Promise(() => {});\n',
  'awaits-forever.mjs': 'await new Promise(() => {});\nexport const match = () => true;\n',
  'exits.mjs': 'export function match() {\n  process.exit(0);\n}\n',
  'throws.mjs': '// a comment line\nexport function match() {\n  throw new Error("no field user in the response");\n}\n',
  'escapes.mjs': 'export function match() {\n  setTimeout(() => { throw new TypeError("late failure"); }, 0);\n  return new Promise(() => {});\n}\n',
  'works.mjs': 'export const match = ({ total }) => [total > 0, `${total} logons`];\n',
};

test('a script that loops, never settles, awaits forever, exits or throws fails only its own alert, by name; the others are delivered', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-sandbox');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  for (const [file, code] of Object.entries(SCRIPTS)) {
    writeFileSync(join(project.dir, 'alerts', file), code);
    const name = file.replace('.mjs', '');
    // A short limit for the scripts that never end; the default (5s) for the others.
    const timeout = /loops|never|forever/.test(name) ? { timeout: '1s' } : {};
    project.writeAlert(name, { index, condition: { type: 'script', module: file, ...timeout }, notify: ['soc-email'], title: `${name} fired` });
  }
  project.writeAlert('plain', { index, condition: { type: 'any' }, notify: ['soc-slack'], title: 'plain fired' });

  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });

  assert.equal(result.code, 3, `one exit code for alerts that failed: ${result.stderr}`);
  const lines = result.stderr.trim().split('\n').sort();
  assert.deepEqual(lines, [
    'alert awaits-forever: alerts/awaits-forever.mjs: match() did not return within 1s (an endless loop, a promise that never settles or a top-level await that never ends?): stopped it; raise condition.timeout if it needs longer',
    'alert escapes: alerts/escapes.mjs:2:28: an error escaped match(): TypeError: late failure',
    'alert exits: alerts/exits.mjs: the script called process.exit(0): a match function returns its result instead',
    'alert loops: alerts/loops.mjs: match() did not return within 1s (an endless loop, a promise that never settles or a top-level await that never ends?): stopped it; raise condition.timeout if it needs longer',
    'alert never-settles: alerts/never-settles.mjs: match() did not return within 1s (an endless loop, a promise that never settles or a top-level await that never ends?): stopped it; raise condition.timeout if it needs longer',
    'alert throws: alerts/throws.mjs:3:9: no field user in the response',
  ]);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['works fired'], 'the working script alert was delivered');
  assert.deepEqual((world.slack.accepted() as { text: string }[]).map((p) => p.text), ['plain fired'], 'the plain alert was delivered');
  assert.ok(!existsSync(join(project.dir, 'state', 'state.json.lock')), 'the lock is released');
  const state = project.state();
  assert.match(state.alerts.exits.lastError, /process\.exit\(0\)/);
  assert.equal(state.alerts.exits.window, undefined, 'a failed script does not move its window: the events are looked at again next run');
  assert.deepEqual(state.alerts.works.window, { from: T - 10 * MIN, to: T });
});

test('validate loads every script and reports syntax errors, a missing match export and a load that never ends, with file and line', { timeout: 60_000 }, async () => {
  const project = world.project();
  const scripts: Record<string, string> = {
    'syntax.mjs': 'export function match() {\n  return 1 +;\n}\n',
    'common.js': 'exports.match = () => {\n  return [true,;\n};\n',
    'no-match.mjs': 'export const matches = () => true;\n',
    'hangs.mjs': 'await new Promise(() => {});\nexport const match = () => true;\n',
    'fine.mjs': 'export const match = () => false;\n',
  };
  for (const [file, code] of Object.entries(scripts)) {
    writeFileSync(join(project.dir, 'alerts', file), code);
    const timeout = file === 'hangs.mjs' ? { timeout: '1s' } : {};
    project.writeAlert(file.replace(/\.m?js$/, ''), { index: 'x', condition: { type: 'script', module: file, ...timeout }, notify: ['soc-email'] });
  }
  const result = await project.run(['validate']);
  assert.equal(result.code, 2);
  assert.deepEqual(result.stderr.trim().split('\n'), [
    "alerts/common.js:2:16: SyntaxError: Unexpected token ';'",
    'alerts/hangs.mjs: did not finish loading within 1s (a top-level await that never ends?): stopped it; raise condition.timeout if it needs longer',
    'alerts/no-match.mjs: must export a function named match (or a default export); it exports: matches',
    "alerts/syntax.mjs:2:13: SyntaxError: Unexpected token ';'",
    '4 problem(s) in 4 file(s); 1 alert(s) valid, 0 disabled, 2 channel(s)',
  ]);
});

test('a script gets every hit its query asks for, in the query\'s own order', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-script-size');
  const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
  await indexDocs(world.esUrl, index, users.map((user, i) => logonEvent(T - 5 * MIN + i * 1000, user)));
  const project = world.project();
  writeFileSync(join(project.dir, 'alerts', 'all.mjs'), 'export const match = ({ hits }) => [true, hits.map((h) => h.winlog.event_data.TargetUserName).join(",")];\n');
  project.writeAlert('all', {
    index,
    query: { size: 500, sort: [{ '@timestamp': 'asc' }], query: { match_all: {} } },
    condition: { type: 'script', module: 'all.mjs' },
    notify: ['soc-email'],
    title: 'all',
  });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(world.smtp.messages.length, 1);
  assert.match(world.smtp.messages[0]!.raw, /^u1,u2,u3,u4,u5\r?$/m, 'all five hits, oldest first as the query sorts them (samples: 3 does not cut them)');
});
