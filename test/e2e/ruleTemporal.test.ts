import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { event, notifiedTitles, runAt } from '../support/ruleRuns.js';
import { iso, useWorld } from '../support/world.js';

const S = 1000;
const MIN = 60_000;
const world = useWorld();

const rules = {
  whoami: { query: { term: { 'process.name': 'whoami.exe' } } },
  net: { query: { term: { 'process.name': 'net.exe' } } },
};

test('temporal: every named filter within a sliding timeframe per key, across bucket boundaries, ordered or not, used up by a fire', async () => {
  const T0 = uniqueBaseTime(); // minute-aligned; the first run's window is [T0-10m, T0), its span [T0-15m, T0)
  const index = await world.index('temporal');
  const proc = (at: number, host: string, name: string) => event(at, { 'host.name': host, 'process.name': name });
  await indexDocs(world.esUrl, index, [
    proc(T0 - 3 * MIN, 'web01', 'whoami.exe'), proc(T0 - 30 * S, 'web01', 'net.exe'), // both within 5m, in order
    proc(T0 - 2 * MIN, 'web02', 'whoami.exe'), proc(T0 - 1 * MIN, 'web02', 'whoami.exe'), // net never
    proc(T0 - 8 * MIN, 'web03', 'whoami.exe'), proc(T0 - 30 * S, 'web03', 'net.exe'), // 7m30s apart: never within 5m
    // 30 s apart across T0-5m, the boundary of fixed 5m buckets aligned on the run's end (pySigma's ES|QL misses it).
    proc(T0 - 5 * MIN - 20 * S, 'web04', 'whoami.exe'), proc(T0 - 4 * MIN - 50 * S, 'web04', 'net.exe'),
    proc(T0 - 2 * MIN, 'web05', 'net.exe'), proc(T0 - 1 * MIN, 'web05', 'whoami.exe'), // out of order
    proc(T0 - 1 * MIN, 'web06', 'cmd.exe'), // matches no filter
  ]);
  const project = world.project();
  const base = { index, every: '1m', throttle: '0s', group_by: 'host.name', notify: ['soc-email'] };
  project.writeAlert('recon', {
    ...base,
    condition: { type: 'temporal', timeframe: '5m', rules },
    title: '{{key}}: whoami {{matched.whoami}}, net {{matched.net}}, fired {{fires}}x',
  });
  // Without group_by: one key for all events, whichever host they come from.
  project.writeAlert('recon-all', {
    index, every: '1m', throttle: '0s', notify: ['soc-email'],
    condition: { type: 'temporal', timeframe: '5m', rules },
    title: 'all: fired {{fires}}x, last window ending {{window_end}}',
  });
  project.writeAlert('recon-ordered', {
    ...base,
    condition: { type: 'temporal', timeframe: '5m', ordered: true, rules },
    title: '{{key}} in order: {{window_start}}..{{window_end}}',
  });

  assert.deepEqual(notifiedTitles(await runAt(project, T0)), {
    recon: [
      `web01: whoami ${iso(T0 - 3 * MIN)}, net ${iso(T0 - 30 * S)}, fired 1x`,
      `web04: whoami ${iso(T0 - 5 * MIN - 20 * S)}, net ${iso(T0 - 4 * MIN - 50 * S)}, fired 1x`,
      `web05: whoami ${iso(T0 - 1 * MIN)}, net ${iso(T0 - 2 * MIN)}, fired 1x`,
    ],
    // Fires at T0-4m50s (whoami T0-5m20s, net T0-4m50s), which uses those up; then at T0-2m (whoami T0-3m, net T0-2m);
    // then at T0-30s (whoami T0-1m, net T0-30s). The buckets are 5s (5m / 60).
    'recon-all': [`all: fired 3x, last window ending ${iso(T0 - 30 * S)}`],
    'recon-ordered': [
      `web01 in order: ${iso(T0 - 3 * MIN)}..${iso(T0 - 30 * S)}`,
      `web04 in order: ${iso(T0 - 5 * MIN - 20 * S)}..${iso(T0 - 4 * MIN - 50 * S)}`,
    ],
  });
  assert.deepEqual(project.state().alerts.recon.rule, { lastFire: { web01: T0 - 30 * S, web04: T0 - 4 * MIN - 50 * S, web05: T0 - 1 * MIN } });

  // Run 2: web01's earlier matches were used up by its fire: a new whoami alone does not fire.
  await indexDocs(world.esUrl, index, [proc(T0 + 20 * S, 'web01', 'whoami.exe')]);
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + MIN)), {});

  // Run 3: a net after it completes the pair again (the ordered alert too: whoami at T0+20s, net at T0+90s).
  await indexDocs(world.esUrl, index, [proc(T0 + 90 * S, 'web01', 'net.exe')]);
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + 2 * MIN)), {
    recon: [`web01: whoami ${iso(T0 + 20 * S)}, net ${iso(T0 + 90 * S)}, fired 1x`],
    'recon-all': [`all: fired 1x, last window ending ${iso(T0 + 90 * S)}`],
    'recon-ordered': [`web01 in order: ${iso(T0 + 20 * S)}..${iso(T0 + 90 * S)}`],
  });
});

test('temporal in backtest: matches within the timeframe fire once, a missing filter never', async () => {
  const T0 = uniqueBaseTime();
  const index = await world.index('temporal-bt');
  const proc = (at: number, user: string, name: string) => event(at, { 'user.name': user, 'process.name': name });
  await indexDocs(world.esUrl, index, [
    proc(T0 + 10 * MIN + 59 * S, 'alice', 'whoami.exe'), proc(T0 + 11 * MIN + 1 * S, 'alice', 'net.exe'), // straddles a minute
    proc(T0 + 20 * MIN, 'bob', 'whoami.exe'), proc(T0 + 40 * MIN, 'bob', 'whoami.exe'),
  ]);
  const project = world.project();
  project.writeAlert('pair', {
    index, every: '1m', group_by: 'user.name', notify: ['soc-email'],
    condition: { type: 'temporal', timeframe: '5m', rules },
  });
  const result = await project.run(['test', 'pair', '--backtest', '1h', '--json'], { ALERTCRON_NOW: iso(T0 + 60 * MIN) });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  // alice's pair completes at T0+11m01s (5m timeframe): the run at T0+12m (window [T0+11m, T0+12m)) fires; bob never has a net.
  assert.deepEqual(report.byKey.map((k: { key: string; notices: number; first: string }) => [k.key, k.notices, k.first]), [['alice', 1, iso(T0 + 12 * MIN)]]);
  assert.deepEqual(report.findings, [{ at: iso(T0 + 12 * MIN), key: 'alice' }]);
});

test('temporal: validate refuses what would fail on every run, naming the place and the fix', async () => {
  const project = world.project();
  const base = { index: 'nothing-here', every: '1m', notify: ['soc-email'] };
  // 1m buckets over a day's catch-up (max_catchup) for 1000 keys: far more buckets than the cluster allows.
  project.writeAlert('too-many-buckets', { ...base, group_by: 'host.name', group_size: 1000, condition: { type: 'temporal', timeframe: '1m', rules } });
  project.writeAlert('numbered', { ...base, condition: { type: 'temporal', timeframe: '5m', ordered: true, rules: { first: rules.whoami, 2: rules.net } } });
  project.writeAlert('uneven', { ...base, condition: { type: 'temporal', timeframe: '5m', resolution: '2m', rules } });
  project.writeAlert('no-query', { ...base, condition: { type: 'temporal', timeframe: '5m', rules: { whoami: {} } } });
  const result = await project.run(['validate']);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  const out = result.stdout + result.stderr;
  assert.match(out, /too-many-buckets[^\n]*\/condition\/timeframe[^\n]*buckets even at resolution = timeframe[^\n]*lower group_size to \d+/);
  assert.match(out, /numbered[^\n]*\/condition\/rules\/2[^\n]*loses its place in the order[^\n]*rename it, e\.g\. rule_2/);
  assert.match(out, /uneven[^\n]*\/condition\/resolution[^\n]*must divide timeframe \(5m\)/);
  assert.match(out, /no-query[^\n]*\/condition\/rules\/whoami: missing required key "query"/);
});

test('temporal ordered: a chain hidden between a bucket’s first and last match is found (the events of such buckets are fetched), also after a fire', async () => {
  const T0 = uniqueBaseTime(); // the first run's window is [T0-10m, T0); resolution 5m: one bucket [T0-5m, T0)
  const index = await world.index('temporal-undecided');
  const proc = (at: number, host: string, name: string) => event(at, { 'host.name': host, 'process.name': name });
  const B = T0 - 4 * MIN;
  await indexDocs(world.esUrl, index, [
    // Case A on web01: b, a, b, c, b. The bucket's first/last: a 2s, b 1s and 4.5s, c 4s: no b between a and c, yet a 2s, b 3s, c 4s is a chain.
    proc(B + 1 * S, 'web01', 'b.exe'), proc(B + 2 * S, 'web01', 'a.exe'), proc(B + 3 * S, 'web01', 'b.exe'), proc(B + 4 * S, 'web01', 'c.exe'), proc(B + 4500, 'web01', 'b.exe'),
    // web02: the same events without the b at 3s: no chain.
    proc(B + 1 * S, 'web02', 'b.exe'), proc(B + 2 * S, 'web02', 'a.exe'), proc(B + 4 * S, 'web02', 'c.exe'), proc(B + 4500, 'web02', 'b.exe'),
  ]);
  const project = world.project();
  const names = { a: 'a.exe', b: 'b.exe', c: 'c.exe' };
  const chain = Object.fromEntries(Object.entries(names).map(([name, value]) => [name, { query: { term: { 'process.name': value } } }]));
  project.writeAlert('chain', {
    index, every: '1m', throttle: '0s', group_by: 'host.name', notify: ['soc-email'],
    condition: { type: 'temporal', timeframe: '5m', resolution: '5m', ordered: true, rules: chain },
    title: '{{key}}: a {{matched.a}}, b {{matched.b}}, c {{matched.c}}',
  });
  const first = await runAt(project, T0);
  assert.deepEqual(notifiedTitles(first), { chain: [`web01: a ${iso(B + 2 * S)}, b ${iso(B + 3 * S)}, c ${iso(B + 4 * S)}`] });
  assert.deepEqual(project.state().alerts.chain.rule, { lastFire: { web01: B + 4 * S } });

  // Case B, across runs: after the fire at B+4s, a at B+5s, b at B+6s, more a after it, in the same (first run's) bucket.
  await indexDocs(world.esUrl, index, [proc(B + 5 * S, 'web01', 'a.exe'), proc(B + 6 * S, 'web01', 'b.exe'), proc(B + 7 * S, 'web01', 'a.exe'), proc(T0 + 10 * S, 'web01', 'c.exe')]);
  assert.deepEqual(notifiedTitles(await runAt(project, T0 + MIN)), { chain: [`web01: a ${iso(B + 5 * S)}, b ${iso(B + 6 * S)}, c ${iso(T0 + 10 * S)}`] });
});

test('temporal ordered: a fetched event whose group field holds several values counts for every key it belongs to', async () => {
  const T0 = uniqueBaseTime();
  const index = await world.index('temporal-multivalued');
  const proc = (at: number, host: unknown, name: string) => event(at, { 'host.name': host, 'process.name': name });
  const B = T0 - 4 * MIN;
  // On web01 and web02 alike: b, a, b, c, b (the bucket's first/last do not decide); the b at 3s is one event of both hosts.
  const docs = ['web01', 'web02'].flatMap((host) => [proc(B + 1 * S, host, 'b.exe'), proc(B + 2 * S, host, 'a.exe'), proc(B + 4 * S, host, 'c.exe'), proc(B + 4500, host, 'b.exe')]);
  await indexDocs(world.esUrl, index, [...docs, proc(B + 3 * S, ['web01', 'web02'], 'b.exe')]);
  const project = world.project();
  const chain = Object.fromEntries(['a', 'b', 'c'].map((name) => [name, { query: { term: { 'process.name': `${name}.exe` } } }]));
  project.writeAlert('chain', {
    index, every: '1m', throttle: '0s', group_by: 'host.name', notify: ['soc-email'],
    condition: { type: 'temporal', timeframe: '5m', resolution: '5m', ordered: true, rules: chain },
    title: '{{key}}: b {{matched.b}}',
  });
  const titles = notifiedTitles(await runAt(project, T0)).chain?.slice().sort();
  assert.deepEqual(titles, [`web01: b ${iso(B + 3 * S)}`, `web02: b ${iso(B + 3 * S)}`]);
});

test('temporal ordered: a thousand undecided buckets never make the follow-up exceed the engine\'s clause limit; contiguous ones are one range, scattered ones beyond the cap are judged on first and last matches with a note', async () => {
  const T0 = uniqueBaseTime(); // buckets of 500 ms aligned on T0
  const indices = { dense: await world.index('temporal-dense'), sparse: await world.index('temporal-sparse') };
  const proc = (at: number, host: string, name: string) => event(at, { 'host.name': host, 'process.name': name });
  // Each bucket b, a, a, a: its first and last matches do not decide the order.
  const bucket = (start: number, host: string) => [proc(start, host, 'b.exe'), ...[100, 200, 300].map((d) => proc(start + d, host, 'a.exe'))];
  const contiguous = Array.from({ length: 1100 }, (_, k) => bucket(T0 - 9 * MIN - 20 * S + k * 500, 'dense'));
  const scattered = Array.from({ length: 560 }, (_, k) => bucket(T0 - 9 * MIN - 40 * S + k * 1000, 'sparse'));
  await indexDocs(world.esUrl, indices.dense, contiguous.flat());
  await indexDocs(world.esUrl, indices.sparse, scattered.flat());
  const project = world.project();
  const chain = { a: { query: { term: { 'process.name': 'a.exe' } } }, b: { query: { term: { 'process.name': 'b.exe' } } } };
  for (const host of ['dense', 'sparse'] as const) {
    project.writeAlert(host, {
      index: indices[host], every: '1m', throttle: '0s', notify: ['soc-email'],
      condition: { type: 'temporal', timeframe: '5m', resolution: '500ms', ordered: true, rules: chain },
      title: `${host}: fired`,
    });
  }
  const report = await runAt(project, T0);
  assert.deepEqual(notifiedTitles(report), { dense: ['dense: fired'], sparse: ['sparse: fired'] });
  const warnings = JSON.stringify(report.warnings ?? report);
  assert.match(warnings, /alert sparse: the buckets where each filter's first and last match do not decide the order are too scattered to fetch in one search \(\d+ query clauses, more than 500\)/);
  assert.doesNotMatch(warnings, /alert dense:/);
});
