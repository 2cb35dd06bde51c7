// The start-up bundle as the build wrote it (src/buildBundle.ts): every module in exactly one chunk, so no module's
// state (the loaded validators, the Sigma compiler, the declared files of writeRefused ...) exists twice in a
// process; the packages loaded on demand only in their own chunk; each chunk's code cache named by its true hash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/project.js';

const BUNDLE = join(REPO_ROOT, 'dist', 'bundle');
const build = JSON.parse(readFileSync(join(BUNDLE, 'build.json'), 'utf8')) as { files: Record<string, string>; vendored: string[] };
const meta = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'bundle.meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };

test('every module of the bundle is in exactly one chunk, and the packages loaded on demand only in their own', () => {
  const chunksOf = new Map<string, string[]>();
  for (const [output, { inputs }] of Object.entries(meta.outputs)) for (const input of Object.keys(inputs)) chunksOf.set(input, [...(chunksOf.get(input) ?? []), output]);
  const modules = [...chunksOf.keys()];
  for (const stateful of ['config/schemaCheck.js', 'sigma/lazyCompiler.js', 'util/writeRefused.js', 'util/loadPackage.js']) assert.ok(modules.some((m) => m.endsWith(`dist/src/${stateful}`)), `${stateful} is in the bundle`);
  assert.deepEqual(modules.filter((m) => chunksOf.get(m)!.length !== 1).map((m) => `${m}: ${chunksOf.get(m)}`), []);
  assert.deepEqual(modules.filter((m) => build.vendored.some((name) => m.includes(`node_modules/${name}/`))), [], 'yaml, nodemailer ... come from vendor-*.cjs only');
  for (const name of build.vendored) assert.ok(build.files[`vendor-${name}.cjs`], `${name} has its chunk`);
});

test('each chunk requires only chunks of the build, and build.json holds the hash of each one as written', () => {
  for (const [file, hash] of Object.entries(build.files)) {
    const text = readFileSync(join(BUNDLE, file), 'utf8');
    assert.equal(hash, createHash('sha256').update(text).digest('hex').slice(0, 32), `the hash of ${file}`);
    for (const [, required] of text.matchAll(/\brequire\("\.\/([^"]+)"\)/g)) assert.ok(build.files[required!], `${file} requires ${required}, a chunk of this build`);
  }
  assert.ok(build.files['cli.cjs']);
});
