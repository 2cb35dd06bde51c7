// A cold start reads alert files the fast way: those yaml.stringify writes (the bench's) never load the careful YAML
// parser. The parse cache is written when something changed, not by every run: a run that serves every alert from its
// checked, completed form leaves the cache file as it was (same file, same bytes), and a cache holding an alert file's
// parsed YAML beside its completed form (as an older alertcron wrote it) is still read, and shed of that once.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { cacheContentText, parseCacheContent } from '../../src/config/parseCache.js';
import { writeAlertcronAlerts } from '../bench/alerts.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** The one parse cache file of a project: its path, identity (inode, mtime) and parsed content. */
function parseCache(dir: string) {
  const folder = join(dir, '.cache', 'alertcron');
  const [name, ...others] = readdirSync(folder).filter((f) => f.endsWith('.json'));
  assert.ok(name && !others.length, 'one parse cache file');
  const file = join(folder, name);
  const stat = statSync(file);
  return { file, identity: `${stat.ino}:${stat.mtimeMs}:${stat.size}`, data: parseCacheContent(readFileSync(file, 'utf8')) };
}

test("a cold validate of alert files as yaml.stringify writes them (the bench's) reads every one line by line: no YAML library is loaded", async () => {
  const project = world.project();
  writeAlertcronAlerts(project, 30);
  // The bundle's chunks a fresh command loads each get a code cache named by command and chunk: js-yaml's for the fast
  // reading, yaml's for a careful one; the line-by-line reading (src/config/simpleYaml.ts) needs neither.
  const cold = await project.run(['validate']);
  assert.equal(cold.code, 0, cold.stderr.slice(-2000));
  assert.match(cold.stdout, /^OK: 30 alert\(s\) valid/m);
  const caches = readdirSync(join(project.dir, '.cache', 'alertcron', 'code'));
  assert.ok(caches.some((name) => name.startsWith('validate-cli-')), `${caches}`);
  assert.ok(!caches.some((name) => name.startsWith('validate-vendor-js-yaml-')), `js-yaml was not loaded: ${caches}`);
  assert.ok(!caches.some((name) => name.startsWith('validate-vendor-yaml-')), `the careful reader was not loaded: ${caches}`);
  // A problem still gets its line and column from the careful reading.
  project.writeAlert('broken', 'index: x\nnotify: [soc-email]\ncondition:\n  type: count\n  gte: 1\n  tresh: 2\nmessage: "a long message folded\n  over two lines"\n');
  const broken = await project.run(['validate']);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /^alerts\/broken\.yaml:6:3 \/condition\/tresh: unknown key "tresh"/m);
});

test('a warm run leaves the parse cache file untouched; an older cache with parsed alert files is read and shed of them once', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('parse-cache');
  const project = world.project();
  // As yaml.stringify writes them: a long message folded over two lines, a query in its own file.
  project.writeAlert('burst', {
    index,
    condition: { type: 'count', gte: 1 },
    group_by: 'winlog.event_data.TargetUserName',
    notify: ['soc-email'],
    title: 'Failed logon burst: {{key}}',
    message: `{{count}} failed logons for {{key}} between {{from}} and {{to}}, last from {{source.ip}} on the host ${'x'.repeat(20)}`,
  });
  project.writeQuery('admins.json', { query: { term: { 'winlog.event_data.TargetUserName': 'root' } } });
  project.writeAlert('admins', { index, query: 'admins.json', condition: { type: 'any' }, notify: ['soc-email'], title: 'Admin logon' });
  assert.match(readFileSync(join(project.dir, 'alerts', 'burst.yaml'), 'utf8'), /^message: "[^\n]*\n {2}\S/m, 'the message is folded');
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);

  const cold = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(cold.code, 0, cold.stderr);
  assert.equal(world.smtp.messages.length, 2, 'both alerts notified');
  const written = parseCache(project.dir);
  assert.deepEqual(Object.keys(written.data.alerts).sort(), ['admins.yaml', 'burst.yaml'].map((f) => join(project.dir, 'alerts', f)));

  for (const minute of [1, 2]) {
    const warm = await project.run(['run'], { ALERTCRON_NOW: iso(T + minute * MIN) });
    assert.equal(warm.code, 0, warm.stderr);
    assert.equal(parseCache(project.dir).identity, written.identity, `warm run ${minute} left the cache file as it was`);
  }
  assert.equal((await project.run(['validate'])).code, 0);
  assert.equal(parseCache(project.dir).identity, written.identity, 'a warm validate left it too');

  // A cache that kept an alert file's parsed YAML as well (as an older alertcron did): still read, then rewritten once without it.
  const alertFile = join(project.dir, 'alerts', 'burst.yaml');
  const stat = statSync(alertFile);
  const older = { ...written.data, files: { ...written.data.files, [alertFile]: { m: stat.mtimeMs, c: stat.ctimeMs, s: stat.size, v: parse(readFileSync(alertFile, 'utf8')) } } };
  writeFileSync(written.file, cacheContentText(older));
  const migrating = await project.run(['run'], { ALERTCRON_NOW: iso(T + 3 * MIN) });
  assert.equal(migrating.code, 0, migrating.stderr);
  const migrated = parseCache(project.dir);
  assert.deepEqual(migrated.data, written.data, 'the parsed alert file is forgotten, the completed alerts kept');
  assert.equal((await project.run(['run'], { ALERTCRON_NOW: iso(T + 4 * MIN) })).code, 0);
  assert.equal(parseCache(project.dir).identity, migrated.identity, 'and the next run leaves it as it is');

  // An edit is still seen: the alert is checked and completed anew, and the cache written once.
  writeFileSync(alertFile, readFileSync(alertFile, 'utf8').replace('Failed logon burst', 'Logon burst'));
  const edited = await project.run(['run', '--dry-run'], { ALERTCRON_NOW: iso(T + 5 * MIN) });
  assert.equal(edited.code, 0, edited.stderr);
  assert.notEqual(parseCache(project.dir).identity, migrated.identity);
  assert.match(JSON.stringify(parseCache(project.dir).data.alerts[alertFile]), /"title":"Logon burst: \{\{key\}\}"/);
});
