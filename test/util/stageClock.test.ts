// The stage clock: each stage once, in the order first marked, a stage marked again adds up, numbers finite and >= 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startStageClock } from '../../src/util/stageClock.js';

test('a stage marked twice (a run tried again) is listed once, at its first place, with both spans added', () => {
  const clock = startStageClock();
  clock.mark('start');
  clock.mark('config');
  const first = clock.stages().find((s) => s.stage === 'config')!;
  clock.mark('begin');
  clock.mark('config');
  const stages = clock.stages();
  assert.deepEqual(stages.map((s) => s.stage), ['start', 'config', 'begin']);
  const again = stages.find((s) => s.stage === 'config')!;
  assert.ok(again.wallMs >= first.wallMs && again.cpuMs >= first.cpuMs, 'the second span is added to the first');
  for (const s of stages) for (const x of [s.wallMs, s.cpuMs, s.heapMb, s.rssMb]) assert.ok(Number.isFinite(x) && x >= 0);
  assert.ok(stages[0]!.rssMb > 0 && stages[0]!.heapMb > 0);
  // What stages() gives is a copy: the caller cannot change the clock's record.
  stages[0]!.wallMs = -1;
  assert.ok(clock.stages()[0]!.wallMs >= 0);
});

test('a mark never throws when the memory reading fails (no /proc, no file descriptor left): the last heap figure stays', () => {
  const clock = startStageClock();
  clock.mark('start');
  const heap = clock.stages()[0]!.heapMb;
  assert.ok(heap > 0);
  const original = process.memoryUsage;
  process.memoryUsage = Object.assign(() => {
    throw Object.assign(new Error('EMFILE: too many open files, uv_resident_set_memory'), { code: 'EMFILE' });
  }, original);
  try {
    clock.mark('fetch');
  } finally {
    process.memoryUsage = original;
  }
  const fetch = clock.stages().find((s) => s.stage === 'fetch')!;
  assert.equal(fetch.heapMb, heap);
  assert.ok(fetch.rssMb > 0);
});
