// The start-up bundle as the build wrote it (src/buildBundle.ts): every module in exactly one chunk, so no module's
// state (the loaded validators, the Sigma compiler, the declared files of writeRefused ...) exists twice in a
// process; the packages loaded on demand only in their own chunk; each chunk's code cache named by its true hash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { lazyBuiltins } from '../../src/buildBundle.js';
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
    // An import() of a computed name would have become a require() of it, which CommonJS cannot do for an ES module.
    assert.deepEqual([...text.matchAll(/__toESM\(require\((?!"[^"]+"\))[^)]*\)/g)].map((m) => m[0]), [], `${file}: every import() names its module`);
  }
  assert.ok(build.files['cli.cjs']);
});

test('lazyBuiltins: a chunk loads crypto, https ... only when it first uses one of their members, and then the real one', () => {
  const chunk = ['var import_node_crypto = require("node:crypto");', 'var import_node_path = require("node:path");', 'exports.hash = (text) => (0, import_node_crypto.createHash)("sha256").update(text).digest("hex");', 'exports.uuid = () => import_node_crypto.randomUUID();', 'exports.join = import_node_path.join;'].join('\n');
  const lazy = lazyBuiltins(chunk);
  assert.ok(lazy.includes('var import_node_path = require("node:path");'), 'a module not named lazy is left as it is');
  const required: string[] = [];
  const exports: Record<string, (text?: string) => string> = {};
  new Function('require', 'exports', lazy)((id: string) => (required.push(id), createRequire(import.meta.url)(id)), exports);
  assert.deepEqual(required, ['node:path'], 'crypto is not loaded by the chunk itself');
  assert.equal(exports.hash!('x'), createHash('sha256').update('x').digest('hex'));
  assert.match(exports.uuid!(), /^[0-9a-f-]{36}$/);
  assert.deepEqual(required, ['node:path', 'node:crypto'], 'required once, on first use');
  // A bundled npm package's require of one (commander's child_process) is made lazy the same way, with its own require.
  const packaged = ['var require_command = __commonJS({', '  "node_modules/commander/lib/command.js"(exports) {', '    var childProcess = (0, import_chunk_X.__require)("node:child_process");', '    exports.spawn = (...args) => childProcess.spawn(...args);', '  }', '});'].join('\n');
  const lazyPackage = lazyBuiltins(packaged);
  assert.ok(!lazyPackage.includes('var childProcess = (0, import_chunk_X.__require)("node:child_process");'), lazyPackage);
  const packageRequired: string[] = [];
  const command: { spawn?: (...args: unknown[]) => unknown } = {};
  new Function('__commonJS', 'import_chunk_X', lazyPackage + '\nrequire_command();')((module: Record<string, (exports: unknown) => void>) => () => Object.values(module)[0]!(command), { __require: (id: string) => (packageRequired.push(id), createRequire(import.meta.url)(id)) });
  assert.deepEqual(packageRequired, [], 'child_process is not loaded when the package is');
  assert.equal(typeof command.spawn, 'function');
  const child = command.spawn!(process.execPath, ['-e', '0'], { stdio: 'ignore' }) as { pid?: number; kill(): void };
  assert.ok(child.pid, 'the real spawn ran');
  child.kill();
  assert.deepEqual(packageRequired, ['node:child_process']);
  // An import used as a whole (passed on, spread ...) cannot be lazy: it stays a require at the top.
  const whole = 'var import_node_https = require("node:https");\nexports.agent = new import_node_https.Agent();\nexports.all = { ...import_node_https };';
  assert.equal(lazyBuiltins(whole), whole);
});
