// keepYoungGeneration: once it is called, making many long-lived objects (what loading 10,000 alerts does) leaves
// V8's new space at about the size it had (V8 may still take it to its initial size, twice a fresh node's); without
// it the new space doubles again and again (a fresh node: 1 MB -> 32 MB). Each case runs in a node of its own (the
// flag is the whole process's: the test runner keeps its own young generation).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/util/youngGeneration.js', import.meta.url));

/** The new space's size (bytes) before and after 40 MB of objects that stay alive, in a fresh node. */
function newSpaceGrowth(keep: boolean): { before: number; after: number } {
  const script = `
    const { getHeapSpaceStatistics } = await import('node:v8');
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    ${keep ? `(await import(${JSON.stringify(MODULE)})).keepYoungGeneration();` : ''}
    const before = size();
    const kept = [];
    for (let i = 0; i < 400000; i++) kept.push({ name: 'alert-' + i, notify: ['soc-' + (i % 7)], every: i });
    console.log(JSON.stringify({ before, after: size(), kept: kept.length }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { before: number; after: number };
}

test('without it, many long-lived objects grow the new space (what the other case is measured against)', () => {
  const { before, after } = newSpaceGrowth(false);
  assert.ok(after >= 8 * before, `new space ${before} -> ${after}`);
});

test('once it is called, the new space stays within twice the size it had while as many long-lived objects are made', () => {
  const { before, after } = newSpaceGrowth(true);
  assert.ok(after <= 2 * before, `new space ${before} -> ${after}`);
});
