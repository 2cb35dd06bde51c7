import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../support/project.js';
import { checkProperty, fc } from '../support/property.js';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const world = useWorld();
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;
const MIN = 60_000;

/** A folder with rules/ holding the given ElastAlert2 rule files, and a config.yaml pointing at the test engine. */
function rulesFolder(rules: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-terms-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'rules'));
  const url = new URL(world.esUrl);
  writeFileSync(join(dir, 'config.yaml'), `rules_folder: rules\nrun_every:\n  minutes: 1\nbuffer_time:\n  minutes: 15\nes_host: ${url.hostname}\nes_port: ${url.port}\nwriteback_index: elastalert_status\nsmtp_host: 127.0.0.1\nsmtp_port: ${world.smtp.port}\nfrom_addr: elastalert@example.org\n`);
  for (const [name, text] of Object.entries(rules)) writeFileSync(join(dir, 'rules', name), text);
  return dir;
}

/** Imports the rules folder (exit 0 expected) and makes its output runnable against the test sinks. */
async function importAndPrepare(dir: string): Promise<{ stdout: string; out: string }> {
  const imported = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  assert.equal(imported.code, 0, imported.stderr + imported.stdout);
  const out = join(dir, 'out');
  const config = parse(readFileSync(join(out, 'alertcron.yaml'), 'utf8'));
  config.channels['email-1'].starttls = 'ignore';
  config.defaults.ingest_delay = '0s';
  writeFileSync(join(out, 'alertcron.yaml'), JSON.stringify(config));
  return { stdout: imported.stdout, out };
}

/** The keys a backtest over the last day notified, each with its first notice time, in the order of those times. */
async function backtestKeys(out: string, alert: string, now: number): Promise<[string, string][]> {
  const backtest = await runCli(['test', alert, '--backtest', '1d', '--json'], out, { ALERTCRON_NOW: iso(now) });
  assert.equal(backtest.code, 0, backtest.stderr);
  const summary = JSON.parse(backtest.stdout);
  return summary.byKey.map((k: { key: string; first: string }) => [k.key, k.first]).sort((a: string[], b: string[]) => (a[1]! < b[1]! ? -1 : 1));
}

/** A logon with a user and, when given, a country. */
function logon(at: number, user: string, country?: string): Record<string, unknown> {
  return { '@timestamp': new Date(at).toISOString(), user: { name: user }, ...(country ? { geo: { country } } : {}) };
}

/** The day of events both term tests replay: alice from FR, alice from DE, bob from FR, carol with no country. */
async function seedLogons(prefix: string): Promise<{ index: string; T: number; S: number }> {
  const T = Math.floor(uniqueBaseTime() / DAY) * DAY;
  const S = T - DAY;
  const index = await world.index(prefix);
  await indexDocs(world.esUrl, index, [logon(S + 10 * MIN + 5000, 'alice', 'FR'), logon(S + 100 * MIN + 5000, 'alice', 'DE'), logon(S + 200 * MIN + 5000, 'bob', 'FR'), logon(S + 300 * MIN + 5000, 'carol')]);
  return { index, T, S };
}

const newTermRule = (index: string, fields: string) => `name: New logins\nindex: ${index}\ntype: new_term\nfields: ${fields}\nterms_window_size:\n  days: 30\nalert: [email]\nemail: soc@example.org\n`;

test('import elastalert: new_term with fields [a, b] becomes one alert per field, each checked on its own against the engine', async () => {
  const { index, T, S } = await seedLogons('ea-terms');
  const dir = rulesFolder({ 'new-logins.yaml': newTermRule(index, '[user.name, geo.country]') });
  const { stdout, out } = await importAndPrepare(dir);
  assert.match(stdout, /^ {2}alerts\/new-logins-user\.name\.yaml {2}<- rules\/new-logins\.yaml \(new_term\)$/m);
  assert.match(stdout, /^ {2}alerts\/new-logins-geo\.country\.yaml {2}<- rules\/new-logins\.yaml \(new_term\)$/m);
  assert.match(stdout, /^ {2}rules\/new-logins\.yaml:4: fields: 2 separate terms in ElastAlert2 \(each entry checked on its own\): written as 2 alerts, new-logins-user\.name, new-logins-geo\.country; /m);
  assert.deepEqual(parse(readFileSync(join(out, 'alerts', 'new-logins-user.name.yaml'), 'utf8')).condition, { type: 'new_term', fields: ['user.name'], terms_window_size: '30d' });
  assert.deepEqual(parse(readFileSync(join(out, 'alerts', 'new-logins-geo.country.yaml'), 'utf8')).condition, { type: 'new_term', fields: ['geo.country'], terms_window_size: '30d' });
  const validate = await runCli(['validate'], out);
  assert.equal(validate.code, 0, validate.stderr);
  // alice from DE is a known user (no user alert) and a new country; bob from FR a new user and a known country;
  // carol has no country and is still a new user.
  assert.deepEqual(await backtestKeys(out, 'new-logins-user.name', T), [['alice', iso(S + 11 * MIN)], ['bob', iso(S + 201 * MIN)], ['carol', iso(S + 301 * MIN)]]);
  assert.deepEqual(await backtestKeys(out, 'new-logins-geo.country', T), [['FR', iso(S + 11 * MIN)], ['DE', iso(S + 101 * MIN)]]);
});

test('import elastalert: the note of a split new_term names the alerts as written, after their names were made unique', async () => {
  const dir = rulesFolder({
    'a-taken.yaml': 'name: New logins user.name\nindex: logs-*\ntype: any\nalert: [email]\nemail: soc@example.org\n',
    'new-logins.yaml': newTermRule('logs-*', '[user.name, geo.country]'),
  });
  const imported = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  assert.equal(imported.code, 0, imported.stderr + imported.stdout);
  assert.deepEqual(readdirSync(join(dir, 'out', 'alerts')).filter((f) => f.endsWith('.yaml')).sort(), ['new-logins-geo.country.yaml', 'new-logins-user.name-2.yaml', 'new-logins-user.name.yaml']);
  assert.equal(parse(readFileSync(join(dir, 'out', 'alerts', 'new-logins-user.name-2.yaml'), 'utf8')).condition.type, 'new_term');
  assert.match(imported.stdout, /^ {2}rules\/new-logins\.yaml:4: fields: 2 separate terms in ElastAlert2 \(each entry checked on its own\): written as 2 alerts, new-logins-user\.name-2, new-logins-geo\.country; /m);
});

test('import elastalert: new_term with fields [[a, b]] is one compound term that validates and runs', async () => {
  const { index, T, S } = await seedLogons('ea-compound');
  const dir = rulesFolder({ 'pairs.yaml': newTermRule(index, '[[user.name, geo.country]]') });
  const { out } = await importAndPrepare(dir);
  assert.deepEqual(readdirSync(join(out, 'alerts')), ['new-logins.yaml']);
  assert.deepEqual(parse(readFileSync(join(out, 'alerts', 'new-logins.yaml'), 'utf8')).condition, { type: 'new_term', fields: ['user.name', 'geo.country'], terms_window_size: '30d' });
  const validate = await runCli(['validate'], out);
  assert.equal(validate.code, 0, validate.stderr);
  const keys = await backtestKeys(out, 'new-logins', T);
  assert.deepEqual(keys.map(([, first]) => first), [iso(S + 11 * MIN), iso(S + 101 * MIN), iso(S + 201 * MIN)]);
  assert.ok(keys[1]![0].includes('alice') && keys[1]![0].includes('DE'), keys[1]![0]);
});

test('import elastalert: fields shapes ElastAlert2 does not take, and a list query_key it joins into one field name, are skipped with the reason', async () => {
  const rule = (extra: string) => `name: X\nindex: logs-*\ntype: new_term\n${extra}alert: [email]\nemail: soc@example.org\n`;
  const dir = rulesFolder({
    'empty.yaml': rule('fields: []\n'),
    'nested.yaml': rule('fields: [[a, [b]]]\n'),
    'joined.yaml': rule('query_key: [user.name, source.ip]\n'),
    'none.yaml': rule(''),
    'from-key.yaml': rule('query_key: user.name\n').replace('name: X', 'name: From key'),
    'same-key.yaml': rule('fields: [user.name]\nquery_key: user.name\n').replace('name: X', 'name: Same key'),
  });
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 2);
  const errors = result.stderr.trim().split('\n').sort();
  assert.deepEqual(errors.map((e) => e.replace(/: (fields|query_key): .*/, ': $1')), ['import: rules/empty.yaml:4: fields', 'import: rules/joined.yaml:4: query_key', 'import: rules/nested.yaml:4: fields', 'import: rules/none.yaml: fields']);
  assert.match(errors[1]!, /one field named user\.name,source\.ip .*write fields: \[\[a, b\]\] for one compound term/);
  assert.deepEqual(parse(readFileSync(join(dir, 'out', 'alerts', 'from-key.yaml'), 'utf8')).condition, { type: 'new_term', fields: ['user.name'] });
  assert.deepEqual(parse(readFileSync(join(dir, 'out', 'alerts', 'same-key.yaml'), 'utf8')).condition, { type: 'new_term', fields: ['user.name'] });
  assert.doesNotMatch(result.stdout, /query_key/, 'a query_key that is the term is not a note');
});

test('import elastalert: an option is noted once per line; a spike or flatline that would repeat every minute gets a throttle suggestion', async () => {
  const dir = rulesFolder({
    'any.yaml': 'name: Any\nindex: logs-*\ntype: any\ntimeframe:\n  minutes: 5\nalert: [email]\nemail: soc@example.org\n',
    'spike.yaml': 'name: Spike\nindex: logs-*\ntype: spike\nspike_height: 3\nspike_type: up\ntimeframe:\n  hours: 1\nalert: [email]\nemail: soc@example.org\n',
    'flat.yaml': 'name: Flat\nindex: logs-*\ntype: flatline\nthreshold: 1\ntimeframe:\n  minutes: 15\nrealert:\n  minutes: 5\nalert: [email]\nemail: soc@example.org\n',
    'flat-ok.yaml': 'name: Flat ok\nindex: logs-*\ntype: flatline\nthreshold: 1\ntimeframe:\n  minutes: 15\nrealert:\n  minutes: 15\nalert: [email]\nemail: soc@example.org\n',
  });
  const { stdout } = await importAndPrepare(dir);
  const notes = [...stdout.matchAll(/^ {2}(rules\/\S+:\d+): (\S+): (.*)$/gm)].map((m) => [m[1], m[2], m[3]]);
  const places = notes.map(([where, option]) => `${where} ${option}`);
  assert.equal(new Set(places).size, places.length, `an option noted twice:\n${stdout}`);
  assert.deepEqual(notes.find(([where]) => where === 'rules/any.yaml:4'), ['rules/any.yaml:4', 'timeframe', 'not converted: a any rule has no timeframe']);
  assert.deepEqual(notes.find(([where]) => where === 'rules/spike.yaml:6'), ['rules/spike.yaml:6', 'timeframe', 'the throttle 1m (ElastAlert2\'s realert) is shorter than the timeframe 1h: a spike lasts about a timeframe and is notified again every 1m while it does; set throttle: 1h for one notice per spike']);
  assert.deepEqual(notes.find(([where]) => where === 'rules/flat.yaml:7'), ['rules/flat.yaml:7', 'realert', 'the throttle 5m (ElastAlert2\'s realert) is shorter than the timeframe 15m: a flatline lasts about a timeframe and is notified again every 5m while it does; set throttle: 15m for one notice per flatline']);
  assert.ok(!places.some((p) => p.startsWith('rules/flat-ok.yaml')), stdout);
  const validate = await runCli(['validate'], join(dir, 'out'));
  assert.equal(validate.code, 0, validate.stderr);
});

const fieldName = fc.constantFrom('user.name', 'geo.country', 'source.ip', '', ' ', 'a,b', 'x');
const fieldEntry = fc.oneof(fieldName, fc.array(fieldName, { maxLength: 10 }), fc.array(fc.oneof(fieldName, fc.array(fieldName, { maxLength: 2 }), fc.integer()), { maxLength: 3 }), fc.integer(), fc.constant(null), fc.dictionary(fc.constantFrom('a', 'b'), fieldName));
const fieldsShape = fc.oneof(fieldEntry, fc.array(fieldEntry, { maxLength: 4 }));

test('property: no generated fields / query_key shape makes import exit 0 with output validate rejects', async () => {
  await checkProperty(
    'import new_term fields shapes',
    fc.asyncProperty(fc.option(fieldsShape, { nil: undefined }), fc.option(fc.oneof(fieldName, fc.array(fieldName, { maxLength: 3 })), { nil: undefined }), async (fields, queryKey) => {
      const lines = ['name: Generated', 'index: logs-*', 'type: new_term'];
      if (fields !== undefined) lines.push(`fields: ${JSON.stringify(fields)}`);
      if (queryKey !== undefined) lines.push(`query_key: ${JSON.stringify(queryKey)}`);
      const dir = rulesFolder({ 'generated.yaml': [...lines, 'alert: [email]', 'email: soc@example.org', ''].join('\n') });
      const imported = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
      if (imported.code !== 0) {
        assert.equal(imported.code, 2, imported.stderr);
        assert.match(imported.stderr, /^import: rules\/generated\.yaml(:\d+)?: (fields|query_key): .+: skipped$/m);
        return;
      }
      assert.ok(existsSync(join(dir, 'out', 'alerts')));
      const validate = await runCli(['validate'], join(dir, 'out'));
      assert.equal(validate.code, 0, `${lines.join('\n')}\n${validate.stdout}${validate.stderr}`);
      rmSync(dir, { recursive: true, force: true });
    }),
    20,
  );
});
