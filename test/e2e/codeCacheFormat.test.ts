// The code cache's file names carry its format (.crc.bin): an older bin (SHA-256 before the code, untagged .bin) and
// this one sharing ~/.cache/alertcron/code each keep their own files, instead of rejecting and rewriting each other's
// on every start; a start that writes a cache removes its command's caches of other builds, not the older format's of
// its own build.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { useWorld } from '../support/world.js';

const world = useWorld();

test('code caches of the older format beside this bin\'s: neither is rejected or rewritten; other builds\' are removed', async () => {
  const index = await world.index('code-format');
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'count', gte: 1 }, notify: ['soc-email'], title: 'Admin' });
  assert.equal((await project.run(['validate'])).code, 0);
  const codeDir = join(project.dir, '.cache', 'alertcron', 'code');
  const own = readdirSync(codeDir);
  assert.ok(own.some((name) => name.startsWith('validate-cli-')), `${own}`);

  // What the older bin keeps for this same build and node version: the code after its SHA-256, named without a tag.
  const older = new Map<string, Buffer>();
  for (const name of own) {
    const code = readFileSync(join(codeDir, name)).subarray(4);
    older.set(name.replace(/(\.crc)?\.bin$/, '.bin'), Buffer.concat([createHash('sha256').update(code).digest(), code]));
  }
  for (const [name, data] of older) writeFileSync(join(codeDir, name), data);
  const mtimes = new Map(own.map((name) => [name, statSync(join(codeDir, name)).mtimeMs]));

  assert.equal((await project.run(['validate'])).code, 0);
  for (const [name, data] of older) assert.ok(readFileSync(join(codeDir, name)).equals(data), `the older bin's ${name} is left as it was`);
  for (const [name, mtime] of mtimes) assert.equal(statSync(join(codeDir, name)).mtimeMs, mtime, `this bin's ${name} is used, not written again`);

  // Caches of another build (either format) or node version are removed by the next start that writes one.
  const cli = own.find((name) => name.startsWith('validate-cli-'))!;
  const otherBuild = cli.replace(/-[0-9a-f]{32}-/, `-${'0'.repeat(32)}-`);
  const stale = [otherBuild, otherBuild.replace(/\.crc\.bin$/, '.bin'), cli.replace(/-v[\d.]+\.crc\.bin$/, '-v0.0.0.crc.bin')];
  const otherCommand = otherBuild.replace(/^validate-/, 'list-');
  for (const name of [...stale, otherCommand]) writeFileSync(join(codeDir, name), 'another build\'s cache');
  rmSync(join(codeDir, cli));
  assert.equal((await project.run(['validate'])).code, 0);
  const after = readdirSync(codeDir);
  for (const name of stale) assert.ok(!after.includes(name), `${name} is removed`);
  assert.ok(after.includes(cli), 'the missing cache is written again');
  assert.ok(after.includes(otherCommand), 'another command\'s caches are its own to remove');
  for (const [name, data] of older) assert.ok(after.includes(name) && readFileSync(join(codeDir, name)).equals(data), `the older bin's ${name} of this build is kept`);
});
