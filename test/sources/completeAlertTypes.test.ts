// The part of an Elasticsearch or Sigma alert that completeAlert assigns over its common part is typed, not the result
// cast: the type checker refuses a field misspelled or left out there (checked on edited copies of the source).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/project.js';

/** A tree whose src/ is the project's, but for `edited` (paths under src/ to their text); the type checker's complaints about it. */
function typeErrors(edited: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-types-'));
  try {
    for (const name of ['package.json', 'node_modules']) symlinkSync(join(REPO_ROOT, name), join(dir, name));
    // Each folder on the way to an edited file is made; everything else in it is a link to the project's own.
    const mirror = (relative: string) => {
      mkdirSync(join(dir, relative), { recursive: true });
      for (const name of readdirSync(join(REPO_ROOT, relative))) {
        const path = join(relative, name);
        if (path in edited) writeFileSync(join(dir, path), edited[path]!);
        else if (Object.keys(edited).some((file) => file.startsWith(`${path}/`))) mirror(path);
        else symlinkSync(join(REPO_ROOT, path), join(dir, path));
      }
    };
    mirror('src');
    const config = { extends: join(REPO_ROOT, 'tsconfig.json'), compilerOptions: { noEmit: true, rootDir: '/' }, files: Object.keys(edited) };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
    const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
    return `${tsc.stdout}${tsc.stderr}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The source of `path` (under the project) with `from` replaced by `to` (which must occur once). */
function edit(path: string, from: string | RegExp, to: string): string {
  const text = readFileSync(join(REPO_ROOT, path), 'utf8');
  const edited = text.replace(from, to);
  assert.notEqual(edited, text, `${path}: ${from} found`);
  return edited;
}

test('a field misspelled or missing in what completeAlert and completeSigmaBase assign does not compile', () => {
  const index = 'src/sources/elasticsearch/index.ts';
  const sigma = 'src/sources/elasticsearch/sigmaAlert.ts';
  // Misspelled: an optional field of the Elasticsearch part, a required one of the Sigma part.
  const misspelled = typeErrors({
    [index]: edit(index, 'query_file: typeof raw.query', 'query_fil: typeof raw.query'),
    [sigma]: edit(sigma, 'title: typeof raw.title', 'titel: typeof raw.title'),
  });
  assert.match(misspelled, /index\.ts[^\n]*'query_fil'/, misspelled);
  assert.match(misspelled, /sigmaAlert\.ts[^\n]*'titel'/, misspelled);
  assert.equal(misspelled.match(/error TS/g)?.length, 2, `nothing else: ${misspelled}`);
  // Missing: a required field of the Elasticsearch part.
  const missing = typeErrors({ [index]: edit(index, /\n *timestamp_field: \(raw\.timestamp_field[^\n]*/, '') });
  assert.match(missing, /index\.ts[^\n]*'timestamp_field'/, missing);
  assert.equal(missing.match(/error TS/g)?.length, 1, `nothing else: ${missing}`);
});
