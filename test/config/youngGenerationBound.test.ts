// loadProject keeps V8's young generation small only for a project of KEEP_YOUNG_FROM_ALERTS to
// KEEP_YOUNG_UP_TO_ALERTS alerts, as its parse cache file tells before it is read (its size / CACHE_BYTES_PER_ALERT):
// a project whose cache holds that many alerts' worth (here the cache a larger version of the project left, each
// alert as large as the bench's) keeps the new space at its size; a small project (the flag would cost it more than
// it saves) and one whose cache holds more let it grow as V8 would. Each load runs in a node of its own (the flag is
// the whole process's).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CACHE_BYTES_PER_ALERT } from '../../src/config/parseCache.js';
import { KEEP_YOUNG_FROM_ALERTS, KEEP_YOUNG_UP_TO_ALERTS } from '../../src/util/youngGeneration.js';
import { createProject, type Project } from '../support/project.js';

const LOAD_PROJECT = fileURLToPath(new URL('../../src/config/loadProject.js', import.meta.url));

/** Loads the project in a fresh node, then makes 40 MB of objects that stay alive: the new space's size before and after. */
function loadAndGrow(project: Project): { before: number; after: number; alerts: number } {
  const script = `
    const { getHeapSpaceStatistics } = await import('node:v8');
    const { loadProject } = await import(${JSON.stringify(LOAD_PROJECT)});
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const before = size();
    const { loaded } = await loadProject(${JSON.stringify(join(project.dir, 'alertcron.yaml'))}, ${JSON.stringify({ ...project.env, XDG_CACHE_HOME: join(project.dir, '.cache') })}, { offline: true });
    const kept = [];
    for (let i = 0; i < 400000; i++) kept.push({ name: 'alert-' + i, notify: ['soc-' + (i % 7)], every: i });
    console.log(JSON.stringify({ before, after: size(), alerts: loaded.alerts.length, made: kept.length }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { before: number; after: number; alerts: number };
}

/** The project's parse cache file (one). */
function cacheFile(project: Project): string {
  const dir = join(project.dir, '.cache', 'alertcron');
  const [file] = readdirSync(dir).filter((f) => f.endsWith('.json'));
  return join(dir, file!);
}

function smallProject(): Project {
  const project = createProject({ esUrl: 'http://127.0.0.1:9' });
  for (const name of ['admins', 'logins', 'sudo']) project.writeAlert(name, { index: 'logs', condition: { type: 'count', gte: 1 }, notify: ['soc-slack'], title: name });
  return project;
}

/** Pads the project's cache as a larger version of it left it: the same alert under more names, to `alerts` alerts' worth. */
function padCache(project: Project, alerts: number): void {
  const file = cacheFile(project);
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('["a",'))!;
  const lines: string[] = [];
  const need = alerts * CACHE_BYTES_PER_ALERT - statSync(file).size;
  for (let i = 0, bytes = 0; bytes < need; i++) {
    const next = `${line.replace(/^\["a","[^"]*"/, JSON.stringify(['a', join(project.dir, 'alerts', `old-${i}.yaml`)]).slice(0, -1))}\n`;
    lines.push(next);
    bytes += Buffer.byteLength(next);
  }
  appendFileSync(file, lines.join(''));
}

test(`a warm run of a small project (under ${KEEP_YOUNG_FROM_ALERTS} alerts) leaves the young generation to V8: the new space grows`, (t) => {
  const project = smallProject();
  t.after(() => project.cleanup());
  assert.equal(loadAndGrow(project).alerts, 3, 'the first run writes the cache');
  const { before, after, alerts } = loadAndGrow(project);
  assert.equal(alerts, 3);
  assert.ok(after >= 8 * before, `new space ${before} -> ${after}`);
});

test('a project whose cache holds 10,000 alerts\' worth keeps the new space within twice its size while many long-lived objects are made', (t) => {
  const project = smallProject();
  t.after(() => project.cleanup());
  loadAndGrow(project);
  padCache(project, 10_000);
  const { before, after, alerts } = loadAndGrow(project);
  assert.equal(alerts, 3, 'the alerts no longer there are forgotten');
  assert.ok(after <= 2 * before, `new space ${before} -> ${after}`);
});

test(`a project whose cache holds more than ${KEEP_YOUNG_UP_TO_ALERTS} alerts' worth lets the new space grow as V8 would`, (t) => {
  const project = smallProject();
  t.after(() => project.cleanup());
  loadAndGrow(project);
  padCache(project, KEEP_YOUNG_UP_TO_ALERTS + 1);
  const { before, after, alerts } = loadAndGrow(project);
  assert.equal(alerts, 3, 'the alerts no longer there are forgotten');
  assert.ok(after >= 8 * before, `new space ${before} -> ${after}`);
});
