#!/usr/bin/env node
// Entry point. The CLI is compiled from src/ into dist/src and bundled by esbuild into CommonJS chunks in
// dist/bundle/ (`npm run build`, or `npm pack`; see src/buildBundle.ts): cli.cjs and the chunks it requires are what
// every command loads; the schema validators, the Sigma compiler, `import` and the npm packages loaded on demand
// (vendor-*.cjs) are chunks loaded on first use. Node 20 compiles every ES module and package anew on each start;
// this file compiles each chunk through node:vm with a V8 code cache instead, kept per command, chunk and build in
// the user's cache folder (the parse cache's, see src/config/parseCache.ts; ALERTCRON_CACHE=off disables both).
// The cache holds compiled code and the literals of the bundle's source, nothing a run read or computed.
// CommonJS (bin/package.json): node starts a CommonJS entry without its ES module loader, a few ms of every start.
'use strict';
// The caches' checksum is zlib's CRC-32, not node:crypto's SHA-256 (about 8 times fewer instructions over the 0.9 MB
// of a run's caches, and crypto not loaded before it is needed); node:os only when XDG_CACHE_HOME and HOME are unset.
const { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const bundleDir = join(__dirname, '..', 'dist', 'bundle');
/** Each chunk's hash, written by the build (the name of its code cache: no start hashes a file). */
let build;
try {
  build = JSON.parse(readFileSync(join(bundleDir, 'build.json'), 'utf8'));
} catch (error) {
  if (error?.code !== 'ENOENT') throw error;
  console.error('alertcron: dist/ is missing: in a git checkout, run npm run build first (an installed package has it)');
  process.exit(1);
}

// One cache per command (each compiles what it runs), chunk and build: V8 checks its own version and the source's
// length, not its content, so the name carries the chunk's hash, and the file a checksum of the code (CRC-32: it
// finds a damaged file, a disk error or a write cut short; the folder is the user's own, see ownCacheDir).
const COMMANDS = new Set(['init', 'run', 'validate', 'test', 'import', 'list', 'silence', 'ack', 'hive', 'maxpatrol', 'state', 'host', 'channel', 'status', 'help']);
const command = COMMANDS.has(process.argv[2]) ? process.argv[2] : 'other';
const cacheDir = ownCacheDir(process.env);
const nodeRequire = Module.createRequire(join(bundleDir, 'cli.cjs'));
/** The chunks this process loaded: file name -> { module, script, cacheFile, cached }. */
const loaded = new Map();

const cli = loadChunk('cli.cjs');
cli.usePackageLoader((name) => (build.vendored.includes(name) ? loadChunk(`vendor-${name}.cjs`) : undefined));
// A command whose promise never settles (nothing left to wake it) must not look like success to cron: leaving
// before main() returned is an internal error (exit 1), said on stderr, as node's unsettled top-level await was.
let settled = false;
process.on('exit', () => {
  if (settled) return;
  process.exitCode = 1;
  writeSync(2, 'alertcron: internal error: the command stopped before it finished (nothing was left to wait for)\n');
});
void (async () => {
  const code = await cli.main(process.argv);
  settled = true;
  // After the command ran, each new cache also holds the functions the command compiled on the way.
  if (cacheDir) saveCodeCaches(cacheDir);

  // Exit with the run's code as soon as stdout and stderr are written out: a delivery cut off by the deadline must
  // not keep the process alive, and a slow reader of --json must still get the whole report.
  await cli.exitWhenFlushed(code);
})();

/** The exports of a chunk of dist/bundle, compiled (from its code cache when there is a good one) and run once. */
function loadChunk(name) {
  const known = loaded.get(name);
  if (known) return known.module.exports;
  const filename = join(bundleDir, name);
  const source = readFileSync(filename, 'utf8');
  const hash = build.files[name];
  const cacheFile = cacheDir && hash && join(cacheDir, cacheName(name, hash));
  const cachedData = cacheFile ? readCodeCache(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  const module = { exports: {} };
  // Registered before it runs: chunks that require each other get the exports made so far, as node's require does.
  loaded.set(name, { module, script, cacheFile, cached: cachedData !== undefined });
  script.runInThisContext().call(module.exports, module.exports, chunkRequire, module, filename, bundleDir);
  return module.exports;
}

/** The require() of the chunks: another chunk of dist/bundle from its code cache, anything else from node. */
function chunkRequire(id) {
  return id.startsWith('./') && id.endsWith('.cjs') ? loadChunk(id.slice(2)) : nodeRequire(id);
}
chunkRequire.resolve = nodeRequire.resolve;
chunkRequire.cache = nodeRequire.cache;

/**
 * The file of a chunk's code cache: <command>-<chunk>-<hash>-<node version>.crc.bin. The tag names the file's format (a
 * CRC-32, see checksum): a bin that writes another format (the untagged .bin of SHA-256) uses other files, so that two
 * sharing the folder do not reject and rewrite each other's on every start.
 */
function cacheName(chunk, hash) {
  return `${buildKey(chunk, hash)}.crc.bin`;
}

/** What a cache file is of, whatever its format: <command>-<chunk>-<hash>-<node version>. */
function buildKey(chunk, hash) {
  return `${command}-${chunk.replace(/\.cjs$/, '')}-${hash}-${process.version}`;
}

/** The checksum a cache file starts with (4 bytes, big-endian): the CRC-32 of its code. */
function checksum(code) {
  return require('node:zlib').crc32(code);
}

/**
 * The folder of the code caches, made if need be; undefined when caching is off, no cache folder is known, or
 * the folder is not a directory of this user that only this user may write (its files are code that is run).
 */
function ownCacheDir(env) {
  if (env.ALERTCRON_CACHE === 'off') return undefined;
  const base = cacheBase(env);
  if (!base) return undefined;
  const dir = join(base, 'alertcron', 'code');
  try {
    // Made only the first time (a start that finds it spares mkdir's walk up the path).
    let stat = lstatSync(dir, { throwIfNoEntry: false });
    if (!stat) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      stat = lstatSync(dir);
    }
    const mine = typeof process.getuid !== 'function' || stat.uid === process.getuid();
    return stat.isDirectory() && mine && (stat.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The user's cache folder: XDG_CACHE_HOME, else ~/.cache of HOME, else of the passwd entry's home; undefined when
 * there is none (a numeric uid without a passwd entry and no HOME, as in a container: the command runs uncached).
 */
function cacheBase(env) {
  if (env.XDG_CACHE_HOME) return env.XDG_CACHE_HOME;
  let home = env.HOME;
  try {
    home ||= require('node:os').homedir();
  } catch {
    return undefined;
  }
  return home ? join(home, '.cache') : undefined;
}

/** The code of a cache file whose checksum matches, or undefined (none yet, or damaged). */
function readCodeCache(file) {
  try {
    const data = readFileSync(file);
    const code = data.subarray(4);
    return code.length > 0 && data.readUInt32BE(0) === checksum(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the code cache of each chunk loaded without a usable one, atomically, then removes this command's caches
 * of other builds (and node versions); a failure only costs time.
 */
function saveCodeCaches(dir) {
  let saved = false;
  for (const { script, cacheFile, cached } of loaded.values()) {
    if (!cacheFile || (cached && !script.cachedDataRejected)) continue;
    try {
      accessSync(dir, constants.W_OK);
      const code = script.createCachedData();
      // Another process writing the same cache has another pid ('wx' refuses a name taken all the same).
      const temp = `${cacheFile}.${process.pid}-${Date.now()}.tmp`;
      const head = Buffer.alloc(4);
      head.writeUInt32BE(checksum(code));
      writeFileSync(temp, Buffer.concat([head, code]), { mode: 0o600, flag: 'wx' });
      renameSync(temp, cacheFile);
      saved = true;
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
  if (!saved) return;
  try {
    const current = new Set(Object.entries(build.files).map(([chunk, hash]) => buildKey(chunk, hash)));
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      // This command's caches of other builds and node versions, in any format (another format's of this very build
      // is another bin's, which would only write it again), and temporary files a killed run left (a minute old).
      const stale = (name.startsWith(`${command}-`) && name.endsWith('.bin') && !current.has(name.replace(/(\.[a-z]+)?\.bin$/, ''))) || (name.endsWith('.tmp') && Date.now() - statSync(path).mtimeMs > 60_000);
      if (stale) rmSync(path, { force: true });
    }
  } catch {
    /* a stale cache left behind only takes room */
  }
}
