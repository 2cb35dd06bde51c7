// Builds the start-up bundle (`npm run bundle`, part of `npm run build`): dist/bundle/*.cjs, CommonJS chunks that
// bin/alertcron.js compiles through node:vm with a V8 code cache each (node 20 caches no ES module and no package).
//
//   cli.cjs + chunk-*.cjs   what every command loads (the CLI, a run's pipeline, state, channels ...)
//   <SPLIT_AT name>.cjs     loaded on first use only: the two schema validators, the Sigma compiler, `import`,
//                           the backtest and its chart page, the status page, the metrics file writer
//   vendor-<package>.cjs    the npm packages loadPackage() loads on demand (yaml, js-yaml, nodemailer, cron-parser)
//   build.json              each file's hash (the name of its code cache), written here so no start hashes a file
//
// esbuild splits ES modules only, so the chunks are built as ES modules with code splitting (which puts every module
// in exactly one chunk: no module's state exists twice) and each is then converted to CommonJS. Only the imports
// named in SPLIT_AT become chunks of their own; every other dynamic import() stays in its importer's chunk, evaluated
// on first use as before. dist/bundle.meta.json (not shipped) records which module went into which chunk.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { vendorName } from './util/loadPackage.js';

const DIST = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SRC = join(DIST, 'src');
const OUT = join(DIST, 'bundle');

/** Modules (under dist/src) loaded by a dynamic import() that start a chunk of their own: what a quiet run never needs. */
export const SPLIT_AT: Record<string, string> = {
  'validators-alert': 'config/validators.alert.generated.js',
  'validators-alertcron': 'config/validators.alertcron.generated.js',
  sigma: 'sigma/compile.js',
  importer: 'commands/import.js',
  backtest: 'commands/backtest.js',
  'status-page': 'inspect/statusPageFile.js',
  metrics: 'run/metricsFile.js',
};
/**
 * npm packages (or a package's own entry, such as nodemailer's SMTP client) loadPackage() loads, each bundled into
 * vendor-<name>.cjs, its slashes written as `+` (all CommonJS, MIT/ISC/MIT-0 licensed).
 */
export const VENDORED = ['yaml', 'js-yaml', 'nodemailer', 'nodemailer/lib/smtp-connection', 'cron-parser'];
/** Packages left to node's require(): large, rarely used, or with requires esbuild cannot follow. */
const EXTERNAL = ['twilio', ...VENDORED];

/** Turns a dynamic import() of a module not in SPLIT_AT into a require() esbuild keeps in the importer's chunk. */
const keepInChunk: esbuild.Plugin = {
  name: 'keep-in-chunk',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(SRC + '/')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      const contents = text.replace(/\bimport\((['"])([^'"]+)\1\)/g, (call, quote: string, spec: string) => {
        const local = spec.startsWith('.') ? relative(SRC, resolve(dirname(args.path), spec)) : undefined;
        if ((local && Object.values(SPLIT_AT).includes(local)) || EXTERNAL.includes(spec)) return call;
        return `Promise.resolve().then(() => require(${quote}${spec}${quote}))`;
      });
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/** signal-exit (proper-lockfile's) gets src/util/signalExitAssert.js for node:assert, which it loads only to check a callback's type. */
const lightAssert: esbuild.Plugin = {
  name: 'light-assert',
  setup(build) {
    build.onResolve({ filter: /^(node:)?assert$/ }, (args) => (/[\\/]signal-exit[\\/]/.test(args.importer) ? { path: join(SRC, 'util', 'signalExitAssert.js') } : undefined));
  },
};

/** Node modules a quiet run does not need (or not at once), loaded by a chunk only when one of their functions is first used. */
const LAZY_BUILTINS = ['node:crypto', 'node:https', 'node:child_process', 'node:worker_threads', 'node:v8'];

/**
 * Makes a chunk's imports of LAZY_BUILTINS lazy: esbuild hoists every import of a chunk to its top, so each start
 * would load them all (crypto and https cost milliseconds); each becomes an object whose getters (one per member the
 * chunk uses) require the module on first use. The requires of the bundled npm packages (`var childProcess =
 * (0, import_chunk_X.__require)("node:child_process")`, commander's, which only a subcommand run as its own program
 * needs) are made lazy the same way. An import used other than as `name.member` stays as it is.
 */
export function lazyBuiltins(code: string): string {
  return code.replace(/^([ \t]*)var (\w+) = (require|\(0, \w+\.__require\))\("(node:[\w/]+)"\);$/gm, (line, indent: string, name: string, load: string, builtin: string) => {
    if (!LAZY_BUILTINS.includes(builtin)) return line;
    const uses = [...code.matchAll(new RegExp(`\\b${name}\\b(\\.(\\w+))?`, 'g'))];
    if (uses.some((use) => use[2] === undefined && !code.startsWith(`var ${name} = `, use.index! - 4))) return line;
    const members = [...new Set(uses.flatMap((use) => (use[2] ? [use[2]] : [])))];
    const getters = members.map((member) => `${member}: get(${JSON.stringify(member)})`).join(', ');
    return `${indent}var ${name} = (() => { let m; const get = (k) => ({ get: () => (m ??= ${load}(${JSON.stringify(builtin)}))[k] }); return Object.defineProperties({}, { ${getters} }); })();`;
  });
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const hashes: Record<string, string> = {};
  const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', write: false } as const;

  const split = await esbuild.build({
    ...common,
    entryPoints: { cli: join(SRC, 'cliBundle.js'), ...Object.fromEntries(Object.entries(SPLIT_AT).map(([name, path]) => [name, join(SRC, path)])) },
    splitting: true,
    format: 'esm',
    outdir: OUT,
    outExtension: { '.js': '.cjs' },
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    external: EXTERNAL,
    define: { 'import.meta.url': 'bundleModuleUrl' },
    inject: [join(SRC, 'util', 'bundleShim.js')],
    plugins: [keepInChunk, lightAssert],
    // proper-lockfile only stats, makes, touches and removes its lock folder, which graceful-fs passes through
    // unchanged: node's fs spares each run graceful-fs's copy and patching of the fs module (and node:assert).
    alias: { 'graceful-fs': 'node:fs' },
    metafile: true,
  });
  for (const file of split.outputFiles) {
    // Each chunk as CommonJS: its imports of other chunks become require(), which bin/alertcron.js serves.
    const cjs = await esbuild.transform(file.text, { format: 'cjs', platform: 'node', target: 'node20', supported: { 'dynamic-import': false } });
    const code = lazyBuiltins(cjs.code);
    writeFileSync(file.path, code);
    hashes[basename(file.path)] = sha(code);
  }
  writeFileSync(join(DIST, 'bundle.meta.json'), JSON.stringify(split.metafile));

  const requireFromRoot = createRequire(join(DIST, '..', 'package.json'));
  for (const name of VENDORED) {
    const file = `vendor-${vendorName(name)}.cjs`;
    const vendor = await esbuild.build({ ...common, entryPoints: [requireFromRoot.resolve(name)], format: 'cjs', outfile: join(OUT, file) });
    const text = vendor.outputFiles[0]!.text;
    writeFileSync(join(OUT, file), text);
    hashes[file] = sha(text);
  }

  await esbuild.build({ ...common, write: true, entryPoints: [join(SRC, 'rules', 'scriptWorker.js')], format: 'esm', packages: 'external', outfile: join(OUT, 'rules', 'scriptWorker.js') });
  writeFileSync(join(OUT, 'build.json'), `${JSON.stringify({ files: hashes, vendored: VENDORED.map(vendorName) })}\n`);
}

// Run as the build's script (npm run bundle); imported (by the tests, for lazyBuiltins), it builds nothing.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
