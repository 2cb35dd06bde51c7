import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileCorrelation } from '../../src/sigma/correlation/compileCorrelation.js';
import { parseSigma } from '../../src/sigma/parse/parseSigma.js';
import type { SigmaCorrelation, SigmaCorrelationCondition, SigmaDocument } from '../../src/sigma/types.js';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { event, notifiedTitles, runAt } from '../support/ruleRuns.js';
import { iso, useWorld } from '../support/world.js';
import { CORRELATION_FIXTURES, testPipeline } from '../sigma/correlationPipeline.js';

// Multi-document Sigma files (test/fixtures/sigma/correlation) parsed and compiled in this process and written as
// plain alerts (query, condition, group_by): the engine runs what a `sigma:` alert runs.
const S = 1000;
const MIN = 60_000;
const world = useWorld();

/** The documents of a correlation fixture file, parsed. */
function fixture(file: string): SigmaDocument[] {
  const parsed = parseSigma(readFileSync(join(CORRELATION_FIXTURES, file), 'utf8'));
  assert.deepEqual(parsed.problems, []);
  return parsed.documents;
}

function lookupIn(docs: SigmaDocument[]): (ref: string) => SigmaDocument | undefined {
  return (ref) => docs.find((d) => d.meta.id === ref || d.meta.name === ref);
}

function asAlert(c: ReturnType<typeof compileCorrelation>): Record<string, unknown> {
  return { query: c.query, condition: c.condition, ...(c.group_by ? { group_by: c.group_by } : {}) };
}

/** The correlation of a fixture file (its first document), compiled with its rules and written as alert keys. */
function compiledFile(file: string): Record<string, unknown> {
  const docs = fixture(file);
  const correlation = docs[0] as SigmaCorrelation;
  assert.equal(correlation.kind, 'correlation');
  return asAlert(compileCorrelation(correlation, lookupIn(docs), testPipeline(), 'dsl'));
}

/** A correlation over recon_temporal.yml's rules (recon_whoami, recon_net) with a 5m timespan. */
function compiled(type: SigmaCorrelation['type'], rules: string[], groupBy: string[], condition?: SigmaCorrelationCondition): Record<string, unknown> {
  const correlation: SigmaCorrelation = {
    kind: 'correlation', meta: { title: type, tags: [], falsepositives: [], references: [] }, type, rules, groupBy, timespan: 5 * MIN,
    ...(condition ? { condition } : {}), aliases: {}, generate: false, line: 1,
  };
  return asAlert(compileCorrelation(correlation, lookupIn(fixture('recon_temporal.yml')), testPipeline(), 'dsl'));
}

/** A time on a 5-minute boundary (where ES|QL's BUCKET(@timestamp, 5 minutes) starts a bucket). */
function fiveMinuteTime(): number {
  const t = uniqueBaseTime();
  return t - (t % (5 * MIN));
}

const proc = (at: number, fields: Record<string, string>, image: string) => event(at, { ...fields, 'process.executable': `C:\\Windows\\System32\\${image}` });

test('sigma event_count (frequency) and temporal_ordered (temporal) fire on bursts that straddle a fixed 5-minute bucket boundary', async () => {
  const T = fiveMinuteTime();
  const index = await world.index('sigma-corr');
  await indexDocs(world.esUrl, index, [
    // alice: 3 whoami within 30 s across T-5m: a fixed 5m bucket holds 2 and 1, a sliding window all 3.
    proc(T - 5 * MIN - 20 * S, { 'user.name': 'alice' }, 'whoami.exe'), proc(T - 5 * MIN - 10 * S, { 'user.name': 'alice' }, 'WHOAMI.EXE'),
    proc(T - 4 * MIN - 50 * S, { 'user.name': 'alice' }, 'whoami.exe'),
    proc(T - 3 * MIN, { 'user.name': 'bob' }, 'whoami.exe'), proc(T - 2 * MIN, { 'user.name': 'bob' }, 'whoami.exe'), // 2 < 3
    proc(T - 9 * MIN, { 'user.name': 'carol' }, 'whoami.exe'), proc(T - 6 * MIN, { 'user.name': 'carol' }, 'whoami.exe'),
    proc(T - 3 * MIN, { 'user.name': 'carol' }, 'whoami.exe'), // 3, but over 6 minutes
    // dave: whoami then net, 20 s apart across T-5m; erin: net then whoami (out of order).
    proc(T - 5 * MIN - 10 * S, { 'user.name': 'dave' }, 'whoami.exe'), proc(T - 4 * MIN - 50 * S, { 'user.name': 'dave' }, 'net.exe'),
    proc(T - 2 * MIN, { 'user.name': 'erin' }, 'net.exe'), proc(T - 1 * MIN, { 'user.name': 'erin' }, 'whoami.exe'),
  ]);
  const project = world.project();
  const base = { index, every: '1m', notify: ['soc-email'], title: '{{alert}} {{key}}' };
  project.writeAlert('whoami-burst', { ...base, ...compiledFile('whoami_burst.yml') });
  project.writeAlert('recon-chain', { ...base, ...compiledFile('recon_ordered.yml') });
  project.writeAlert('recon-any-order', { ...base, ...compiledFile('recon_temporal.yml') });
  assert.deepEqual(notifiedTitles(await runAt(project, T)), {
    'whoami-burst': ['whoami-burst alice'],
    'recon-chain': ['recon-chain dave'],
    'recon-any-order': ['recon-any-order dave', 'recon-any-order erin'],
  });
});

test('a correlation file named by an alert\'s sigma: key runs as its rule type (the same fires as the compiled conditions above)', async () => {
  const T = fiveMinuteTime();
  const index = await world.index('sigma-corr-key');
  await indexDocs(world.esUrl, index, [
    proc(T - 5 * MIN - 20 * S, { 'user.name': 'alice' }, 'whoami.exe'), proc(T - 5 * MIN - 10 * S, { 'user.name': 'alice' }, 'WHOAMI.EXE'),
    proc(T - 4 * MIN - 50 * S, { 'user.name': 'alice' }, 'whoami.exe'),
    proc(T - 3 * MIN, { 'user.name': 'bob' }, 'whoami.exe'), proc(T - 2 * MIN, { 'user.name': 'bob' }, 'whoami.exe'),
    proc(T - 5 * MIN - 10 * S, { 'user.name': 'dave' }, 'whoami.exe'), proc(T - 4 * MIN - 50 * S, { 'user.name': 'dave' }, 'net.exe'),
    proc(T - 2 * MIN, { 'user.name': 'erin' }, 'net.exe'), proc(T - 1 * MIN, { 'user.name': 'erin' }, 'whoami.exe'),
  ]);
  const project = world.project();
  mkdirSync(join(project.dir, 'sigma'));
  for (const file of ['whoami_burst.yml', 'recon_ordered.yml', 'pipeline.yml']) cpSync(join(CORRELATION_FIXTURES, file), join(project.dir, 'sigma', file));
  const base = { index, every: '1m', notify: ['soc-email'] };
  project.writeAlert('whoami-burst', { ...base, sigma: { rule: '../sigma/whoami_burst.yml', pipeline: '../sigma/pipeline.yml' }, title: '{{alert}} {{key}} {{sigma.level}}', message: '{{sigma.title}} by {{sigma.author}}' });
  project.writeAlert('recon-chain', { ...base, sigma: { rule: '../sigma/recon_ordered.yml', pipeline: '../sigma/pipeline.yml' }, title: '{{alert}} {{key}}' });
  const run = await runAt(project, T);
  assert.deepEqual(notifiedTitles(run), { 'whoami-burst': ['whoami-burst alice high'], 'recon-chain': ['recon-chain dave'] });
  // A condition or group_by beside a correlation is refused: the correlation sets them.
  project.writeAlert('recon-chain', { ...base, sigma: { rule: '../sigma/recon_ordered.yml', pipeline: '../sigma/pipeline.yml' }, group_by: 'host.name' });
  const checked = await project.run(['validate']);
  assert.notEqual(checked.code, 0);
  assert.match(checked.stderr + checked.stdout, /recon-chain\.yaml.*group-by is this alert's key: remove group_by/);
});

test('sigma value_count (cardinality, gte 3: more than 2) and event_count lt (flatline) fire on what they mean', async () => {
  const T = fiveMinuteTime();
  const index = await world.index('sigma-corr-values');
  await indexDocs(world.esUrl, index, [
    // dc01: 3 users within 40 s across T-5m; dc02: 2 users; dc03: one user 3 times.
    proc(T - 5 * MIN - 20 * S, { 'host.name': 'dc01', 'user.name': 'a' }, 'whoami.exe'), proc(T - 4 * MIN - 50 * S, { 'host.name': 'dc01', 'user.name': 'b' }, 'whoami.exe'),
    proc(T - 4 * MIN - 40 * S, { 'host.name': 'dc01', 'user.name': 'c' }, 'whoami.exe'),
    proc(T - 5 * MIN - 20 * S, { 'host.name': 'dc02', 'user.name': 'a' }, 'whoami.exe'), proc(T - 4 * MIN - 50 * S, { 'host.name': 'dc02', 'user.name': 'b' }, 'whoami.exe'),
    proc(T - 5 * MIN - 20 * S, { 'host.name': 'dc03', 'user.name': 'a' }, 'whoami.exe'), proc(T - 5 * MIN - 10 * S, { 'host.name': 'dc03', 'user.name': 'a' }, 'whoami.exe'),
    proc(T - 4 * MIN - 50 * S, { 'host.name': 'dc03', 'user.name': 'a' }, 'whoami.exe'),
  ]);
  const project = world.project();
  const base = { index, every: '1m', notify: ['soc-email'], title: '{{alert}} {{key}}' };
  project.writeAlert('many-users', { ...base, ...compiledFile('users_per_host.yml') });
  project.writeAlert('few-users', { ...base, ...compiled('value_count', ['recon_whoami'], ['Computer'], { field: 'User', lt: 2 }) });
  project.writeAlert('quiet', { ...base, ...compiled('event_count', ['recon_whoami'], [], { lt: 9 }) });
  // The run at T-4m: its last 5 minutes [T-9m, T-4m) hold every event above (8 < 9 for quiet).
  assert.deepEqual(notifiedTitles(await runAt(project, T - 4 * MIN)), {
    'many-users': ['many-users dc01'],
    'few-users': ['few-users dc03'],
    quiet: ['quiet _all'],
  });
});

test('sigma event_count lt without group-by counts an empty timespan as 0 and fires (the spec’s count; pySigma’s ES|QL has no row to fire on)', async () => {
  const T = fiveMinuteTime();
  const index = await world.index('sigma-corr-empty');
  await indexDocs(world.esUrl, index, [proc(T - 2 * MIN, { 'user.name': 'a' }, 'whoami.exe'), proc(T - 1 * MIN, { 'user.name': 'b' }, 'whoami.exe')]);
  const project = world.project();
  project.writeAlert('quiet', { index, every: '1m', notify: ['soc-email'], title: '{{alert}} {{key}} {{count}}', ...compiled('event_count', ['recon_whoami'], [], { lt: 2 }) });
  // Two events in the 5 minutes before T: not fewer than 2.
  assert.deepEqual(notifiedTitles(await runAt(project, T)), {});
  // An hour later the timespan holds none: 0 < 2, through the real search and evaluate.
  assert.deepEqual(notifiedTitles(await runAt(project, T + 60 * MIN)), { quiet: ['quiet _all 0'] });
});

test('a correlation timespan longer than a timeframe can be (1y) is refused at correlation.timespan with the limit', async () => {
  const project = world.project();
  mkdirSync(join(project.dir, 'sigma'));
  for (const file of ['whoami_burst.yml', 'pipeline.yml']) cpSync(join(CORRELATION_FIXTURES, file), join(project.dir, 'sigma', file));
  const rule = join(project.dir, 'sigma', 'whoami_burst.yml');
  writeFileSync(rule, readFileSync(rule, 'utf8').replace('timespan: 5m', 'timespan: 1y'));
  project.writeAlert('yearly', { index: 'none', notify: ['soc-email'], sigma: { rule: '../sigma/whoami_burst.yml', pipeline: '../sigma/pipeline.yml' } });
  const checked = await project.run(['validate']);
  assert.equal(checked.code, 2, checked.stderr);
  assert.match(checked.stderr, /^sigma\/whoami_burst\.yml:17:\d+: .*timespan '1y' \(365d5h49m12s\) is longer than a rule type's timeframe can be \(at most 365d\)/m);
  writeFileSync(rule, readFileSync(rule, 'utf8').replace('timespan: 1y', 'timespan: 52w'));
  const fits = await project.run(['validate']);
  assert.equal(fits.code, 0, fits.stderr);
});
