import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DUMB_LINE_MS, REDRAW_MS, cutMiddle, fittedProgressText, progressText, startProgress } from '../../src/util/progress.js';
import { checkProperty } from '../support/property.js';

const ERASE = '\r\u001b[K';
/** Half of a UTF-16 surrogate pair on its own. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A terminal that records what is written to it, and a clock the test moves. */
function terminal(options: { isTTY?: boolean; columns?: number } = {}) {
  const writes: string[] = [];
  const clock = { t: 1_000_000 };
  const stream = { isTTY: options.isTTY ?? true, columns: options.columns ?? 80, write: (text: string) => writes.push(text) };
  return { writes, clock, stream, now: () => clock.t };
}

test('progress: a terminal gets at most one redraw per 100 ms however often the counter moves, each line erasing the last, and the end erases it', () => {
  const t = terminal();
  const progress = startProgress({ stream: t.stream, now: t.now, env: { TERM: 'xterm' }, guardOutput: false });
  progress.phase('backtest logons', 10_000, 'steps');
  // 10,000 steps, one every millisecond: 10 seconds.
  for (let done = 1; done <= 10_000; done++) {
    t.clock.t++;
    progress.update(done);
  }
  // The phase's first line, then one every REDRAW_MS of the 10 s.
  assert.equal(t.writes.length, 1 + 10_000 / REDRAW_MS);
  assert.ok(t.writes.every((w) => w.startsWith(ERASE) && !w.includes('\n')), 'every line is drawn in place');
  assert.equal(t.writes[0], `${ERASE}backtest logons: 0/10000 steps (0%)`);
  assert.equal(t.writes[50], `${ERASE}backtest logons: 5000/10000 steps (50%), 1000 steps/s, about 5s left`);
  progress.end();
  assert.equal(t.writes.at(-1), ERASE);
  // Nothing after the end.
  progress.update(10_001);
  progress.phase('more', 3);
  assert.equal(t.writes.at(-1), ERASE);
});

test('progress: a total that becomes known is drawn at once; a phase without a total shows its elapsed time', () => {
  const t = terminal();
  const progress = startProgress({ stream: t.stream, now: t.now, env: {}, guardOutput: false });
  progress.phase('import rules/: reading', undefined, 'files');
  assert.equal(t.writes.at(-1), `${ERASE}import rules/: reading: 0s`);
  progress.update(0, 64);
  assert.equal(t.writes.at(-1), `${ERASE}import rules/: reading: 0/64 files (0%)`);
  progress.update(1, 64);
  assert.equal(t.writes.length, 2, 'the same total again waits for its 100 ms');
  t.clock.t += 2000;
  progress.phase('state migrate: writing 3 alerts to the cluster backend');
  t.clock.t += 12_000;
  progress.update(0);
  assert.equal(t.writes.at(-1), `${ERASE}state migrate: writing 3 alerts to the cluster backend: 12s`);
  progress.end();
});

test('progress: a dumb terminal (TERM=dumb) gets plain lines, at most one every 5 seconds, and nothing to erase', () => {
  const t = terminal();
  const progress = startProgress({ stream: t.stream, now: t.now, env: { TERM: 'dumb' }, guardOutput: false });
  progress.phase('validate --cluster', 20_000, 'alerts');
  for (let done = 1; done <= 20_000; done++) {
    t.clock.t++;
    progress.update(done);
  }
  progress.end();
  assert.equal(t.writes.length, 1 + 20_000 / DUMB_LINE_MS);
  assert.ok(t.writes.every((w) => w.endsWith('\n') && !w.includes('\r') && !w.includes('\u001b')), JSON.stringify(t.writes));
});

test('progress: nothing at all when the stream is not a terminal, or with --json', () => {
  for (const options of [{ isTTY: false }, { isTTY: true, json: true }]) {
    const t = terminal(options);
    const progress = startProgress({ stream: t.stream, now: t.now, json: 'json' in options, env: {} });
    progress.phase('backtest x', 10, 'steps');
    for (let done = 1; done <= 10; done++) {
      t.clock.t += 1000;
      progress.update(done);
    }
    progress.end();
    assert.deepEqual(t.writes, [], JSON.stringify(options));
  }
});

test('progress: while it is drawn, a line written to stderr or stdout erases it first (no warning lands in the middle of it), and the end gives the streams back', () => {
  const t = terminal();
  const originals = [process.stdout.write, process.stderr.write];
  const progress = startProgress({ stream: t.stream, now: t.now, env: {}, guardOutput: true });
  try {
    progress.phase('import sigma: converting', 4, 'files');
    assert.equal(t.writes.length, 1);
    process.stderr.write('');
    assert.deepEqual(t.writes.slice(1), [ERASE], 'erased before the write');
    process.stdout.write('');
    assert.equal(t.writes.length, 2, 'an erased line is not erased twice');
    progress.update(1);
    assert.equal(t.writes.length, 3, 'drawn again at once after the write');
  } finally {
    progress.end();
  }
  assert.deepEqual([process.stdout.write, process.stderr.write], originals);
});

test('progress: any name (control characters, escapes, line breaks, long text) is drawn as one line that fits the terminal and starts with the erase', async () => {
  await checkProperty(
    'progress line stays one inert line',
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }).map((part) => part.repeat(60))), fc.integer({ min: 0, max: 1e9 }), fc.option(fc.integer({ min: 0, max: 1e9 })), fc.integer({ min: 0, max: 400 }), (what, done, total, columns) => {
      const t = terminal({ columns });
      const progress = startProgress({ stream: t.stream, now: t.now, env: {}, guardOutput: false });
      progress.phase(what, total ?? undefined, 'items');
      t.clock.t += 5000;
      progress.update(done);
      progress.end();
      for (const line of t.writes.slice(0, -1)) {
        assert.ok(line.startsWith(ERASE));
        const text = line.slice(ERASE.length);
        assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u);
        assert.ok(text.length <= Math.max(20, (columns || 80) - 1), `${text.length} > ${columns}`);
        // Never half a character (an emoji cut between its two halves), whatever the name and the width.
        assert.doesNotMatch(text, LONE_SURROGATE);
      }
    }),
    300,
  );
});

test('progress: a line cut to the terminal never splits an emoji, at the name\'s middle or at the line\'s end', () => {
  const t = terminal({ columns: 21 });
  const progress = startProgress({ stream: t.stream, now: t.now, env: {}, guardOutput: false });
  // 20 columns: the name keeps 16 (8 + … + 7, the emoji whole), then the line's end is cut after 19 code units.
  progress.phase(`${'x'.repeat(18)}😀 more`, 3);
  assert.equal(t.writes[0], `${ERASE}${'x'.repeat(8)}…😀 more: 0…`);
  // The middle cut moves off a character's two halves on either side.
  assert.equal(cutMiddle(`abc😀${'y'.repeat(10)}😀ef`, 8), 'abc…ef');
  assert.equal(cutMiddle(`ab😀cd${'y'.repeat(10)}😀ef`, 8), 'ab😀…ef');
});

test('progress: a name too long for the terminal (a folder\'s full path) loses its middle, so the counts and the percentage stay in view', () => {
  const t = terminal({ columns: 80 });
  const progress = startProgress({ stream: t.stream, now: t.now, env: {}, guardOutput: false });
  const folder = `/check/work/main/test/fixtures/${'deep/'.repeat(8)}elastalert-public`;
  progress.phase(`import ${folder}: reading`, 64, 'files');
  t.clock.t += 1000;
  progress.update(26);
  const last = t.writes.at(-1)!.slice(ERASE.length);
  assert.ok(last.length <= 79, last);
  assert.match(last, /^import \/check\/w[^…]*…[^…]*: reading: 26\/64 files \(40%\), 26 files\/s, about 1s left$/);
  // A terminal too narrow for even the counts cuts the line's end, as before.
  assert.equal(fittedProgressText('a name', 5, 10, '', 0, 12), 'a name: 5/1…');
  assert.equal(fittedProgressText('short', 5, 10, '', 0, 80), 'short: 5/10 (50%)');
});

test('progressText: rate and time left once a second has passed; a finished phase says no time left', () => {
  assert.equal(progressText('x', 0, 100, 'steps', 500), 'x: 0/100 steps (0%)');
  assert.equal(progressText('x', 5, 100, 'steps', 2000), 'x: 5/100 steps (5%), 2.5 steps/s, about 38s left');
  assert.equal(progressText('x', 100, 100, '', 2000), 'x: 100/100 (100%), 50 items/s');
  assert.equal(progressText('x', 3, 0, '', 2000), 'x: 3/0 (100%), 1.5 items/s');
  assert.equal(progressText('x', 0, undefined, '', 90_000), 'x: 1m30s');
  assert.equal(progressText('x', 7, undefined, 'files', 2000), 'x: 7 files, 2s, 3.5 files/s');
});
