// import elastalert: top_count_keys and top_count_number carry over for the rule types whose findings are events, and
// the imported alert lists the top values in its mail; other types get a note at file:line; without raw_count_keys: false
// the fields become their .keyword sub-fields, as ElastAlert2 counts them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../support/project.js';
import { indexDocs, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const world = useWorld();
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('import elastalert: top_count_keys / top_count_number become the alert\'s, which validates and mails the top values', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('ea-topcounts');
  const ips = ['203.0.113.5', '203.0.113.5', '203.0.113.5', '192.0.2.1', '192.0.2.1', '198.51.100.7'];
  await indexDocs(world.esUrl, index, ips.map((ip, i) => ({ '@timestamp': iso(T - 60_000 - i * 1000), user: { name: 'bob' }, source: { ip } })));
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-top-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'rules'));
  const url = new URL(world.esUrl);
  writeFileSync(join(dir, 'config.yaml'), `rules_folder: rules\nrun_every:\n  minutes: 1\nbuffer_time:\n  minutes: 15\nes_host: ${url.hostname}\nes_port: ${url.port}\nwriteback_index: elastalert_status\nsmtp_host: 127.0.0.1\nsmtp_port: ${world.smtp.port}\nfrom_addr: elastalert@example.org\n`);
  const mail = 'alert: [email]\nemail: soc@example.org\n';
  writeFileSync(join(dir, 'rules', 'burst.yaml'), `name: Burst\nindex: ${index}\ntype: frequency\nnum_events: 5\ntimeframe:\n  minutes: 10\nquery_key: user.name\ntop_count_keys: [source.ip]\ntop_count_number: 2\nraw_count_keys: false\n${mail}`);
  writeFileSync(join(dir, 'rules', 'logons.yaml'), `name: Logons\nindex: ${index}\ntype: any\ntop_count_keys: [source.ip, user.name.keyword]\n${mail}`);
  writeFileSync(join(dir, 'rules', 'quiet.yaml'), `name: Quiet\nindex: ${index}\ntype: flatline\nthreshold: 1\ntimeframe:\n  minutes: 10\ntop_count_keys: [source.ip]\n${mail}`);
  const imported = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  assert.equal(imported.code, 0, imported.stderr + imported.stdout);
  const out = join(dir, 'out');
  const burst = parse(readFileSync(join(out, 'alerts', 'burst.yaml'), 'utf8'));
  assert.deepEqual([burst.top_count_keys, burst.top_count_number], [['source.ip'], 2]);
  assert.equal(parse(readFileSync(join(out, 'alerts', 'quiet.yaml'), 'utf8')).top_count_keys, undefined);
  assert.match(imported.stdout, /^ {2}rules\/quiet\.yaml:7: top_count_keys: not converted: a flatline alert's findings are not the events of a key/m);
  assert.doesNotMatch(imported.stdout, /burst\.yaml:\d+: (top_count|raw_count)/, 'raw_count_keys: false converts exactly');
  assert.deepEqual(parse(readFileSync(join(out, 'alerts', 'logons.yaml'), 'utf8')).top_count_keys, ['source.ip.keyword', 'user.name.keyword']);
  assert.match(imported.stdout, /^ {2}rules\/logons\.yaml:4: top_count_keys: counted on source\.ip\.keyword, user\.name\.keyword, as ElastAlert2 does/m);
  const config = parse(readFileSync(join(out, 'alertcron.yaml'), 'utf8'));
  config.channels['email-1'].starttls = 'ignore';
  config.defaults.ingest_delay = '0s';
  writeFileSync(join(out, 'alertcron.yaml'), JSON.stringify(config));
  const validate = await runCli(['validate'], out);
  assert.equal(validate.code, 0, validate.stderr);
  const run = await runCli(['run', '--only', 'burst'], out, { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, run.stderr);
  const raw = world.smtp.messages.map((m) => m.raw).join('\n').replace(/=\r?\n/g, '');
  assert.match(raw, /Top counts:\r?\nsource\.ip: 203\.0\.113\.5 \(3\), 192\.0\.2\.1 \(2\)\r?\n/);
});
