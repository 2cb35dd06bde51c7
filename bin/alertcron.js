#!/usr/bin/env node
// Entry point. The CLI is compiled from src/ into dist/src and bundled by esbuild into one CommonJS file,
// dist/bundle/cli.cjs (`npm run build`, or `npm pack`). Node 20 compiles every ES module anew on each start;
// this file compiles the bundle through node:vm with a V8 code cache instead, kept per command and build in the
// user's cache folder (the parse cache's, see src/config/parseCache.ts; ALERTCRON_CACHE=off disables both).
// The cache holds compiled code and the literals of the bundle's source, nothing a run read or computed.
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url));
let source;
try {
  source = readFileSync(bundle, 'utf8');
} catch (error) {
  if (error?.code !== 'ENOENT') throw error;
  console.error('alertcron: dist/ is missing: in a git checkout, run npm run build first (an installed package has it)');
  process.exit(1);
}

// One cache per command (each compiles what it runs) and build: V8 checks its own version and the source's
// length, not its content, so the name carries a hash of the source, and the file a checksum of the code.
const COMMANDS = new Set(['init', 'run', 'validate', 'test', 'import', 'list', 'silence', 'ack', 'hive', 'maxpatrol', 'state', 'status', 'help']);
const command = COMMANDS.has(process.argv[2]) ? process.argv[2] : 'other';
const cacheDir = ownCacheDir(process.env);
const cacheFile = cacheDir && join(cacheDir, `${command}-${sha256(source).toString('hex').slice(0, 32)}-${process.version}.bin`);
const cachedData = cacheFile ? readCodeCache(cacheFile) : undefined;
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
const cli = { exports: {} };
script.runInThisContext().call(cli.exports, cli.exports, createRequire(bundle), cli, bundle, dirname(bundle));

const code = await cli.exports.main(process.argv);
// After the command ran, the cache also holds the functions it compiled on the way.
if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) saveCodeCache(cacheDir, cacheFile, script);

// Exit with the run's code as soon as stdout and stderr are written out: a delivery cut off by the deadline must
// not keep the process alive, and a slow reader of --json must still get the whole report.
await cli.exports.exitWhenFlushed(code);

function sha256(data) {
  return createHash('sha256').update(data).digest();
}

/**
 * The folder of the code caches, made if need be; undefined when caching is off, no cache folder is known, or
 * the folder is not a directory of this user that only this user may write (its files are code that is run).
 */
function ownCacheDir(env) {
  if (env.ALERTCRON_CACHE === 'off') return undefined;
  const home = env.HOME || homedir();
  const base = env.XDG_CACHE_HOME || (home && join(home, '.cache'));
  if (!base) return undefined;
  const dir = join(base, 'alertcron', 'code');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    const mine = typeof process.getuid !== 'function' || stat.uid === process.getuid();
    return stat.isDirectory() && mine && (stat.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The code of a cache file whose checksum matches, or undefined (none yet, or damaged). */
function readCodeCache(file) {
  try {
    const data = readFileSync(file);
    const code = data.subarray(32);
    return code.length > 0 && sha256(code).equals(data.subarray(0, 32)) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a code cache atomically and removes this command's caches of other builds; a failure only costs time. */
function saveCodeCache(dir, file, compiled) {
  try {
    accessSync(dir, constants.W_OK);
    const code = compiled.createCachedData();
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temp, Buffer.concat([sha256(code), code]), { mode: 0o600, flag: 'wx' });
    renameSync(temp, file);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      // Older builds' caches of this command, and temporary files a killed run left (older than a minute).
      const stale = (name.startsWith(`${command}-`) && name.endsWith('.bin') && path !== file) || (name.endsWith('.tmp') && Date.now() - statSync(path).mtimeMs > 60_000);
      if (stale) rmSync(path, { force: true });
    }
  } catch {
    /* a cache that cannot be written only costs time */
  }
}
