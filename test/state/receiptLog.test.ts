// The receipt log beside state.json (issue 29 point 2): appended, never rewritten; the last line of a notice counts;
// a line a kill cut spoils only itself; old days go as whole files; a run that reads no receipt never opens it.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { emptyState, type PendingDelivery, type SentNotice } from '../../src/model/state.js';
import { FileStateStore } from '../../src/state/fileStore.js';
import { markDelivered } from '../../src/state/delivered.js';
import { ReceiptLog, receiptFolder } from '../../src/state/receiptLog.js';
import { addReceipt, attachReceiptLog, pruneReceipts, recentReceipts, writeReceipts } from '../../src/state/receipts.js';
import { checkProperty } from '../support/property.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-25T10:00:00Z');
const sent = (id: string, at: number, over: Partial<SentNotice> = {}): SentNotice => ({ id, alert: 'a', key: 'k', channel: 'c', reason: 'first', at, receipt: { id: `r-${id}` }, ...over });

function folder() {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-receipts-'));
  return { dir, file: join(dir, 'state.json'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('the log keeps the last line of each notice, skips a line a kill cut (the next append starts a new line), and removes only whole old days', () => {
  const { dir, cleanup } = folder();
  try {
    const log = new ReceiptLog(join(dir, 'r'));
    log.append([sent('n1', NOW - 3 * DAY), sent('n2', NOW - 3 * DAY + 1)]);
    const [day] = log.days();
    appendFileSync(join(dir, 'r', log.files()[0]!.name), '{"id":"cut","alert":"a","ke');
    log.append([sent('n1', NOW - 3 * DAY, { offered: [] }), sent('n3', NOW)]);
    assert.deepEqual(log.read().map((n) => [n.id, n.offered]), [['n1', []], ['n2', undefined], ['n3', undefined]], 'n1 written again wins, in its place; the cut line is left out');
    // A file of the older layout (named by its day only) is read before the numbered ones.
    writeFileSync(join(dir, 'r', '2026-11-01.jsonl'), `${JSON.stringify({ id: 'bad', at: 'yesterday' })}\n${JSON.stringify(sent('n0', Date.parse('2026-11-01T05:00:00Z')))}\n`);
    assert.deepEqual(log.read().map((n) => n.id), ['n0', 'n1', 'n2', 'n3'], 'a line of the wrong shape is left out');
    assert.equal(day, '2026-11-22', 'a batch goes to the day of its latest receipt');
    assert.deepEqual(log.read(NOW - DAY).map((n) => n.id), ['n1', 'n3'], 'only the days asked for are read (n1 written again on the 25th)');
    log.prune(Date.parse('2026-11-02T00:00:00Z'));
    assert.deepEqual(log.days(), ['2026-11-22', '2026-11-25'], 'the day that ended by the horizon is removed, whole');
  } finally {
    cleanup();
  }
});

test('a delivery journalled before a kill reaches the receipt log, not state.json; a replayed line is kept once', async () => {
  const { file, cleanup } = folder();
  try {
    const store = new FileStateStore(file, 1_000);
    const killed = await store.begin();
    killed.data.alerts.a = { keys: { k: { firstSeen: NOW, lastSeen: NOW, fired: 1, delivered: {} } } };
    const item: PendingDelivery = { id: 'n1', alert: 'a', key: 'k', channel: 'c', reason: 'first', title: 't', message: 'm', createdAt: NOW, attempts: 0 };
    killed.data.pending.push(item);
    await killed.commit();
    await killed.journal({ id: 'n1', at: NOW + 5, receipt: { id: '42' } });
    await killed.release();

    const next = await store.begin();
    assert.deepEqual(next.data.pending, []);
    await next.release();
    assert.equal('sent' in JSON.parse(readFileSync(file, 'utf8')), false, 'state.json holds no receipt');
    const log = new ReceiptLog(receiptFolder(file));
    assert.deepEqual(log.read().map((n) => [n.id, n.receipt.id]), [['n1', '42']]);
    // A kill after the receipts were appended but before state.json and the journal were written appends them again.
    log.append(log.read());
    const again = await store.peek();
    assert.deepEqual(again.data.sent.map((n) => n.id), ['n1'], 'read once');
    assert.deepEqual(JSON.parse(JSON.stringify(again.data.alerts.a!.keys.k!.opened)), { c: { at: NOW + 5, receipt: { id: '42' } } }, 'the key keeps the receipt of its latest notice');
  } finally {
    cleanup();
  }
});

test('an older state.json with receipts has them moved to the log by the next write, none lost', async () => {
  const { file, cleanup } = folder();
  try {
    const old = Array.from({ length: 500 }, (_, i) => sent(`old-${i}`, NOW - i * 60_000));
    writeFileSync(file, JSON.stringify({ ...emptyState(), sent: old }));
    const tx = await new FileStateStore(file, 1_000).begin();
    await tx.commit();
    await tx.release();
    assert.equal('sent' in JSON.parse(readFileSync(file, 'utf8')), false);
    assert.deepEqual(new ReceiptLog(receiptFolder(file)).read().map((n) => n.id).sort(), old.map((n) => n.id).sort());
    assert.equal(readdirSync(receiptFolder(file)).length, 1, 'one day file');
  } finally {
    cleanup();
  }
});

test('property: receipts kept in the log read back as the plain list would hold them, over runs that add, change, prune and read', async () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 12 }), gap: fc.integer({ min: 0, max: 2 * DAY }) }),
    fc.record({ kind: fc.constant('offer' as const), id: fc.integer({ min: 0, max: 12 }) }),
    fc.record({ kind: fc.constant('prune' as const), age: fc.integer({ min: DAY, max: 5 * DAY }) }),
    fc.record({ kind: fc.constant('recent' as const), age: fc.integer({ min: 0, max: 4 * DAY }) }),
    fc.constant({ kind: 'run' as const }),
  );
  await checkProperty('receipt log equals the list', fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
    const { file, cleanup } = folder();
    try {
      const log = new ReceiptLog(receiptFolder(file));
      let model: SentNotice[] = [];
      let now = NOW;
      let data = emptyState();
      let cutoff = -Infinity;
      attachReceiptLog(data, log);
      for (const o of ops) {
        if (o.kind === 'add') {
          now += o.gap;
          const notice = sent(`n${o.id}-${now}`, now);
          addReceipt(data, notice);
          // A receipt's id is its delivery's, taken once out of the pending list; a second one of the same id (drawn here
          // at the same instant, seed 393745913) replaces the first, as the log keeps the latest line of a notice.
          model = model.filter((n) => n.id !== notice.id);
          model.push(structuredClone(notice));
        } else if (o.kind === 'offer') {
          const target = data.sent.find((n) => n.id.startsWith(`n${o.id}-`));
          if (target) {
            target.offered = [];
            model.find((n) => n.id === target.id)!.offered = [];
          }
        } else if (o.kind === 'prune') {
          cutoff = Math.max(cutoff, now - o.age);
          pruneReceipts(data, now - o.age, () => true);
          model = model.filter((n) => n.at >= now - o.age);
        } else if (o.kind === 'recent') {
          assert.deepEqual(recentReceipts(data, now - o.age).map((n) => n.id).sort(), model.filter((n) => n.at >= now - o.age).map((n) => n.id).sort());
        } else {
          // The run writes and ends; the next run starts from the files (the prune horizon is the next run's again).
          writeReceipts(data);
          data = emptyState();
          attachReceiptLog(data, log);
          // Every run forgets the receipts past prune_after before it reads any (a pruned day file may still hold older
          // lines of a day it keeps: seed 393745913 read one back at a run that did not prune).
          if (cutoff > -Infinity) pruneReceipts(data, cutoff, () => true);
          const horizon = Math.min(...model.map((n) => n.at), now);
          model = model.filter((n) => n.at >= horizon);
          const read = data.sent.filter((n) => n.at >= horizon);
          assert.deepEqual(read.map((n) => JSON.stringify(n)).sort(), model.map((n) => JSON.stringify(n)).sort());
        }
      }
    } finally {
      cleanup();
    }
  }), 100);
});

test('markDelivered takes items out of a long pending list in any order, each once', () => {
  const data = emptyState();
  const items = Array.from({ length: 2000 }, (_, i): PendingDelivery => ({ id: `p${i}`, alert: 'a', key: `k${i}`, channel: 'c', reason: 'first', title: '', message: '', createdAt: NOW, attempts: 0 }));
  data.pending.push(...items);
  const order = items.map((p) => p.id).sort(() => 0).reverse().filter((_, i) => i % 2 === 0);
  for (const id of order) assert.equal(markDelivered(data, { id, at: NOW })?.id, id);
  for (const id of order) assert.equal(markDelivered(data, { id, at: NOW }), undefined, 'applying twice changes nothing');
  assert.deepEqual(data.pending.map((p) => p.id), items.map((p) => p.id).filter((id) => !order.includes(id)), 'the rest keep their order');
});

test('a journal replay of many deliveries takes each out of the pending list in constant time (element reads counted, not time)', async () => {
  const { DeliveryJournal } = await import('../../src/state/journal.js');
  const { file, cleanup } = folder();
  try {
    const data = emptyState();
    const n = 4_000;
    const items = Array.from({ length: n }, (_, i): PendingDelivery => ({ id: `p${i}`, alert: 'a', key: `k${i}`, channel: 'c', reason: 'first', title: '', message: '', createdAt: NOW, attempts: 0 }));
    // Every read of an item of the pending list is counted: a scan per entry would read about n * n / 2 of them.
    let reads = 0;
    data.pending = new Proxy(items, {
      get(target, property, receiver) {
        if (typeof property === 'string' && /^\d+$/.test(property)) reads++;
        return Reflect.get(target, property, receiver);
      },
    });
    // Newest first: a scan per entry would walk the whole list each time.
    const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `p${n - 1 - i}`, at: NOW }));
    writeFileSync(`${file}.journal`, `${lines.join('\n')}\n`);
    const recovered = new DeliveryJournal(`${file}.journal`).replay(data);
    assert.equal(recovered.length, n);
    assert.deepEqual(data.pending, []);
    assert.ok(reads <= 5 * n, `replaying ${n} deliveries read ${reads} items of the pending list (at most ${5 * n})`);
  } finally {
    cleanup();
  }
});

test('after one write by a clock a year ahead, later receipts go to files of their own days, which are pruned as usual', () => {
  const { dir, cleanup } = folder();
  try {
    const log = new ReceiptLog(join(dir, 'r'));
    log.append([sent('n0', NOW - DAY)]);
    log.append([sent('ahead', NOW + 365 * DAY)]);
    // The clock is right again: a clock step rebases the receipt (written again) and new ones come, day after day.
    log.append([sent('ahead', NOW - 1), sent('n1', NOW)]);
    for (let d = 1; d <= 10; d++) {
      log.append([sent(`d${d}`, NOW + d * DAY)]);
      log.prune(NOW + d * DAY - 3 * DAY);
    }
    const files = readdirSync(join(dir, 'r')).map((name) => ({ name, day: /(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(name)![1]! }));
    assert.ok(files.length <= 5, `old files are pruned: ${files.map((f) => f.name).join(' ')}`);
    assert.ok(files.every((f) => f.day >= '2026-11-30'), 'only recent days and the year-ahead write are left');
    const future = files.find((f) => f.day === '2027-11-25')!;
    assert.equal(readFileSync(join(dir, 'r', future.name), 'utf8').trim().split('\n').length, 1, 'the year-ahead file took no later receipt');
    assert.deepEqual(log.read(NOW + 9 * DAY).map((n) => n.id).filter((id) => id !== 'ahead'), ['d9', 'd10'], 'the recent days are read');
  } finally {
    cleanup();
  }
});

test('findReceipt reads the log from its newest file until a match: the latest line of a notice wins, a change to it is written', async () => {
  const { findReceipt, keepReceiptChange } = await import('../../src/state/receipts.js');
  const { dir, cleanup } = folder();
  try {
    const log = new ReceiptLog(join(dir, 'r'));
    log.append([sent('n1', NOW - 2 * DAY, { ref: 'abc' }), sent('n2', NOW - 2 * DAY + 1, { ref: 'old' })]);
    // n2 written again without the ref it had: its older line no longer counts.
    log.append([sent('n2', NOW - 2 * DAY + 1, { ref: 'new' }), sent('n3', NOW, { ref: 'abc' })]);
    const data = emptyState();
    attachReceiptLog(data, log);
    assert.equal(findReceipt(data, 'abc', (s) => s.ref === 'abc')?.id, 'n3', 'the newest first');
    assert.equal(findReceipt(data, 'old', (s) => s.ref === 'old'), undefined, 'an older line of a notice written again never wins');
    assert.equal(findReceipt(data, 'n1', (s) => s.id === 'n1')?.ref, 'abc', 'found in an older file');
    pruneReceipts(data, NOW - DAY, () => true);
    assert.equal(findReceipt(data, 'n1', (s) => s.id === 'n1'), undefined, 'not past the horizon');
    const n3 = findReceipt(data, 'n3', (s) => s.id === 'n3')!;
    n3.offered = [];
    keepReceiptChange(data, n3);
    writeReceipts(data);
    assert.deepEqual(log.read().find((s) => s.id === 'n3')?.offered, [], 'the change was written');
  } finally {
    cleanup();
  }
});

test('find: a line a kill cut (the start of a notice written again) hides no older valid version, as read skips it', () => {
  const { dir, cleanup } = folder();
  try {
    const log = new ReceiptLog(join(dir, 'r'));
    const m = sent('M', NOW, { ref: 'BBBBBBBB' });
    log.append([m]);
    appendFileSync(join(dir, 'r', log.files()[0]!.name), JSON.stringify({ ...m, offered: [] }).slice(0, 40));
    assert.deepEqual(log.read().map((n) => n.id), ['M'], 'read skips the cut line');
    assert.deepEqual(log.find('BBBBBBBB', () => true), m, 'find returns the valid version too');
  } finally {
    cleanup();
  }
});

test('findReceipt agrees on the newest receipt whether the list was read or not', async () => {
  const { findReceipt } = await import('../../src/state/receipts.js');
  const { dir, cleanup } = folder();
  try {
    const log = new ReceiptLog(join(dir, 'r'));
    log.append([sent('n1', NOW - 1, { ref: 'abc' }), sent('n2', NOW, { ref: 'abc' })]);
    const data = emptyState();
    attachReceiptLog(data, log);
    assert.equal(findReceipt(data, 'abc', (s) => s.ref === 'abc')?.id, 'n2', 'from the log: the newest');
    assert.equal(data.sent.length, 2, 'the list is read');
    assert.equal(findReceipt(data, 'abc', (s) => s.ref === 'abc')?.id, 'n2', 'from the list: the newest too');
  } finally {
    cleanup();
  }
});
