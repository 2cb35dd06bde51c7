// The package as users get it: npm pack, npm install -g into a temporary prefix, then the installed binary on a
// real deployment folder made by `alertcron init`, against the test engine and an SMTP sink.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT, type CliResult } from '../support/project.js';
import { createIndex, indexDocs, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const run = promisify(execFile);
const world = useWorld();
const base = mkdtempSync(join(tmpdir(), 'alertcron-package-'));
after(() => rmSync(base, { recursive: true, force: true }));

/** The environment npm gets: this process's, without the settings `npm test` exported for its own run (except the cache). */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_') || key === 'npm_config_cache'));
}

/** Runs a command in a folder and returns what it printed and how it exited, never throwing on a non-zero exit. */
async function sh(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env: { ...npmEnv(), ...env }, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) };
  }
}

test('npm pack makes a package whose installed alertcron inits, validates, tests and runs a deployment folder', async () => {
  // npm test has just built dist/: pack it as is (prepack would rebuild dist/ under the other tests' feet).
  const packed = await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', base], REPO_ROOT);
  assert.equal(packed.code, 0, packed.stderr);
  const [{ filename, files }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  const paths = files.map((f) => f.path);
  for (const needed of ['bin/alertcron.js', 'dist/src/cli.js', 'dist/src/config/validators.alertcron.generated.js', 'dist/src/config/validators.alert.generated.js', 'src/config/schemas/alert.schema.json', 'package.json', 'README.md']) assert.ok(paths.includes(needed), `the package holds ${needed}`);
  assert.deepEqual(paths.filter((p) => p.startsWith('dist/test/') || p.startsWith('test/') || p.endsWith('.ts')), [], 'no tests, no TypeScript sources');
  // The README's links point at docs/ pages: each one it names is in the package, so they work where it is installed.
  const readmeLinks = [...readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)\s]*)?\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target));
  assert.ok(readmeLinks.some((target) => target.startsWith('docs/')), 'the README links the docs pages');
  for (const target of readmeLinks) assert.ok(paths.includes(target), `the package holds ${target}, which the README links`);
  // The start-up bundle: every chunk and the hashes its code caches are named by; not the build's own files.
  const build = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'bundle', 'build.json'), 'utf8')) as { files: Record<string, string> };
  for (const chunk of ['build.json', ...Object.keys(build.files)]) assert.ok(paths.includes(`dist/bundle/${chunk}`), `the package holds dist/bundle/${chunk}`);
  for (const left of ['dist/bundle.meta.json', 'dist/src/buildBundle.js']) assert.ok(!paths.includes(left), `${left} is not shipped`);

  const prefix = join(base, 'prefix');
  const installed = await sh('npm', ['install', '-g', '--prefix', prefix, join(base, filename), '--prefer-offline', '--no-audit', '--no-fund'], base);
  assert.equal(installed.code, 0, installed.stderr);
  const modules = join(prefix, 'lib', 'node_modules', 'alertcron', 'node_modules');
  for (const dev of ['typescript', 'smtp-server', '@types/proper-lockfile']) assert.equal(existsSync(join(modules, dev)), false, `${dev} (a dev dependency) is not installed`);

  const alertcron = join(prefix, 'bin', 'alertcron');
  const version = await sh(alertcron, ['--version'], base);
  assert.equal(version.stdout, `${JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version}\n`);
  // --help names the installed README, and the docs pages it links are there beside it.
  const help = await sh(alertcron, ['--help'], base);
  const readmePath = /^Docs: (\S+README\.md) /m.exec(help.stdout)?.[1];
  assert.ok(readmePath && existsSync(readmePath), `--help names the installed README: ${help.stdout}`);
  for (const target of readmeLinks) assert.ok(existsSync(join(dirname(readmePath), target)), `${target} is installed beside the README`);
  const init = await sh(alertcron, ['init', 'site'], base);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /^ {7}\* \* \* \* \* cd .*site && .*alertcron run$/m);
  const site = join(base, 'site');
  assert.match(readFileSync(join(site, 'alertcron.yaml'), 'utf8'), new RegExp(`\\$schema=${prefix}/lib/node_modules/alertcron/src/config/schemas/alertcron\\.schema\\.json`), 'editors find the installed schema');

  // What a user does next: point the folder at the cluster and the mail server, and the alert at an index.
  const T = uniqueBaseTime();
  const index = `logs-package-${Math.random().toString(36).slice(2, 8)}`;
  await createIndex(world.esUrl, index);
  await indexDocs(world.esUrl, index, Array.from({ length: 5 }, (_, i) => ({ '@timestamp': iso(T - 60_000 - i * 1000), log: { level: 'error' }, host: { name: 'web01' }, message: `disk full ${i}` })));
  const edit = (file: string, from: string, to: string) => {
    const text = readFileSync(join(site, file), 'utf8');
    assert.ok(text.includes(from), `${file} has ${from}`);
    writeFileSync(join(site, file), text.replace(from, to));
  };
  edit('alertcron.yaml', 'url: http://localhost:9200', `url: ${world.esUrl}`);
  edit('alertcron.yaml', 'host: localhost\n    port: 25 ', `host: 127.0.0.1\n    port: ${world.smtp.port} `);
  edit('alerts/example-errors.yaml', 'index: logs-*', `index: ${index}`);
  const env = { ALERTCRON_NOW: iso(T), XDG_CACHE_HOME: join(base, 'cache') };

  const validate = await sh(alertcron, ['validate', '--cluster'], site, env);
  assert.equal(validate.code, 0, validate.stderr);
  assert.equal(validate.stdout, `OK: 1 alert(s) valid, 0 disabled, 1 channel(s); 1 alert(s) checked against ${world.esUrl}\n`);
  const tried = await sh(alertcron, ['test', 'example-errors', '--from', '10m'], site, env);
  assert.equal(tried.code, 0, tried.stderr);
  assert.match(tried.stdout, /key "web01" count 5: NOTIFY \(first/);
  assert.match(tried.stdout, new RegExp(`hits before condition and grouping: 5 \\(${index}: 5\\)`));
  const cron = await sh(alertcron, ['run'], site, env);
  assert.equal(cron.code, 0, cron.stderr);
  assert.equal(cron.stdout + cron.stderr, '', 'a run that delivered everything is quiet');
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['5 errors on web01']);
  // The installed run loaded its chunks, nodemailer's SMTP client too, through the code cache.
  const cached = readdirSync(join(base, 'cache', 'alertcron', 'code'));
  for (const chunk of ['cli', 'vendor-nodemailer+lib+smtp-connection']) assert.ok(cached.some((name) => name.startsWith(`run-${chunk}-${build.files[`${chunk}.cjs`]}-`)), `run cached ${chunk}: ${cached}`);
  const status = await sh(alertcron, ['status'], site, env);
  assert.match(status.stdout, /^ {2}firing "web01": notified 1 time\(s\)/m);
});
