// How a notice becomes a TheHive alert (src/notify/channels/thehive): markdown escaping of values, the sourceRef,
// observables from a finding's fields or a digest's rows, and resolved notices (never sent as new alerts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hiveAlertBody } from '../../src/notify/channels/thehive/alertBody.js';
import { DIGEST_CELL_CHARS, cellsOf } from '../../src/policy/digest.js';
import { theHiveChannel } from '../../src/notify/channels/thehive/index.js';
import { hiveSourceRef } from '../../src/notify/channels/thehive/sourceRef.js';
import type { Notification } from '../../src/notify/types.js';
import { inertMarkdown } from '../../src/render/markdownText.js';
import { describeHiveError } from '../../src/sources/thehive/client.js';
import { cleanText } from '../../src/util/text.js';
import { checkProperty, fc } from '../support/property.js';
import { useTheHiveServer } from '../support/theHiveServer.js';

const fake = useTheHiveServer();
/** Every ASCII punctuation character, each escaped by a backslash, and nothing else: the shape of inert markdown. */
const INERT = /^(?:\\[!-/:-@[-`{-~]|[^!-/:-@[-`{-~])*$/;

test('property: any text becomes inert markdown that reads the same: every punctuation character escaped, nothing else changed but control characters', async () => {
  const markdownish = fc.string({ unit: fc.constantFrom(...'[]()<>!*_`#|~\\:/.@&=-+ abc\n') });
  const hostile = fc.array(fc.constantFrom('[a](http://x.y)', '<script>', '![i](j)', '**b**', '`c`', '# h', '1. l', '| t |', '@here', 'www.e.com', 'a@b.co', '&amp;', '\\', '\n', '\u202e', '\u0000', 'é', '😀'), { maxLength: 12 }).map((parts) => parts.join(''));
  await checkProperty(
    'inert markdown',
    fc.property(fc.oneof(markdownish, hostile, fc.string({ unit: 'binary' })), (text) => {
      const inert = inertMarkdown(text);
      assert.match(inert, INERT);
      assert.equal(inert.replace(/\\([!-/:-@[-`{-~])/g, '$1'), cleanText(text), 'unescaped, it is the cleaned text');
    }),
    500,
  );
});

const hiveConfig = (raw: Record<string, unknown>) => theHiveChannel.complete({ type: 'thehive', url: fake.server.base, api_key: fake.server.apiKey, ...raw });

const notice = (extra: Partial<Notification> = {}): Notification => ({
  alert: 'admin-logons',
  key: 'Administrator',
  reason: 'first',
  title: 'Admin logon',
  message: 'see [here](http://evil.example)',
  window: { from: 1_000, to: 61_000 },
  labels: { 'source.ip': '10.0.0.1', 'host.name': 'dc01' },
  ...extra,
});

test('the sourceRef is stable for the same alert, key, reason and window and differs when any of them does', () => {
  const ref = hiveSourceRef(notice());
  assert.equal(hiveSourceRef(notice({ title: 'other text', message: 'other' })), ref);
  for (const other of [notice({ alert: 'b' }), notice({ key: 'b' }), notice({ reason: 'tier-1' }), notice({ window: { from: 1_000, to: 62_000 } })]) assert.notEqual(hiveSourceRef(other), ref);
  assert.match(ref, /^alertcron-[0-9a-f]{20}$/);
});

test('a digest makes one alert whose observables are the rows\' values of the mapped columns, each once', () => {
  const config = hiveConfig({ observables: [{ field: 'source.ip', type: 'ip' }, { field: 'user.name', type: 'other' }] });
  const digest = {
    from: 0,
    to: 3_600_000,
    columns: ['source.ip', 'host.name'],
    rows: [
      { cells: ['10.0.0.1', 'dc01'], count: 3, first: 1, last: 2 },
      { cells: ['10.0.0.2', 'dc01'], count: 1, first: 1, last: 2 },
      { cells: ['10.0.0.1', 'dc02'], count: 1, first: 1, last: 2 },
    ],
    findings: 5,
    omitted: 0,
  };
  const body = hiveAlertBody(config, notice({ key: '_digest', reason: 'digest', digest, labels: undefined, message: 'source.ip | host.name\n10.0.0.1 | dc01' }));
  assert.deepEqual(body.observables, [
    { dataType: 'ip', data: '10.0.0.1', tags: [] },
    { dataType: 'ip', data: '10.0.0.2', tags: [] },
  ]);
  assert.equal(body.description, 'source\\.ip \\| host\\.name\n10\\.0\\.0\\.1 \\| dc01');
});

test('a resolved notice creates nothing in TheHive (its alert is closed there, by people)', async () => {
  const notifier = await theHiveChannel.notifier('hive', hiveConfig({}));
  assert.equal(await notifier.send(notice({ reason: 'resolved' }), new AbortController().signal), undefined);
  assert.equal(fake.server.requests.length, 0);
  const receipt = await notifier.send(notice(), new AbortController().signal);
  assert.deepEqual(receipt, { id: fake.server.alerts[0]!._id });
});

test('TheHive\'s error message is one clean line of at most 200 characters, however long the server\'s text', () => {
  const config = hiveConfig({}).hive;
  const said = describeHiveError(config, 400, JSON.stringify({ type: 'CreateError', message: `bad\n\u001b[31m${'x'.repeat(5000)}` }));
  const detail = said.slice(said.indexOf('HTTP 400 ') + 'HTTP 400 '.length);
  assert.ok(detail.startsWith('CreateError: bad x'), said);
  assert.ok(detail.length <= 200, `${detail.length} characters`);
  assert.ok(!/[\n\u001b]/.test(said), said);
});

test('a channel with its own url takes neither the thehive: section\'s version nor its timeout', () => {
  const section = { thehive: { url: 'http://other.example', api_key: 'k', version: 4, timeout: 60_000, max_items: 100 } };
  const own = theHiveChannel.complete({ type: 'thehive', url: fake.server.base, api_key: 'x' }, section);
  assert.deepEqual([own.hive.version, own.hive.timeout], [5, 10_000]);
  const shared = theHiveChannel.complete({ type: 'thehive' }, section);
  assert.deepEqual([shared.hive.version, shared.hive.timeout], [4, 60_000]);
});

test('a digest cell cut to the state\'s length makes no observable (a cut URL is a false indicator); the description says how many were left out', () => {
  const long = `https://evil.example/${'a'.repeat(300)}`;
  const [cut] = cellsOf(['url.full'], { key: 'k', count: 1, fields: { url: { full: long } }, samples: [] } as never);
  assert.equal(cut!.length, DIGEST_CELL_CHARS);
  const config = hiveConfig({ observables: [{ field: 'url.full', type: 'url' }], description: '{{message}}' });
  const digest = { from: 0, to: 3_600_000, columns: ['url.full'], rows: [{ cells: [cut!], count: 2, first: 1, last: 2 }, { cells: ['https://ok.example/x'], count: 1, first: 1, last: 2 }], findings: 3, omitted: 0 };
  const body = hiveAlertBody(config, notice({ key: '_digest', reason: 'digest', digest, labels: undefined, message: 'table' }));
  assert.deepEqual(body.observables, [{ dataType: 'url', data: 'https://ok.example/x', tags: [] }]);
  assert.equal(body.description, `table\n\n1 table value was cut to ${DIGEST_CELL_CHARS} characters and made no observable.`);
});

test('alert_type and source are templates like the title; {{fields.<path>}} is always the finding\'s field, even one named like a notice value', () => {
  const config = hiveConfig({
    alert_type: 'siem-{{event.module}}',
    source: '{{fields.reason}}',
    title: '{{reason}} / {{fields.reason}} / {{fields.alert}} / {{fields.env}}',
    tags: ['key:{{fields.key}}'],
  });
  const body = hiveAlertBody(config, notice({ labels: { 'event.module': 'sysmon', reason: 'phishing', alert: 'field-alert', key: 'field-key', 'fields.env': 'prod' } }));
  assert.deepEqual([body.type, body.source], ['siem-sysmon', 'phishing']);
  assert.equal(body.title, 'first / phishing / field-alert / prod');
  assert.deepEqual(body.tags, ['key:field-key']);
  // A type or source that renders empty is alertcron's default (TheHive needs both).
  const empty = hiveAlertBody(hiveConfig({ alert_type: '{{nothing}}', source: '{{fields.nothing}}' }), notice());
  assert.deepEqual([empty.type, empty.source], ['alertcron', 'alertcron']);
});
