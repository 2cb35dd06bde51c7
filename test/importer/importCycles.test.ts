// The importer's modules import one another without a cycle (a cycle leaves a module's exports undefined while
// the other loads, depending on which file is imported first).
import assert from 'node:assert/strict';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { filesUnder } from '../support/files.js';
import { REPO_ROOT } from '../support/project.js';

test('src/importer has no import cycle', () => {
  const root = resolve(REPO_ROOT, 'src', 'importer');
  const imports = new Map<string, string[]>();
  for (const [path, text] of filesUnder(root)) {
    if (!path.endsWith('.ts')) continue;
    // Type-only imports vanish at run time: only value imports make a cycle.
    const targets = [...text.matchAll(/^import (?!type )[^;]*?from '(\.{1,2}\/[^']+)\.js'/gm)].map((m) => resolve(dirname(path), `${m[1]}.ts`));
    imports.set(path, targets.filter((target) => target.startsWith(root)));
  }
  const cycles: string[] = [];
  const done = new Set<string>();
  const visit = (file: string, stack: string[]) => {
    const at = stack.indexOf(file);
    if (at >= 0) {
      cycles.push([...stack.slice(at), file].map((f) => relative(root, f)).join(' -> '));
      return;
    }
    if (done.has(file)) return;
    for (const next of imports.get(file) ?? []) visit(next, [...stack, file]);
    done.add(file);
  };
  for (const file of imports.keys()) visit(file, []);
  assert.ok(imports.size > 10, 'the importer\'s modules were not found');
  assert.deepEqual(cycles, []);
});
