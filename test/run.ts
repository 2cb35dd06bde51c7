import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startEngine } from './support/engine.js';
import { REPO_ROOT } from './support/project.js';

/** Test files compiled into dist/test, found recursively; filters, when given, keep those whose path contains one of them. */
function testFiles(dir: string, filters: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(path, filters));
    else if (entry.name.endsWith('.test.js') && (!filters.length || filters.some((f) => path.includes(f)))) out.push(path);
  }
  return out.sort();
}

const filters = process.argv.slice(2);
const files = testFiles(join(REPO_ROOT, 'dist', 'test'), filters);
// Given no file, node --test would look for tests everywhere (the bench included): a filter that matches nothing is an error.
if (!files.length) {
  process.stderr.write(`no test file under dist/test matches ${filters.map((f) => JSON.stringify(f)).join(' or ')}\n`);
  process.exit(64);
}
const engine = await startEngine(process.env.ALERTCRON_TEST_ENGINE_LOG ? { log: (line) => process.stderr.write(`[engine] ${line}\n`) } : {});
process.stderr.write(`search engine ready at ${engine.url}${engine.external ? ' (already running)' : ''}\n`);
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files.map((f) => relative(REPO_ROOT, f))], {
  cwd: REPO_ROOT,
  stdio: 'inherit',
  env: { ...process.env, ALERTCRON_TEST_ES_URL: engine.url },
});
const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await engine.stop();
process.exit(code);
