import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Config } from '../../src/config/types.js';
import { emptyState, type StateData } from '../../src/model/state.js';
import type { HostRecord } from '../../src/model/partition.js';
import { renderStatusPage } from '../../src/inspect/statusPage.js';
import { statusView } from '../../src/inspect/statusView.js';
import { recordRun, RUN_HISTORY_KEPT } from '../../src/run/runHistory.js';
import type { RunReport } from '../../src/run/report.js';
import { escapeHtml } from '../../src/render/html/escape.js';
import { cleanText } from '../../src/util/text.js';
import { HOSTILE_FIELDS } from '../support/hostileText.js';
import { checkProperty } from '../support/property.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const CONFIG = { file: '/srv/alertcron/alertcron.yaml', state: { backend: 'file', host_id: 'host-a', host_ttl: 180_000, max_clock_skew: 1_000 } } as unknown as Config;
/** The elements and attributes the page's own markup uses: anything else came from outside text. */
const TAGS = new Set(['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'p', 'nav', 'a', 'section', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'time', 'code', 'br']);
const ATTRIBUTES = new Set(['lang', 'charset', 'http-equiv', 'content', 'name', 'href', 'id', 'class', 'datetime']);

/** Text an attacker may write: anything, markup fragments, and the hostile strings the channels are tested with. */
const outside = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...Object.values(HOSTILE_FIELDS).map((v) => v.slice(0, 300))),
  fc.array(fc.constantFrom('<', '>', '"', "'", '&', '/', '=', 'script', ' onerror', 'svg', '`', '\n', '#'), { maxLength: 20 }).map((parts) => parts.join('')),
);

/** A state with every part the page shows holding the given outside texts. */
function stateWith(t: string[]): StateData {
  const data = emptyState();
  const key = { delivered: {}, firstSeen: NOW - 600_000, lastSeen: NOW - 60_000, lastFired: NOW - 60_000, fired: 2, acknowledged: { at: NOW - 30_000, by: t[1]! }, handled: { at: NOW - 20_000, by: t[2]!, how: t[3]! } };
  data.alerts[t[0]!] = { keys: { [t[4]!]: key }, lastError: t[5]!, window: { from: NOW - 120_000, to: NOW - 60_000 }, lastRunAt: NOW - 60_000 };
  data.silences.push({ id: 'abcd1234', alert: t[0]!, key: t[4]!, createdAt: NOW - 100_000, endsAt: NOW + 100_000, comment: t[6]!, author: t[7]! });
  data.silences.push({ id: 'abcd1235', alert: '*', match: { field: t[8]!, value: t[9]! }, createdAt: NOW - 100_000, endsAt: NOW + 100_000, comment: 'c', author: 'a' });
  data.pending.push({ id: 'p1', alert: t[0]!, key: t[4]!, channel: t[10]!, reason: 'first', title: t[11]!, message: t[11]!, createdAt: NOW - 50_000, attempts: 3, lastError: t[12]!, notBefore: NOW + 30_000 });
  const entry = { id: t[13]!, title: t[14]!, kind: 'private', by: t[15]!, at: NOW - 5_000 };
  data.chats = { [t[10]!]: { allowed: { [t[13]!]: entry }, requested: { x: { ...entry, id: 'x' } }, banned: { y: { ...entry, id: 'y' } } } };
  data.chatLog = [{ at: NOW - 4_000, channel: t[10]!, chat: t[13]!, by: t[15]!, what: t[16]!, ok: false, result: t[17]! }];
  data.conversations = [{ id: 'c1', alert: t[0]!, key: t[4]!, person: t[18]!, channel: t[10]!, state: '2fa_pending', askedAt: NOW - 9_000, deadline: NOW + 90_000, history: [{ at: NOW - 9_000, state: 'asked', note: t[19]! }], lastError: t[5]!, twoFactor: { username: t[18]!, pushedAt: NOW - 1_000 } } as never];
  data.runs = [{ startedAt: NOW - 61_000, finishedAt: NOW - 60_000, exitCode: 3, alerts: 1, alertsFailed: 1, delivered: 0, deliveriesFailed: 0, pending: 1, firstError: t[5]! }];
  return data;
}

/** A heartbeat of another host whose id and holder an attacker chose. */
function hostWith(t: string[]): HostRecord {
  return { id: t[20]!, holder: t[21]!, lastSeen: NOW - 5_000, startedAt: NOW - 3_600_000, version: t[22]!, lastRun: { startedAt: NOW - 8_000, finishedAt: NOW - 6_000, exitCode: 4, evaluated: 3, partitions: [1, 2], coordinator: false }, takeovers: [{ lease: '5', from: t[23]!, at: NOW - 2_000 }] } as HostRecord;
}

test('the status page: whatever outside text the state holds, the markup is only the page\'s own (no element, attribute or link from it), and each text is shown', async () => {
  await checkProperty(
    'status page markup',
    fc.property(fc.array(outside, { minLength: 24, maxLength: 24 }), fc.boolean(), (texts, cluster) => {
      const peeked = { data: stateWith(texts), ...(cluster ? { cluster: { hosts: [hostWith(texts)], leases: [] } } : {}) };
      const html = renderStatusPage(statusView(CONFIG, { alerts: [] }, peeked, NOW), { project: texts[0]!, generatedAt: NOW });
      for (const tag of html.matchAll(/<\/?([!a-zA-Z][^\s>/]*)([^>]*)>/g)) {
        assert.ok(TAGS.has(tag[1]!.toLowerCase()), `element ${tag[1]} in ${tag[0]}`);
        for (const attribute of tag[2]!.matchAll(/([^\s=]+)="([^"]*)"/g)) {
          assert.ok(ATTRIBUTES.has(attribute[1]!.toLowerCase()), `attribute ${attribute[1]} in ${tag[0]}`);
          if (attribute[1] === 'href') assert.match(attribute[2]!, /^#[a-z-]+$/, 'links stay on the page');
        }
        // Between attributes only white space, names and quoted values (no unquoted value an outside text could end).
        assert.match(tag[2]!.replace(/([^\s=]+)="[^"]*"/g, ''), /^[\s/]*$|^ html$/, `stray attribute text in ${tag[0]}`);
      }
      assert.equal((html.match(/<section id="/g) ?? []).length, 10, 'every section, once');
      for (const i of [0, 1, 4, 6, 7, 10, 14, 16, 18]) {
        const shown = escapeHtml(cleanText(texts[i]!));
        if (texts[i]!.trim() && !/[\u0000-\u001f]/.test(texts[i]!)) assert.ok(html.includes(shown), `text ${i} ${JSON.stringify(texts[i])} is on the page`);
      }
    }),
    200,
  );
});

test('recordRun keeps the newest RUN_HISTORY_KEPT runs, newest last, with their counts and the first error on one line; a history that is not a list starts again', () => {
  const data = emptyState();
  (data as { runs?: unknown }).runs = 'spoiled by hand';
  const report = (i: number) => ({ exitCode: i % 2 ? 3 : 0, pending: 1, stateUnavailable: undefined, alerts: [{ name: 'a', status: i % 2 ? 'error' : 'ok', error: 'down\nsecond line', findings: [] }, { name: 'b', status: 'not-due', findings: [] }], deliveries: [{ alert: 'a', key: 'k', channel: 'mail', ok: true, attempts: 1 }, { alert: 'a', key: 'k', channel: 'chat', ok: false, attempts: 1, error: 'refused' }, { alert: 'a', key: 'j', channel: 'chat', ok: false, attempts: 0, muted: 'silenced' }] }) as unknown as RunReport;
  for (let i = 0; i < RUN_HISTORY_KEPT + 5; i++) recordRun(data, report(i), 1_000 * i, 1_000 * i + 500);
  assert.equal(data.runs!.length, RUN_HISTORY_KEPT);
  assert.equal(data.runs![0]!.startedAt, 5_000, 'the oldest were dropped');
  assert.deepEqual(data.runs!.at(-1), { startedAt: 24_000, finishedAt: 24_500, exitCode: 0, alerts: 1, alertsFailed: 0, delivered: 1, deliveriesFailed: 1, pending: 1, firstError: 'a -> chat: refused' });
  assert.equal(data.runs!.at(-2)!.firstError, 'down second line', 'a failed alert\'s error first, on one line');
});

test('statusView reads an older state without a history as none, and leaves out hand-spoiled records', () => {
  assert.deepEqual(statusView(CONFIG, { alerts: [] }, { data: emptyState() }, NOW).runs, []);
  const data = emptyState();
  data.runs = [{ startedAt: 'x' } as never, { startedAt: NOW - 2_000, finishedAt: NOW - 1_000, exitCode: 0, alerts: 2, alertsFailed: 0, delivered: 1, deliveriesFailed: 0, pending: 0 }];
  assert.deepEqual(statusView(CONFIG, { alerts: [] }, { data }, NOW).runs, [{ started: new Date(NOW - 2_000).toISOString(), finished: new Date(NOW - 1_000).toISOString(), took: '1s', exit_code: 0, alerts: 2, alerts_failed: 0, delivered: 1, deliveries_failed: 0, pending: 0, first_error: null }]);
});

test('a key that fired, resolved and fired again: the page shows when this episode began and for how long; a key of an older state (no episode start) shows its first sight, marked so', () => {
  const DAY = 86_400_000;
  const data = emptyState();
  data.alerts.logons = {
    keys: {
      root: { delivered: {}, firstSeen: NOW - 4 * DAY, lastSeen: NOW - 60_000, lastFired: NOW - 60_000, firingSince: NOW - 2 * 3_600_000, resolvedAt: NOW - 3 * DAY, fired: 2 },
      older: { delivered: {}, firstSeen: NOW - 4 * DAY, lastSeen: NOW - 60_000, lastFired: NOW - 60_000, resolvedAt: NOW - 3 * DAY, fired: 2 },
    },
    lastRunAt: NOW - 60_000,
  };
  const view = statusView(CONFIG, { alerts: [] }, { data }, NOW);
  const [root, older] = view.alerts[0]!.firing;
  assert.deepEqual([root!.firing_since, root!.firing_since_from], [new Date(NOW - 2 * 3_600_000).toISOString(), 'episode']);
  assert.deepEqual([older!.firing_since, older!.firing_since_from], [new Date(NOW - 4 * DAY).toISOString(), 'first_seen']);
  const html = renderStatusPage(view, { project: '/srv/alertcron', generatedAt: NOW });
  const firing = html.match(/<section id="firing">[\s\S]*?<\/section>/)![0];
  assert.match(firing, /<th>alert<\/th><th>key<\/th><th>firing since<\/th><th>times notified<\/th><th>last notified<\/th>/);
  assert.match(firing, /<td><code>root<\/code><\/td><td><span class="firing-since"><time [^>]*>[^<]*<\/time> <span class="muted">\(for 2h\)<\/span><\/span><\/td><td>2<\/td>/);
  assert.match(firing, /<td><code>older<\/code><\/td><td><span class="firing-since"><time [^>]*>[^<]*<\/time> <span class="muted">\(for 4d\)<\/span> <span class="muted first-seen">first seen: state from an older version keeps no episode start<\/span><\/span><\/td>/);
});

test('an episode start outside the current episode (kept by an older version that re-fired the key, or after its last notice) is not trusted: the key shows its first sight', () => {
  const data = emptyState();
  const base = { delivered: {}, firstSeen: NOW - 9 * 3_600_000, lastSeen: NOW - 60_000, fired: 3 };
  data.alerts.logons = {
    keys: {
      // Episode 1 began at -5h and resolved at -4h; an older version re-fired it at -1m without updating firingSince.
      refired: { ...base, firingSince: NOW - 5 * 3_600_000, resolvedAt: NOW - 4 * 3_600_000, lastFired: NOW - 60_000 },
      ahead: { ...base, firingSince: NOW - 30_000, lastFired: NOW - 60_000 },
      current: { ...base, firingSince: NOW - 3_600_000, resolvedAt: NOW - 4 * 3_600_000, lastFired: NOW - 60_000 },
    },
    lastRunAt: NOW - 60_000,
  };
  const firing = statusView(CONFIG, { alerts: [] }, { data }, NOW).alerts[0]!.firing;
  const first = new Date(NOW - 9 * 3_600_000).toISOString();
  assert.deepEqual(Object.fromEntries(firing.map((f) => [f.key, [f.firing_since, f.firing_since_from]])), {
    refired: [first, 'first_seen'],
    ahead: [first, 'first_seen'],
    current: [new Date(NOW - 3_600_000).toISOString(), 'episode'],
  });
});
