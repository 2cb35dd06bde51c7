// A parse cache a run cannot trust (a damaged entry that still matches its alert file, an older format) is not used:
// every alert still runs from its file, and the cache is written anew in the current format.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCacheContent } from '../../src/config/parseCache.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** The path of a project's one parse cache file. */
function cacheFile(dir: string): string {
  const folder = join(dir, '.cache', 'alertcron');
  const [name] = readdirSync(folder).filter((f) => f.endsWith('.json'));
  assert.ok(name, 'a parse cache file');
  return join(folder, name);
}

/** A project with two alerts that each notify once a minute (a new user each minute), run once cold (the cache written). */
async function twoAlerts(label: string) {
  const T = uniqueBaseTime();
  const index = await world.index(label);
  const project = world.project();
  for (const name of ['first', 'second']) {
    project.writeAlert(name, { index, condition: { type: 'count', gte: 1 }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: `${name}: {{key}}` });
  }
  for (const minute of [0, 1, 2]) await indexDocs(world.esUrl, index, [logonEvent(T + minute * MIN - 30_000, `user${minute}`)]);
  const cold = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(cold.code, 0, cold.stderr);
  assert.equal(world.smtp.messages.length, 2, 'both alerts notified');
  return { project, T };
}

test('a cache entry with its alert file\'s signature but damaged dependencies or alert is not used: every alert still runs', async () => {
  const { project, T } = await twoAlerts('parse-cache-damaged');
  const file = cacheFile(project.dir);
  for (const [minute, damage] of [
    [1, (line: unknown[]) => [...line.slice(0, 6), 42]],
    [2, (line: unknown[]) => [...line.slice(0, 5), 42]],
  ] as const) {
    const [head, ...lines] = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const damaged = lines.map((text) => {
      const line = JSON.parse(text) as unknown[];
      return JSON.stringify(line[0] === 'a' && String(line[1]).endsWith('first.yaml') ? damage(line) : line);
    });
    assert.notDeepEqual(damaged, lines, 'one entry damaged');
    writeFileSync(file, `${[head, ...damaged].join('\n')}\n`);
    const before = world.smtp.messages.length;
    const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + minute * MIN) });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(world.smtp.messages.length, before + 2, `minute ${minute}: both alerts notified\n${run.stderr}`);
  }
});

test('a format-2 parse cache (one JSON object) is no cache: every alert runs from its file, and the cache is written in format 3', async () => {
  const { project, T } = await twoAlerts('parse-cache-format-2');
  const file = cacheFile(project.dir);
  writeFileSync(file, JSON.stringify({ format: 2, files: {}, alerts: { [join(project.dir, 'alerts', 'first.yaml')]: { m: 1, c: 2, s: 3, d: [], a: {} } } }));
  const run = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(world.smtp.messages.length, 4, 'both alerts notified again');
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\{"format":3,"basis":/, 'written anew in format 3');
  assert.deepEqual(Object.keys(parseCacheContent(text).alerts).sort(), ['first', 'second'].map((name) => join(project.dir, 'alerts', `${name}.yaml`)));
});
