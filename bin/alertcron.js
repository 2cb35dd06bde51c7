#!/usr/bin/env node
// Entry point. The CLI is compiled from src/ into dist/src and bundled by esbuild into one CommonJS file,
// dist/bundle/cli.cjs (`npm run build`, or `npm pack`). Node 20 compiles every ES module anew on each start;
// this file compiles the bundle through node:vm with a V8 code cache instead, kept per command and build in the
// user's cache folder (the parse cache's, see src/config/parseCache.ts; ALERTCRON_CACHE=off disables both).
// The cache holds compiled code and the literals of the bundle's source, nothing a run read or computed.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url));
let source;
let stat;
try {
  source = readFileSync(bundle, 'utf8');
  stat = statSync(bundle);
} catch (error) {
  if (error?.code !== 'ENOENT') throw error;
  console.error('alertcron: dist/ is missing: in a git checkout, run npm run build first (an installed package has it)');
  process.exit(1);
}

// One cache per command (each compiles what it runs) and build (V8 checks its own version and the source's
// length, not its content: the file's size, time and inode name the build).
const command = /^[a-z][a-z-]{0,30}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
const cacheDir = codeCacheDir(process.env);
const build = `${stat.size}-${Math.trunc(stat.mtimeMs)}-${stat.ino}-${process.version}`;
const cacheFile = cacheDir && join(cacheDir, `${command}-${build}.bin`);
let cachedData;
try {
  if (cacheFile) cachedData = readFileSync(cacheFile);
} catch {
  /* no cache yet */
}
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
const cli = { exports: {} };
script.runInThisContext().call(cli.exports, cli.exports, createRequire(bundle), cli, bundle, dirname(bundle));

const code = await cli.exports.main(process.argv);
// After the command ran, the cache also holds the functions it compiled on the way.
if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) saveCodeCache(cacheDir, cacheFile, script.createCachedData());

// Exit with the run's code as soon as stdout and stderr are written out: a delivery cut off by the deadline must
// not keep the process alive, and a slow reader of --json must still get the whole report.
await cli.exports.exitWhenFlushed(code);

/** The folder of the code caches, or undefined when caching is off or no cache folder is known. */
function codeCacheDir(env) {
  if (env.ALERTCRON_CACHE === 'off') return undefined;
  const home = env.HOME || homedir();
  const base = env.XDG_CACHE_HOME || (home && join(home, '.cache'));
  return base ? join(base, 'alertcron', 'code') : undefined;
}

/** Writes a code cache atomically and removes this command's caches of other builds; a failure only costs time. */
function saveCodeCache(dir, file, data) {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, data, { mode: 0o600 });
    renameSync(temp, file);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(`${command}-`) && name.endsWith('.bin') && join(dir, name) !== file) rmSync(join(dir, name), { force: true });
    }
  } catch {
    /* a cache that cannot be written only costs time */
  }
}
