// import elastalert: hivealerter rules (the format-string form Security Onion ships, and the newer field-name form)
// become working alerts with thehive channels: the connection as url and an api_key variable (a connection written
// once in config.yaml is one channel per alert config), the alert config's texts as templates, observables as fields
// with data types; every part that does not carry over is named at file:line; no key is written or printed.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { filesUnder } from '../support/files.js';
import { REPO_ROOT, runCli } from '../support/project.js';
import { checkProperty, fc } from '../support/property.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary copy of the TheHive/aggregation ElastAlert2 fixtures (rules/ and config.yaml), the CLI's working folder. */
function fixtureCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-hive-'));
  dirs.push(dir);
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'elastalert-thehive'), dir, { recursive: true });
  return dir;
}

const KEYS = ['Hv3GlobalKeyAAAABBBBCCCC1111', 'Ru13Lev3lKeyDDDDEEEE2222'];

test('import elastalert: rules whose only alerter is hivealerter become alerts with thehive channels that validate; what does not map is named at file:line', async () => {
  const dir = fixtureCopy();
  const result = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.equal(result.stderr, '');
  const out = result.stdout;
  assert.match(out, /^ {2}alerts\/nids-alert\.yaml {2}<- rules\/so\/nids-thehive\.yaml \(frequency\)$/m);
  assert.match(out, /^ {2}alerts\/wazuh-alert\.yaml {2}<- rules\/so\/wazuh-thehive\.yaml \(frequency\)$/m);
  assert.match(out, /^ {2}alerts\/open-security-signals\.yaml {2}<- rules\/signals-thehive\.yaml \(any\)$/m);
  // The API keys: variables, each with where its value was (the global one in config.yaml), never the value.
  const listed = [...out.matchAll(/^ {2}(ELASTALERT_[A-Z0-9_]+) +the value of (\S+) at (\S+)$/gm)].map((m) => [m[1], m[2], m[3]]);
  assert.deepEqual(listed, [
    ['ELASTALERT_THEHIVE_1_API_KEY', 'hive_apikey', 'rules/signals-thehive.yaml:16'],
    ['ELASTALERT_THEHIVE_2_API_KEY', 'hive_apikey', 'config.yaml:15'],
  ]);
  for (const [file, text] of filesUnder(join(dir, 'out'))) for (const key of KEYS) assert.ok(!text.includes(key), `${file} holds the key ${key}`);
  for (const key of KEYS) assert.ok(!out.includes(key), `the report shows ${key}`);

  const hiveNotes = [...out.matchAll(/^ {2}(\S+:\d+): (\S+): (.*)$/gm)].filter((m) => m[1]!.includes('thehive')).map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(hiveNotes.sort(), [
    'rules/signals-thehive.yaml:13 hive_verify',
    'rules/signals-thehive.yaml:17 hive_proxies',
    'rules/signals-thehive.yaml:25 hive_alert_config.description',
    'rules/signals-thehive.yaml:30 hive_alert_config.status',
    'rules/signals-thehive.yaml:31 hive_alert_config.caseTemplate',
    'rules/signals-thehive.yaml:32 hive_alert_config.customFields',
    'rules/signals-thehive.yaml:42 hive_observable_data_mapping',
    'rules/signals-thehive.yaml:44 hive_observable_data_mapping',
    'rules/signals-thehive.yaml:46 hive_alert_config_type',
    'rules/signals-thehive.yaml:5 aggregation',
    'rules/so/wazuh-thehive.yaml:30 hive_observable_data_mapping',
  ]);
  assert.match(out, /rules\/so\/wazuh-thehive\.yaml:30: hive_observable_data_mapping: not converted: \{match\[file\]\[name\]\}_\{match\[host\]\[name\]\}\.txt is not one field/);
  assert.match(out, /rules\/signals-thehive\.yaml:44: hive_observable_data_mapping: not converted: ElastAlert2 reads the first key of an entry as its data type, and this one's is tags/);
  assert.match(out, /rules\/signals-thehive\.yaml:32: hive_alert_config\.customFields: risk: its type integer is not carried over/);
  assert.match(out, /rules\/signals-thehive\.yaml:25: hive_alert_config\.description: description: the rule has no description: left empty/);
  assert.doesNotMatch(out, /hivealerter alerter has no alertcron channel|hive_alert_config\.(follow|title|tags|severity)|nids-thehive\.yaml:\d+: hive_proxies/);

  const read = (path: string) => readFileSync(join(dir, 'out', path), 'utf8');
  const config = parse(read('alertcron.yaml'));
  // The format-string form: {match[a][b]} is the field a.b (under fields.: the thehive channel's own names come first), {rule[index]} the rule's own value; status New and
  // follow are TheHive's defaults; the global connection of config.yaml (host and port joined as ElastAlert2 does).
  const so = { type: 'thehive', url: 'http://10.66.0.10:9000/thehive', api_key: '${ELASTALERT_THEHIVE_2_API_KEY}', source: 'SecurityOnion', severity: 2, tlp: 3 };
  assert.deepEqual(config.channels['thehive-2'], {
    ...so,
    title: '{{fields.rule.name}}',
    description: '`IPs: `{{fields.source.ip}}:{{fields.source.port}} --> {{fields.destination.ip}}:{{fields.destination.port}} \n\n `Signature:`{{fields.rule.rule}}',
    alert_type: 'NIDS',
    tags: ['{{fields.rule.uuid}}', '{{fields.source.ip}}', '{{fields.destination.ip}}'],
    observables: [{ field: 'source.ip', type: 'ip' }, { field: 'destination.ip', type: 'ip' }],
  });
  assert.deepEqual(config.channels['thehive-3'], {
    ...so,
    title: '{{fields.rule.name}}',
    description: 'Wazuh rule {{fields.rule.id}} on {{fields.host.name}} (so-ossec-*)',
    alert_type: 'wazuh',
    tags: ['{{fields.rule.id}}', '{{fields.host.name}}'],
    observables: [{ field: 'host.name', type: 'other' }],
  });
  // The newer form: _args fill {0}/{1}, names are fields (dotted) or the rule's (name; this rule has no description), else text as written.
  assert.deepEqual(config.channels['thehive-1'], {
    type: 'thehive',
    url: 'https://thehive.corp.example:443',
    api_key: '${ELASTALERT_THEHIVE_1_API_KEY}',
    title: 'Signal {{fields.signal.rule.name}} for {{fields.user.name}}',
    description: '{{alert}} : ',
    alert_type: 'external',
    source: 'elastalert',
    severity: 3,
    tlp: 2,
    pap: 1,
    tags: ['{{fields.signal.rule.name}}', 'siem'],
    custom_fields: { detector: '{{alert}}', risk: '{{fields.signal.rule.risk_score}}' },
    observables: [{ field: 'source.ip', type: 'ip', tags: ['src'] }, { field: 'dns.question.name', type: 'domain' }],
  });
  assert.deepEqual(Object.keys(config.channels).filter((c) => c.startsWith('thehive')).sort(), ['thehive-1', 'thehive-2', 'thehive-3']);
  const alert = (name: string) => parse(read(`alerts/${name}.yaml`));
  assert.deepEqual(alert('nids-alert').notify, ['thehive-2']);
  assert.deepEqual(alert('nids-alert').group_by, ['rule.uuid']);
  assert.equal(alert('nids-alert').throttle, '1d');
  assert.deepEqual(alert('wazuh-alert').notify, ['thehive-3']);
  assert.deepEqual(alert('open-security-signals').notify, ['thehive-1']);

  const validate = await runCli(['validate'], join(dir, 'out'));
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  const strict = await runCli(['validate', '--strict'], join(dir, 'out'), { ELASTALERT_THEHIVE_1_API_KEY: 'k1', ELASTALERT_THEHIVE_2_API_KEY: 'k2' });
  assert.equal(strict.code, 0, strict.stdout + strict.stderr);
});

test('import elastalert: two rules with the same hive settings share one thehive channel; a hivealerter without hive_connection is named and the rule skipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-hive-share-'));
  dirs.push(dir);
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'elastalert-thehive', 'rules', 'so'), join(dir, 'rules'), { recursive: true });
  // The NIDS rule once more under another name: the same TheHive settings, so the same channel.
  const nids = readFileSync(join(dir, 'rules', 'nids-thehive.yaml'), 'utf8');
  writeFileSync(join(dir, 'rules', 'nids-copy.yaml'), nids.replace('name: NIDS-Alert', 'name: NIDS-Alert-2').replace('alert: hivealerter', 'alert: hivealerter\nhive_connection:\n  hive_host: http://10.66.0.10\n  hive_port: 9000/thehive\n  hive_apikey: Hv3GlobalKeyAAAABBBBCCCC1111'));
  writeFileSync(join(dir, 'rules', 'nids-3.yaml'), nids.replace('name: NIDS-Alert', 'name: NIDS-Alert-3').replace('alert: hivealerter', 'alert: hivealerter\nhive_connection:\n  hive_host: http://10.66.0.10\n  hive_port: 9000/thehive\n  hive_apikey: Hv3GlobalKeyAAAABBBBCCCC1111'));
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  // The NIDS and Wazuh rules of the folder have no connection without config.yaml: named, skipped, exit 2.
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stdout, /^ {2}rules\/nids-thehive\.yaml:\d+: hive_connection: the hivealerter needs hive_connection/m);
  assert.match(result.stderr, /^import: rules\/nids-thehive\.yaml:\d+: alert: none of its alerters has an alertcron channel/m);
  const config = parse(readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8'));
  assert.deepEqual(Object.keys(config.channels), ['thehive-1']);
  for (const name of ['nids-alert-2', 'nids-alert-3']) assert.deepEqual(parse(readFileSync(join(dir, 'out', 'alerts', `${name}.yaml`), 'utf8')).notify, ['thehive-1']);
  assert.equal(config.channels['thehive-1'].api_key, '${ELASTALERT_THEHIVE_1_API_KEY}');
});

/** A generated value of a TheHive option: the shapes the alerter takes, and others. */
const word = fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^[a-z][a-z0-9_]{0,6}(\.[a-z][a-z0-9_]{0,6}){0,2}$/), fc.constantFrom('{match[source][ip]}', '{rule[name]}', '{rule[index]}', '{0} on {1}', '{{x}}', '{match[a b]}', '', ' ', 'ip', 'tags', 'tlp'));
const value = fc.oneof(word, fc.integer({ min: -2, max: 6 }), fc.boolean(), fc.array(word, { maxLength: 3 }));

test('property: no generated hivealerter settings make import exit 0 with a thehive channel that validate rejects', async () => {
  await checkProperty(
    'import hivealerter settings',
    fc.asyncProperty(
      fc.record({ hive_host: fc.oneof(word, fc.constantFrom('http://10.0.0.5', 'https://hive.example', 'hive.example', 'http://h/x y', 'https://soc:Pa55GENERATEDword@hive.example', '@&')), hive_port: fc.oneof(fc.integer({ min: 0, max: 70000 }), word), hive_apikey: fc.oneof(fc.constant('k3yGENERATED0001'), word) }, { requiredKeys: [] }),
      fc.dictionary(fc.oneof(fc.constantFrom('title', 'description', 'type', 'source', 'severity', 'tlp', 'pap', 'tags', 'title_args', 'description_args', 'status', 'follow', 'customFields'), word), fc.oneof(value, fc.array(fc.record({ name: word, type: word, value }), { maxLength: 2 }), fc.dictionary(word, fc.record({ type: word, value }), { maxKeys: 2 })), { maxKeys: 6 }),
      fc.oneof(value, fc.array(fc.dictionary(word, value, { maxKeys: 3 }), { maxLength: 3 })),
      async (connection, alertConfig, observables) => {
        const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-hive-gen-'));
        try {
          mkdirSync(join(dir, 'rules'));
          const rule = { name: 'Generated', type: 'any', index: 'logs-*', alert: ['hivealerter'], hive_connection: connection, hive_alert_config: alertConfig, hive_observable_data_mapping: observables };
          writeFileSync(join(dir, 'rules', 'generated.yaml'), JSON.stringify(rule));
          const imported = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
          const shown = `${JSON.stringify(rule)}\n${imported.stdout}${imported.stderr}`;
          for (const secret of ['k3yGENERATED0001', 'Pa55GENERATEDword']) assert.ok(!imported.stdout.includes(secret) && !imported.stderr.includes(secret), shown);
          if (imported.code !== 0) {
            // Only a connection that makes no URL leaves the rule without a channel.
            assert.equal(imported.code, 2, shown);
            assert.match(imported.stdout, /hive_connection: hive_host and hive_port do not make a URL \(http:\/\/host:port\): not converted/, shown);
            return;
          }
          const written = readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8');
          for (const secret of ['k3yGENERATED0001', 'Pa55GENERATEDword']) assert.ok(!written.includes(secret), `${shown}\n${written}`);
          const validate = await runCli(['validate'], join(dir, 'out'));
          assert.equal(validate.code, 0, `${shown}\n${readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8')}\n${validate.stdout}${validate.stderr}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    ),
    20,
  );
});

test('import elastalert: a hivealerter\'s {rule[description]} is the rule\'s text and every match field is {{fields.<path>}}, even one named like the notice\'s own values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-hive-names-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'rules'));
  const connection = 'hive_connection:\n  hive_host: http://hive.example\n  hive_port: 9000\n  hive_apikey: k3yNAMES0001\n';
  writeFileSync(join(dir, 'rules', 'legacy.yaml'), [
    'name: Legacy names',
    'description: Logons outside office hours',
    'type: any',
    'index: logs-*',
    'alert: hivealerter',
    connection.trimEnd(),
    'hive_alert_config:',
    "  title: '{rule[name]}: {match[title]}'",
    "  description: '{rule[description]} | {match[message]} | {match[key]} | {match[reason]} | {match[alert]} | {match[host][name]}'",
    "  tags: ['{match[key]}', 'description']",
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'rules', 'newer.yaml'), [
    'name: Newer names',
    'description: Signals from the SIEM',
    'type: any',
    'index: logs-*',
    'alert: hivealerter',
    connection.trimEnd(),
    'hive_alert_config:',
    "  title: '{0} ({1})'",
    '  title_args: [message, description]',
    "  description: '{0} hits'",
    '  description_args: [num_hits]',
    '  tags: [description, event.reason]',
    '',
  ].join('\n'));
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  // What does not carry over is named at its line: the count the thehive channel does not know.
  assert.match(result.stdout, /^ {2}rules\/newer\.yaml:13: hive_alert_config\.description: num_hits: the thehive channel has no count of hits: left out$/m);
  const written = readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8');
  const channels = Object.values(parse(written).channels as Record<string, Record<string, unknown>>).filter((c) => c.type === 'thehive');
  const byUrl = (title: string) => channels.find((c) => String(c.title).startsWith(title))!;
  assert.deepEqual({ title: byUrl('{{alert}}').title, description: byUrl('{{alert}}').description, tags: byUrl('{{alert}}').tags }, {
    title: '{{alert}}: {{fields.title}}',
    description: 'Logons outside office hours | {{fields.message}} | {{fields.key}} | {{fields.reason}} | {{fields.alert}} | {{fields.host.name}}',
    // ElastAlert2 looks a tag up in the match, then in the rule: `description` is the rule's.
    tags: ['{{fields.key}}', 'Logons outside office hours'],
  });
  assert.deepEqual({ title: byUrl('{{fields.message}}').title, description: byUrl('{{fields.message}}').description, tags: byUrl('{{fields.message}}').tags }, {
    title: '{{fields.message}} (Signals from the SIEM)',
    description: ' hits',
    tags: ['Signals from the SIEM', '{{fields.event.reason}}'],
  });
  assert.doesNotMatch(written, /\{\{(description|message|key|reason|title|host\.name)\}\}/);
  const validate = await runCli(['validate'], join(dir, 'out'));
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
});
