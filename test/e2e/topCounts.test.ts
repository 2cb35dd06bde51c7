// top_count_keys: the top values of chosen fields among a finding's events, counted in the alert's own search, listed
// in the notice (and as {{top_counts}} / {{top_counts.<field>}}), log values kept inert; validate refuses other types.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** The plain text of each Slack message accepted: title, newline, message. */
const slackTexts = () => (world.slack.accepted() as { blocks: { text: { text: string } }[] }[]).map((p) => p.blocks[0]!.text.text);

const HOSTILE = '<!channel> <https://evil.example|click> *bold* @here';

/** Events of one user: `n` from each address, all on the hostile host name. */
function events(T: number, user: string, perIp: Record<string, number>): Record<string, unknown>[] {
  return Object.entries(perIp).flatMap(([ip, n]) => Array.from({ length: n }, (_, i) => ({ '@timestamp': iso(T - MIN - i * 1000), user: { name: user }, source: { ip }, host: HOSTILE })));
}

test('a grouped count alert lists the top values per key after its message, counted per key, hostile values escaped', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('topcounts-grouped');
  await indexDocs(world.esUrl, index, [...events(T, 'bob', { '203.0.113.5': 5, '198.51.100.7': 3, '192.0.2.1': 1 }), ...events(T, 'eve', { '192.0.2.9': 4 })]);
  const project = world.project();
  project.writeAlert('logons', { index, condition: { type: 'count', gte: 4 }, group_by: 'user.name', top_count_keys: ['source.ip', 'host'], top_count_number: 2, notify: ['soc-slack'], samples: 0, title: 'Logons {{key}}' });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const texts = slackTexts().sort();
  assert.equal(texts.length, 2);
  // The block is plain_text (Slack shows it as typed: no mention, link or style); the mrkdwn fallback carries none of it.
  assert.match(texts[0]!, /^Logons bob\n.*\n\nTop counts:\nsource\.ip: 203\.0\.113\.5 \(5\), 198\.51\.100\.7 \(3\)\nhost: (.*) \(9\)$/);
  assert.ok(texts[0]!.endsWith(`host: ${HOSTILE} (9)`));
  assert.match(texts[1]!, /^Logons eve\n.*\n\nTop counts:\nsource\.ip: 192\.0\.2\.9 \(4\)\nhost: /);
  const payloads = world.slack.accepted() as { text: string; blocks: { text: { type: string } }[] }[];
  for (const payload of payloads) {
    assert.equal(payload.blocks[0]!.text.type, 'plain_text');
    assert.doesNotMatch(payload.text, /<!channel>|<https:|\*bold\*/);
  }
});

test('an ungrouped alert counts over all its events; {{top_counts.<field>}} places one field and the list is not repeated', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('topcounts-all');
  await indexDocs(world.esUrl, index, [...events(T, 'bob', { '203.0.113.5': 2 }), ...events(T, 'eve', { '203.0.113.5': 1, '192.0.2.9': 2 })]);
  const project = world.project();
  project.writeAlert('all', { index, condition: { type: 'any' }, top_count_keys: ['source.ip', 'user.name'], notify: ['soc-slack'], samples: 0, title: 'All', message: 'ips: {{top_counts.source.ip}} | users: {{top_counts.user.name}}' });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(slackTexts(), ['All\nips: 203.0.113.5 (3), 192.0.2.9 (2) | users: eve (3), bob (2)']);
});

test('a frequency alert lists the top values of the firing key', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('topcounts-frequency');
  await indexDocs(world.esUrl, index, events(T, 'bob', { '203.0.113.5': 3, '192.0.2.1': 2 }));
  const project = world.project();
  project.writeAlert('burst', { index, condition: { type: 'frequency', num_events: 5, timeframe: '10m' }, group_by: 'user.name', top_count_keys: ['source.ip'], notify: ['soc-slack'], samples: 0, title: 'Burst', message: '{{key}}\n{{top_counts}}' });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(slackTexts(), ['Burst\nbob\nsource.ip: 203.0.113.5 (3), 192.0.2.1 (2)']);
});

test('validate refuses top_count_keys on a rule type whose findings are not events, and top_count_number alone', async () => {
  const project = world.project();
  project.writeAlert('quiet', { index: 'logs-*', condition: { type: 'flatline', threshold: 1, timeframe: '1h' }, top_count_keys: ['source.ip'], notify: ['soc-slack'] });
  project.writeAlert('lonely', { index: 'logs-*', condition: { type: 'any' }, top_count_number: 3, notify: ['soc-slack'] });
  const result = await project.run(['validate']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr + result.stdout, /quiet\.yaml.*top_count_keys.*condition type flatline does not support top_count_keys .*use one of any, count, frequency, blacklist, whitelist/);
  assert.match(result.stderr + result.stdout, /lonely\.yaml.*top_count_number.*applies only with top_count_keys/);
});

test('two alerts over the same index and span (fused into one search by default) each get the top values of their own events', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('topcounts-fused');
  await indexDocs(world.esUrl, index, [...events(T, 'bob', { '203.0.113.5': 2 }), ...events(T, 'eve', { '192.0.2.9': 3 })]);
  const project = world.project();
  for (const user of ['bob', 'eve']) {
    project.writeAlert(`only-${user}`, { index, query: { query: { term: { 'user.name': user } } }, condition: { type: 'any' }, top_count_keys: ['source.ip'], notify: ['soc-slack'], samples: 0, title: user, message: '{{top_counts}}' });
  }
  const result = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(slackTexts().sort(), ['bob\nsource.ip: 203.0.113.5 (2)', 'eve\nsource.ip: 192.0.2.9 (3)']);
});
