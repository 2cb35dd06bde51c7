import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/project.js';

/**
 * The folders of src/ from the bottom up: a folder may import from its own layer and the ones below, never from
 * one above it. Data flows up: the run stages use sources, rules, channels and operations, never the reverse.
 */
const LAYERS: string[][] = [
  ['util', 'http'],
  ['model'],
  ['policy', 'state', 'render'],
  ['rules', 'notify', 'sources', 'sigma'],
  ['config', 'outbox', 'operations', 'inspect', 'importer'],
  ['run'],
  ['commands'],
  ['.'],
];

const SRC = join(REPO_ROOT, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

function layerOf(file: string): number {
  const top = relative(SRC, file).split('/');
  const folder = top.length > 1 ? top[0]! : '.';
  const layer = LAYERS.findIndex((names) => names.includes(folder));
  assert.notEqual(layer, -1, `src/${folder} is in no layer: add it to LAYERS in ${relative(REPO_ROOT, import.meta.filename ?? '')}`);
  return layer;
}

test('no folder of src/ imports from a folder above it', () => {
  const wrong: string[] = [];
  for (const file of tsFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)\.js'/g)) {
      const target = resolve(dirname(file), `${match[1]}.ts`);
      if (layerOf(target) > layerOf(file)) wrong.push(`${relative(REPO_ROOT, file)} imports ${relative(REPO_ROOT, target)}`);
    }
  }
  assert.deepEqual(wrong, []);
});
