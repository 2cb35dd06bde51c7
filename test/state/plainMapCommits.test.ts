import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { KeyState } from '../../src/model/state.js';
import { FileStateStore } from '../../src/state/fileStore.js';
import { plainMap } from '../../src/util/plainMap.js';
import { contentOf } from '../support/content.js';
import { readStateFiles } from '../support/project.js';
import { firedKey } from '../support/keyStates.js';

const NOW = Date.parse('2026-12-08T01:00:00Z');

const key = firedKey;

function folder() {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-plain-'));
  return { file: join(dir, 'state.json'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The files state.json names, key file first. */
function keyTexts(file: string): string[] {
  const head = JSON.parse(readFileSync(file, 'utf8')) as { keyFile: string; keyDeltas?: string[] };
  return [head.keyFile, ...(head.keyDeltas ?? [])].map((name) => readFileSync(join(dirname(file), name), 'utf8'));
}

test('an alert made in this process (its keys a plain map) that gets a key at one commit and loses it at the next reads back with no key, its last section empty', async () => {
  const { file, cleanup } = folder();
  try {
    const store = new FileStateStore(file, 1_000);
    const tx = await store.begin();
    tx.data.alerts.fresh = { lastRunAt: NOW, keys: plainMap([['alice', key(NOW)]]) };
    tx.data.alerts.quiet = { lastRunAt: NOW, keys: plainMap() };
    await tx.commit();
    assert.deepEqual(Object.keys(readStateFiles(file).alerts.fresh.keys), ['alice']);
    delete tx.data.alerts.fresh!.keys.alice;
    await tx.commit();
    assert.deepEqual(readStateFiles(file).alerts.fresh.keys, {}, 'read back (by the test parser) with no key');
    const sections = keyTexts(file).join('').split('\n').filter((line) => line.startsWith('A\t') || line.startsWith('U\t'));
    assert.match(sections.at(-1)!, /^A\t"fresh"\t\{"count":0,.*\}\t0$/, 'an empty section replaces its keys');
    assert.ok(!sections.some((s) => s.includes('"quiet"')), 'an alert that never had a key has no section');
    // A third commit has nothing to write for it.
    const before = readFileSync(file, 'utf8');
    await tx.commit();
    assert.equal(readFileSync(file, 'utf8'), before);
    await tx.release();
    const again = await store.begin();
    assert.deepEqual(Object.keys(again.data.alerts.fresh!.keys), [], 'alertcron reads no key back');
    await again.release();
  } finally {
    cleanup();
  }
});

test('an older key file rewritten by a commit whose keys changed in this process holds the keys as changed (the lines made for the change check are those written)', async () => {
  const { file, cleanup } = folder();
  try {
    const keys = { alice: key(NOW - 5), '7': key(NOW - 6) };
    writeFileSync(`${file}.keys-3.1`, `${JSON.stringify('quiet')}\t${JSON.stringify({ count: 2, attention: 0, firing: 2, oldestSeen: NOW - 6 })}\t${JSON.stringify(keys)}\n${JSON.stringify('other')}\t${JSON.stringify({ count: 1, attention: 0, firing: 1, oldestSeen: NOW - 9 })}\t${JSON.stringify({ bob: key(NOW - 9) })}\n`);
    writeFileSync(file, JSON.stringify({ version: 1, alerts: { quiet: { lastRunAt: NOW }, other: { lastRunAt: NOW } }, pending: [], sent: [], silences: [], sources: {}, cursors: {}, keyFile: 'state.json.keys-3.1' }));
    const store = new FileStateStore(file, 1_000);
    const tx = await store.begin();
    const quiet = tx.data.alerts.quiet!.keys;
    quiet.alice = { ...quiet.alice!, lastSeen: NOW, fired: 2 };
    quiet.carol = key(NOW);
    delete tx.data.alerts.other!.keys.bob;
    await tx.commit();
    await tx.release();
    const want = { '7': key(NOW - 6), alice: { ...key(NOW - 5), lastSeen: NOW, fired: 2 }, carol: key(NOW) };
    assert.deepEqual(readStateFiles(file).alerts.quiet.keys, want, 'as the test parser reads the new key file');
    assert.deepEqual(readStateFiles(file).alerts.other.keys, {});
    const again = await store.begin();
    assert.deepEqual(contentOf(again.data.alerts.quiet!.keys), want);
    assert.deepEqual(Object.keys(again.data.alerts.other!.keys), []);
    await again.release();
  } finally {
    cleanup();
  }
});
