import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { boundedSignal, stageSignals } from '../../src/util/signal.js';
import { REPO_ROOT } from '../support/project.js';
import { checkProperty, fc } from '../support/property.js';

/** Runs a module script under `node --expose-gc` (gc() is called while the timers wait) and returns what it printed. */
function underGc(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const module = (path: string) => JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist', path)).href);

test('a bounded signal fires at its timeout while gc() runs, where AbortSignal.any over AbortSignal.timeout is collected and never fires', { timeout: 30_000 }, async () => {
  const result = await underGc(`
    const { boundedSignal } = await import(${module('src/util/signal.js')});
    const parent = new AbortController();
    const started = Date.now();
    const fired = {};
    const bounded = boundedSignal([parent.signal], 300);
    bounded.signal.addEventListener('abort', () => (fired.bounded = { at: Date.now() - started, reason: bounded.signal.reason.name }));
    const any = AbortSignal.any([parent.signal, AbortSignal.timeout(300)]);
    any.addEventListener('abort', () => (fired.any = Date.now() - started));
    const pressure = setInterval(() => gc(), 20);
    setTimeout(() => { clearInterval(pressure); console.log(JSON.stringify(fired)); }, 2500);
  `);
  assert.equal(result.code, 0, result.stderr);
  const fired = JSON.parse(result.stdout) as { bounded?: { at: number; reason: string }; any?: number };
  assert.ok(fired.bounded, `the bounded signal fired: ${result.stdout}`);
  assert.equal(fired.bounded.reason, 'TimeoutError');
  assert.ok(fired.bounded.at < 2000, `it fired at its timeout, well before the 2.5 s the script waited (${fired.bounded.at} ms)`);
  // The construction this replaces: shown here so that a node that fixes it is noticed (the test then says so).
  if (fired.any !== undefined) process.stderr.write(`note: this node (${process.version}) kept AbortSignal.any's timeout alive under gc()\n`);
});

test("post()'s own timeout fires against a server that accepts and never answers, with gc() running and a much later run deadline", { timeout: 30_000 }, async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as AddressInfo).port;
  try {
    const result = await underGc(`
      const { post } = await import(${module('src/http/post.js')});
      const runDeadline = AbortSignal.timeout(20_000);
      const pressure = setInterval(() => gc(), 20);
      const started = Date.now();
      try {
        await post(new URL('http://127.0.0.1:${port}/x'), '{}', { headers: {}, timeoutMs: 500, signal: runDeadline });
        console.log(JSON.stringify({ answered: true }));
      } catch (error) {
        console.log(JSON.stringify({ at: Date.now() - started, name: error.name, cause: error.cause?.name }));
      }
      clearInterval(pressure);
    `);
    assert.equal(result.code, 0, result.stderr);
    const outcome = JSON.parse(result.stdout) as { at: number; name: string; cause?: string };
    assert.equal(outcome.cause ?? outcome.name, 'TimeoutError', result.stdout);
    assert.ok(outcome.at < 10_000, `the request's 500 ms timeout ended it, not the 20 s deadline (${outcome.at} ms)`);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

test('a bounded signal aborts with its parent, at once when the parent already has, with one listener on the parent for all its children', () => {
  const parent = new AbortController();
  const child = boundedSignal([parent.signal, undefined], 60_000);
  assert.equal(child.signal.aborted, false);
  const many = Array.from({ length: 50 }, () => boundedSignal([parent.signal], 60_000));
  assert.equal(getEventListeners(parent.signal, 'abort').length, 1, 'one listener on the parent, however many children (no MaxListenersExceededWarning)');
  child.done();
  for (const other of many) other.done();
  const second = boundedSignal([parent.signal], 60_000);
  parent.abort(new Error('run deadline'));
  assert.equal(second.signal.aborted, true);
  assert.equal(child.signal.aborted, false, 'a child whose work ended (done) is not aborted any more');
  assert.equal((second.signal.reason as Error).message, 'run deadline');
  const late = boundedSignal([parent.signal], 60_000);
  assert.equal(late.signal.aborted, true, 'a parent that already aborted aborts it at once');
});

test('generated parents and timeouts: the signal aborts exactly when a parent aborts or its timeout passes, with that reason', async () => {
  await checkProperty(
    'boundedSignal follows its parents and its timer',
    fc.asyncProperty(fc.array(fc.boolean(), { maxLength: 4 }), fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }), async (aborts, timeoutMs) => {
      const parents = aborts.map(() => new AbortController());
      const bounded = boundedSignal(parents.map((p) => p.signal), timeoutMs);
      const first = aborts.indexOf(true);
      if (first >= 0) parents[first]!.abort(`parent ${first}`);
      if (first >= 0) {
        assert.equal(bounded.signal.reason, `parent ${first}`);
      } else if (timeoutMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, timeoutMs + 30));
        assert.equal((bounded.signal.reason as DOMException).name, 'TimeoutError');
      } else {
        assert.equal(bounded.signal.aborted, false);
      }
      bounded.done();
      bounded.done();
    }),
    60,
  );
});

test('stageSignals: each call is bounded by what is left of the stage, is already aborted once it is spent, and done() releases the timers', async () => {
  const calls = stageSignals(Date.now() + 60, 10_000);
  const released = calls.call();
  const live = stageSignals(Date.now() + 60, 10_000).call();
  calls.done();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(live.aborted, true, 'a call ends with the stage, not at its 10 s');
  assert.equal((live.reason as DOMException).name, 'TimeoutError');
  assert.equal(released.aborted, false, 'done() released its timer');
  assert.equal(calls.spent(), true);
  assert.equal(calls.call().aborted, true, 'nothing starts once the stage is spent');
});
