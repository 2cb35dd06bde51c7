// What the parse cache serves, as `alertcron validate` and `list` meet it: a warm command over unchanged files is
// served every alert from the cache (the cache file left as it was) with the cold command's results, a line far longer
// than one decode block among short ones included; a changed query file (a new mtime, or new content of the same size)
// makes its alert read and checked again, its new content used.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DECODE_BYTES, parseCacheContent } from '../../src/config/parseCache.js';
import { createProject, type Project } from '../support/project.js';

/** The project's one parse cache file: its identity (inode, mtime, size) and parsed content. */
function parseCache(project: Project) {
  const folder = join(project.dir, '.cache', 'alertcron');
  const [name, ...others] = readdirSync(folder).filter((f) => f.endsWith('.json'));
  assert.ok(name && !others.length, 'one parse cache file');
  const file = join(folder, name);
  const stat = statSync(file);
  return { identity: `${stat.ino}:${stat.mtimeMs}:${stat.size}`, data: parseCacheContent(readFileSync(file, 'utf8')) };
}

/** `validate` and `list --json` of the project: both must succeed. */
async function validateAndList(project: Project): Promise<{ validate: string; list: string }> {
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stderr);
  const list = await project.run(['list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  return { validate: validate.stdout, list: list.stdout };
}

test('an alert of over 100 KB between two short ones is served from the cache with them: a warm validate and list give the cold results, the cache untouched', async (t) => {
  const project = createProject({ esUrl: 'http://127.0.0.1:9' });
  t.after(() => project.cleanup());
  const long = `A long description ${'é✓x'.repeat(20_000)} end`;
  project.writeAlert('a-short', { index: 'logs', condition: { type: 'count', gte: 1 }, notify: ['soc-slack'], title: 'short one' });
  project.writeAlert('b-long', { index: 'logs', description: long, condition: { type: 'count', gte: 2 }, notify: ['soc-slack'], title: 'long one' });
  project.writeAlert('c-short', { index: 'logs', condition: { type: 'any' }, notify: ['soc-slack'], title: 'short two' });
  const cold = await validateAndList(project);
  assert.match(cold.validate, /^OK: 3 alert\(s\) valid/m);
  const written = parseCache(project);
  const paths = ['a-short', 'b-long', 'c-short'].map((name) => join(project.dir, 'alerts', `${name}.yaml`));
  assert.deepEqual(Object.keys(written.data.alerts), paths, 'kept in this order: the long line starts after a shorter one');
  const longLine = JSON.stringify(['a', paths[1], 0, 0, 0, written.data.alerts[paths[1]!]!.a]);
  const longBytes = Buffer.byteLength(longLine);
  assert.ok(longBytes > 2 * DECODE_BYTES && longBytes < 1024 * 1024, `the long alert's line (${longBytes} bytes) is longer than a decode block, in the first 1 MB read`);

  for (const round of [1, 2]) {
    assert.deepEqual(await validateAndList(project), cold, `warm round ${round}: the cold results`);
    assert.equal(parseCache(project).identity, written.identity, `warm round ${round}: every alert served from the cache, nothing rewritten`);
  }
  assert.equal((parseCache(project).data.alerts[paths[1]!]!.a as { description: string }).description, long);
});

test('an alert whose query file is unchanged is served from the cache; a new mtime or new content of the same size makes it read again, the new content used', async (t) => {
  const project = createProject({ esUrl: 'http://127.0.0.1:9' });
  t.after(() => project.cleanup());
  const queryFile = join(project.dir, 'queries', 'admins.json');
  const alertFile = join(project.dir, 'alerts', 'admins.yaml');
  project.writeQuery('admins.json', { query: { term: { 'user.name': 'root' } } });
  project.writeAlert('admins', { index: 'logs', query: 'admins.json', condition: { type: 'any' }, notify: ['soc-slack'], title: 'Admin logon' });
  project.writeAlert('other', { index: 'logs', condition: { type: 'count', gte: 1 }, notify: ['soc-slack'], title: 'Other' });
  const cachedQuery = () => JSON.stringify((parseCache(project).data.alerts[alertFile]!.a as { query: unknown }).query);
  const cold = await validateAndList(project);
  const written = parseCache(project);
  assert.deepEqual(written.data.alerts[alertFile]!.d.map((dep) => dep[0]), [queryFile], 'the query file is kept as a dependency');
  assert.match(cachedQuery(), /"root"/);

  assert.deepEqual(await validateAndList(project), cold);
  assert.equal(parseCache(project).identity, written.identity, 'unchanged query file: served from the cache, nothing rewritten');

  // New content of the same size: the alert is read again and completed with the new query.
  const before = readFileSync(queryFile, 'utf8');
  writeFileSync(queryFile, before.replace('"root"', '"toor"'));
  assert.equal(statSync(queryFile).size, Buffer.byteLength(before), 'the same size');
  assert.deepEqual(await validateAndList(project), cold);
  const rewritten = parseCache(project);
  assert.notEqual(rewritten.identity, written.identity, 'the changed alert was checked again and kept anew');
  assert.match(cachedQuery(), /"toor"/, 'the new content is used');
  assert.deepEqual(await validateAndList(project), cold);
  assert.equal(parseCache(project).identity, rewritten.identity, 'and served from the cache again once kept');

  // The same content with a new mtime: read again too (the cache cannot know the content is the same).
  const later = new Date(statSync(queryFile).mtimeMs + 60_000);
  utimesSync(queryFile, later, later);
  assert.deepEqual(await validateAndList(project), cold);
  const touched = parseCache(project);
  assert.notEqual(touched.identity, rewritten.identity, 'a new mtime: the alert checked again');
  assert.equal(touched.data.alerts[alertFile]!.d[0]![1], statSync(queryFile).mtimeMs, 'kept with the new mtime');
  assert.deepEqual(await validateAndList(project), cold);
  assert.equal(parseCache(project).identity, touched.identity);
});
