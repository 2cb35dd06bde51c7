// keepYoungGeneration: for a project of at most KEEP_YOUNG_UP_TO_ALERTS alerts, once it is called, making many
// long-lived objects (what loading 10,000 alerts does) leaves V8's new space at about the size it had (V8 may still
// take it to its initial size, twice a fresh node's); without it, or above the bound, the new space doubles again and
// again (a fresh node: 1 MB -> 32 MB). Each case runs in a node of its own (the flag is the whole process's: the test
// runner keeps its own young generation).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KEEP_YOUNG_FROM_ALERTS, KEEP_YOUNG_UP_TO_ALERTS, keepsYoungGeneration } from '../../src/util/youngGeneration.js';

const MODULE = fileURLToPath(new URL('../../src/util/youngGeneration.js', import.meta.url));

/** The new space's size (bytes) before and after 40 MB of objects that stay alive, in a fresh node told `alerts` (none: not called). */
function newSpaceGrowth(alerts?: number): { before: number; after: number; kept: boolean } {
  const script = `
    const { getHeapSpaceStatistics } = await import('node:v8');
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const keptYoung = ${alerts === undefined ? 'false' : `(await import(${JSON.stringify(MODULE)})).keepYoungGeneration(${alerts})`};
    const before = size();
    const kept = [];
    for (let i = 0; i < 400000; i++) kept.push({ name: 'alert-' + i, notify: ['soc-' + (i % 7)], every: i });
    console.log(JSON.stringify({ before, after: size(), kept: keptYoung, made: kept.length }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { before: number; after: number; kept: boolean };
}

test('without it, many long-lived objects grow the new space (what the other cases are measured against)', () => {
  const { before, after } = newSpaceGrowth();
  assert.ok(after >= 8 * before, `new space ${before} -> ${after}`);
});

test('once it is called for 10,000 alerts, the new space stays within twice the size it had while as many long-lived objects are made', () => {
  const { before, after, kept } = newSpaceGrowth(10_000);
  assert.equal(kept, true);
  assert.ok(after <= 2 * before, `new space ${before} -> ${after}`);
});

test('called for 100,000 alerts it does nothing: the new space grows as without it (scavenges would cost 20-45% CPU there)', () => {
  const { before, after, kept } = newSpaceGrowth(100_000);
  assert.equal(kept, false);
  assert.ok(after >= 8 * before, `new space ${before} -> ${after}`);
});

test('the bounds: from 2,000 up to 25,000 alerts the young generation is kept, below or above them not', () => {
  assert.equal(KEEP_YOUNG_FROM_ALERTS, 2_000);
  assert.equal(KEEP_YOUNG_UP_TO_ALERTS, 25_000);
  assert.equal(keepsYoungGeneration(0), false);
  assert.equal(keepsYoungGeneration(1_999), false);
  assert.equal(keepsYoungGeneration(2_000), true);
  assert.equal(keepsYoungGeneration(20_000), true);
  assert.equal(keepsYoungGeneration(25_000), true);
  assert.equal(keepsYoungGeneration(25_001), false);
  assert.equal(keepsYoungGeneration(100_000), false);
});
