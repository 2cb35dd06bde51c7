// import elastalert: aggregation (a period, or a croniter schedule), aggregation_key, summary_table_fields,
// summary_table_max_rows and aggregate_by_match_time become the alert's digest: block, which validates; the throttle
// is ElastAlert2's realert under aggregation (none); what does not map is named at file:line.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT, runCli } from '../support/project.js';
import { checkProperty, fc } from '../support/property.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('import elastalert: aggregation rules become alerts with a digest: block (every, schedule in UTC, per, fields, max_rows, by_match_time) that validate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-digest-'));
  dirs.push(dir);
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'elastalert-thehive'), dir, { recursive: true });
  const result = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const out = result.stdout;
  const alert = (name: string) => parse(readFileSync(join(dir, 'out', 'alerts', `${name}.yaml`), 'utf8'));

  // A croniter schedule of 6 fields (seconds last) with day names: five cron fields, in UTC as croniter computed them.
  const logons = alert('failed-logons-weekday-digest');
  assert.deepEqual(logons.digest, { schedule: '30 8 * * 1-5', timezone: 'UTC', per: ['host.name', 'user.name'], fields: ['source.ip', 'user.name'], max_rows: 25 });
  assert.equal(logons.throttle, '0s', 'ElastAlert2 sets realert to 0 for an aggregating rule: every match goes into the digest');
  // A period, by the events' time, over a frequency rule keyed by service.
  const bursts = alert('error-bursts');
  assert.deepEqual(bursts.digest, { every: '1h', by_match_time: true, fields: ['service.name', 'host.name'] });
  assert.equal(bursts.group_by, 'service.name');
  assert.equal(bursts.throttle, '0s');
  // Without summary_table_fields: the digest's default columns (group_by), named as a difference.
  assert.deepEqual(alert('open-security-signals').digest, { every: '10m', per: 'user.name' });
  // A croniter schedule with a year field has no cron equivalent: no digest, each finding on its own, realert's minute.
  const yearly = alert('yearly-report');
  assert.equal(yearly.digest, undefined);
  assert.equal(yearly.throttle, '1m');

  const digestNotes = [...out.matchAll(/^ {2}(\S+:\d+): (\S+): (.*)$/gm)].filter((m) => /aggregat|summary_/.test(m[2]!)).map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(digestNotes.sort(), [
    'rules/logon-digest.yaml:10 summary_table_fields',
    'rules/logon-digest.yaml:15 summary_table_type',
    'rules/odd-schedule.yaml:4 aggregation',
    'rules/signals-thehive.yaml:5 aggregation',
  ]);
  assert.match(out, /rules\/odd-schedule\.yaml:4: aggregation: not converted: a schedule with a year field \(7 fields\) has no equivalent: write the 5 fields; each finding is sent on its own/);
  assert.match(out, /rules\/logon-digest\.yaml:10: summary_table_fields: a header: is not converted/);
  assert.doesNotMatch(out, /aggregation_key|summary_table_max_rows|aggregate_by_match_time|alert_text_type/, 'converted, so not listed');

  const validate = await runCli(['validate'], join(dir, 'out'));
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
});

test('import elastalert: a digest option without aggregation, a schedule croniter reads differently, and bounds are named at their line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-digest-odd-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'rules'));
  const mail = 'alert: [email]\nemail: soc@example.org\nfrom_addr: ea@example.org\n';
  writeFileSync(join(dir, 'rules', 'no-aggregation.yaml'), `name: No aggregation\ntype: any\nindex: logs-*\naggregation_key: user.name\nsummary_table_fields: [user.name]\n${mail}`);
  // croniter's wrap-around weekday range and its last-Friday form, with a seconds field of 30.
  writeFileSync(join(dir, 'rules', 'wrap.yaml'), `name: Wrap\ntype: any\nindex: logs-*\naggregation:\n  schedule: "0 18 * * fri-mon 30"\nsummary_table_max_rows: 5000\n${mail}`);
  writeFileSync(join(dir, 'rules', 'last-friday.yaml'), `name: Last friday\ntype: any\nindex: logs-*\naggregation:\n  schedule: "0 17 * * L5"\naggregate_by_match_time: true\nsummary_table_max_rows: 0\n${mail}`);
  writeFileSync(join(dir, 'rules', 'hashed.yaml'), `name: Hashed\ntype: any\nindex: logs-*\naggregation:\n  schedule: "H 9 * * *"\n${mail}`);
  writeFileSync(join(dir, 'rules', 'zero.yaml'), `name: Zero\ntype: any\nindex: logs-*\naggregation:\n  minutes: 0\n${mail}`);
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const out = result.stdout;
  const alert = (name: string) => parse(readFileSync(join(dir, 'out', 'alerts', `${name}.yaml`), 'utf8'));
  assert.equal(alert('no-aggregation').digest, undefined);
  assert.match(out, /^ {2}rules\/no-aggregation\.yaml:4: aggregation_key: not converted: ElastAlert2 reads it only with aggregation/m);
  assert.match(out, /^ {2}rules\/no-aggregation\.yaml:5: summary_table_fields: not converted: ElastAlert2 reads it only with aggregation/m);
  assert.deepEqual(alert('wrap').digest, { schedule: '0 18 * * 5-6,0-1', timezone: 'UTC', max_rows: 1000 });
  assert.match(out, /^ {2}rules\/wrap\.yaml:4: aggregation: the seconds field 30 is dropped: the digest goes out with the run of that minute$/m);
  assert.match(out, /^ {2}rules\/wrap\.yaml:6: summary_table_max_rows: lowered to 1000/m);
  assert.deepEqual(alert('last-friday').digest, { schedule: '0 17 * * 5L', timezone: 'UTC' });
  assert.match(out, /^ {2}rules\/last-friday\.yaml:6: aggregate_by_match_time: not converted: ElastAlert2 ignores it with a schedule$/m);
  assert.match(out, /^ {2}rules\/last-friday\.yaml:7: summary_table_max_rows: not converted: 0 is not a whole number of 1 or more/m);
  assert.equal(alert('hashed').digest, undefined);
  assert.match(out, /^ {2}rules\/hashed\.yaml:4: aggregation: not converted: H: hashed \(H\) and random \(R\) values have no equivalent; each finding is sent on its own$/m);
  // A zero period is no aggregation in ElastAlert2: no digest, nothing to say.
  assert.equal(alert('zero').digest, undefined);
  assert.doesNotMatch(out, /zero\.yaml:\d+: aggregation/);
  const validate = await runCli(['validate'], join(dir, 'out'));
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
});

/** A generated value of a digest option: the shapes ElastAlert2 takes, and others. */
const fieldName = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}(\.[a-z][a-z0-9_]{0,6}){0,2}$/);
const anything = fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double({ noNaN: true }), fc.boolean(), fc.string({ maxLength: 12 }), fieldName, fc.array(fieldName, { maxLength: 25 }));
const period = fc.oneof(
  fc.dictionary(fc.constantFrom('weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds', 'fortnights'), fc.oneof(fc.integer({ min: -2, max: 600 }), fc.double({ min: 0, max: 100, noNaN: true })), { minKeys: 1, maxKeys: 3 }),
  fc.record({ schedule: fc.oneof(fc.constantFrom('0 9 * * mon-fri', '*/15 * * * *', '0 9 * * 1-5 0', '@daily', '0 22-2 * * fri-mon', '0 17 * * L5', '*/20,*/30 8-18 * * *', '0 0 L * *', '0 9 * * 1#2', 'H 9 * * *', '0 9 * * 1 0 2027', '0 24 * * *'), fc.string({ maxLength: 20 })) }),
  anything,
);

test('property: no generated aggregation options make import exit 0 with a digest: that validate rejects', async () => {
  await checkProperty(
    'import aggregation options',
    fc.asyncProperty(period, fc.dictionary(fc.constantFrom('aggregation_key', 'summary_table_fields', 'summary_table_max_rows', 'aggregate_by_match_time'), anything, { maxKeys: 4 }), async (aggregation, options) => {
      const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-digest-gen-'));
      try {
        mkdirSync(join(dir, 'rules'));
        const rule = { name: 'Generated', type: 'any', index: 'logs-*', query_key: 'user.name', aggregation, ...options, alert: ['email'], email: 'soc@example.org', from_addr: 'ea@example.org' };
        writeFileSync(join(dir, 'rules', 'generated.yaml'), JSON.stringify(rule));
        const imported = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
        assert.equal(imported.code, 0, `${JSON.stringify(rule)}\n${imported.stdout}${imported.stderr}`);
        const validate = await runCli(['validate'], join(dir, 'out'));
        assert.equal(validate.code, 0, `${JSON.stringify(rule)}\n${readFileSync(join(dir, 'out', 'alerts', 'generated.yaml'), 'utf8')}\n${validate.stdout}${validate.stderr}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    20,
  );
});
