// Machine output is whole: a --json report far larger than a pipe's buffer reaches a reader that is slow to read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const USERS = 200;
const world = useWorld();

test('run --json piped to a reader that starts reading late gets the whole report (about 1 MB)', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('json-output');
  const note = 'n'.repeat(4000);
  await indexDocs(world.esUrl, index, Array.from({ length: USERS }, (_, i) => ({ '@timestamp': iso(T - MIN), user: `user-${i}`, note })));
  // Every finding notifies (and so is rendered): more than run.max_findings' default of 100.
  const project = world.project({ extraConfig: { run: { max_findings: 1000 } } });
  project.writeAlert('many', { index, condition: { type: 'any' }, group_by: 'user', group_size: USERS, notify: ['soc-slack'], message: '{{note}}' });

  const child = project.spawn(['run', '--dry-run', '--json'], { ALERTCRON_NOW: iso(T) });
  const stdout = child.stdout!;
  stdout.pause();
  // The slow reader: nothing is read until the CLI has exited or has waited a while for us with a full pipe.
  const onReadable = () => setTimeout(start, 1000);
  let start = () => {};
  await new Promise<void>((resolve) => {
    start = resolve;
    child.once('exit', () => resolve());
    stdout.once('readable', onReadable);
  });
  stdout.removeListener('readable', onReadable);
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const text = Buffer.concat(chunks).toString('utf8');
  assert.equal(code, 0);
  assert.ok(text.length > 512 * 1024, `the report is larger than any pipe buffer (${text.length} bytes)`);
  const report = JSON.parse(text) as { alerts: { findings: unknown[] }[] };
  assert.equal(report.alerts[0]!.findings.length, USERS, 'every finding is in the report');
});
