import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyState, type KeyState, type StateData } from '../../src/model/state.js';
import { stateShapeProblem } from '../../src/state/checkShape.js';
import { FileStateStore } from '../../src/state/fileStore.js';
import { withoutPrototypes } from '../../src/state/plainState.js';
import { firedKey } from '../support/keyStates.js';

const NOW = Date.parse('2026-12-08T01:00:00Z');

const key = firedKey;

test('with an enumerable property on Object.prototype (as a dependency might add), a valid state.json checks clean and keeps its keys', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-proto-'));
  const file = join(dir, 'state.json');
  try {
    // As an older version wrote it: the keys inside state.json (parsed, every object has Object.prototype).
    const legacy = { version: 1, alerts: { quiet: { lastRunAt: NOW, keys: { alice: key(NOW) } } }, pending: [], sent: [], silences: [], sources: {}, cursors: {} };
    writeFileSync(file, JSON.stringify(legacy));
    Object.defineProperty(Object.prototype, 'polluted', { value: 1, enumerable: true, configurable: true, writable: true });
    try {
      assert.equal(stateShapeProblem(JSON.parse(JSON.stringify(legacy))), undefined);
      const tx = await new FileStateStore(file, 1_000).begin();
      try {
        assert.equal(tx.warning, undefined, 'nothing set aside');
        assert.equal(tx.data.alerts.quiet!.keys.alice!.lastSeen, NOW);
      } finally {
        await tx.release();
      }
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("state migrate's copy of the state, written to the file with an object on Object.prototype, gives the key file no alert or key more", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-proto-'));
  const file = join(dir, 'state.json');
  try {
    const source = emptyState();
    source.alerts.admins = { lastRunAt: NOW, keys: { alice: key(NOW) } };
    // As state migrate makes it: a JSON copy (every object with Object.prototype), made plain, assigned to the target's state.
    const moved = JSON.parse(JSON.stringify(source)) as StateData;
    withoutPrototypes(moved);
    const tx = await new FileStateStore(file, 1_000, undefined, true).begin();
    Object.defineProperty(Object.prototype, 'polluted', { value: { keys: { mallory: key(NOW) } }, enumerable: true, configurable: true, writable: true });
    try {
      for (const field of Object.keys(tx.data)) delete (tx.data as unknown as Record<string, unknown>)[field];
      Object.assign(tx.data, moved);
      await tx.commit();
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
      await tx.release();
    }
    const keyFiles = readdirSync(dir).filter((f) => f.startsWith('state.json.keys-'));
    const written = keyFiles.map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    assert.match(written, /alice/);
    assert.doesNotMatch(written, /polluted|mallory/, 'no section for a name inherited from Object.prototype');
    const { data, warning } = await new FileStateStore(file, 1_000).peek();
    assert.equal(warning, undefined);
    assert.deepEqual(Object.keys(data.alerts), ['admins']);
    assert.deepEqual(Object.keys(data.alerts.admins!.keys), ['alice']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
