import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyState, type PendingDelivery } from '../../src/model/state.js';
import { DeliveryJournal } from '../../src/state/journal.js';
import { auditRecovered } from '../../src/state/recoveredAudit.js';
import { checkProperty, fc } from '../support/property.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');

function notice(id: string): PendingDelivery {
  return { id, alert: 'users', key: `k-${id}`, channel: 'soc-slack', reason: 'first', title: 't', message: 'm', createdAt: NOW, attempts: 0 };
}

function lines(file: string): any[] {
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

test('a recovery repeated (killed before the state was written) does not write the delivered lines twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-recovered-'));
  try {
    const audit = join(dir, 'audit.log');
    writeFileSync(audit, `${JSON.stringify({ event: 'delivered', alert: 'users', key: 'k-a', channel: 'soc-slack', id: 'a' })}\n`);
    const journal = new DeliveryJournal(join(dir, 'state.json.journal'));
    await Promise.all(['a', 'b', 'c'].map((id) => journal.append({ id, at: NOW, receipt: { id: `r-${id}` } as never })));
    for (let time = 0; time < 2; time++) {
      const data = emptyState();
      data.pending = ['a', 'b', 'c', 'd'].map(notice);
      auditRecovered(audit, journal.replay(data));
      assert.deepEqual(data.pending.map((p) => p.id), ['d']);
    }
    const delivered = lines(audit).filter((e) => e.event === 'delivered');
    assert.deepEqual(delivered.map((e) => [e.id, e.recovered ?? false]), [['a', false], ['b', true], ['c', true]], 'a was audited by its run; b and c once, by the recovery');
    assert.equal(delivered[1].receipt, 'r-b');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a journal of any content (cut lines, other JSON, junk) recovers only entries of pending items, each audited once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-recovered-'));
  try {
    const line = fc.oneof(
      fc.constantFrom('a', 'b', 'c', 'zz').map((id) => JSON.stringify({ id, at: NOW })),
      fc.string(),
      fc.json(),
      fc.constantFrom('{"id":', 'null', '[]', '{"id":{"__proto__":1}}', '{"id":"a","at":"x"}'),
    );
    await checkProperty(
      'journal replay and recovered audit',
      fc.property(fc.array(line, { maxLength: 20 }), (journalLines) => {
        const file = join(dir, 'state.json.journal');
        const audit = join(dir, 'audit.log');
        rmSync(audit, { force: true });
        writeFileSync(file, journalLines.join('\n'));
        const data = emptyState();
        data.pending = ['a', 'b', 'c'].map(notice);
        const recovered = new DeliveryJournal(file).replay(data);
        auditRecovered(audit, recovered);
        auditRecovered(audit, recovered);
        const ids = recovered.map((r) => r.item.id);
        assert.equal(new Set(ids).size, ids.length, 'each item at most once');
        assert.deepEqual(data.pending.map((p) => p.id), ['a', 'b', 'c'].filter((id) => !ids.includes(id)));
        const audited = ids.length ? lines(audit).map((e) => e.id) : [];
        assert.deepEqual(audited, ids);
      }),
      200,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
