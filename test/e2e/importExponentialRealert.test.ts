import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const world = useWorld();
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** An ElastAlert2 folder with config.yaml and one `any` rule over `index` keyed by user, with these extra lines. */
function eaFolder(index: string, extra: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-import-exp-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'rules'));
  const url = new URL(world.esUrl);
  writeFileSync(join(dir, 'config.yaml'), `rules_folder: rules\nrun_every:\n  minutes: 1\nbuffer_time:\n  minutes: 15\nes_host: ${url.hostname}\nes_port: ${url.port}\nwriteback_index: elastalert_status\nfrom_addr: elastalert@example.org\n`);
  writeFileSync(join(dir, 'rules', 'logons.yaml'), ['name: Logons', `index: ${index}`, 'type: any', 'query_key: winlog.event_data.TargetUserName', 'realert:', '  minutes: 1', ...extra, 'alert: [email]', 'email: soc@example.org', ''].join('\n'));
  return dir;
}

test('import elastalert: exponential_realert becomes exponential_throttle, and the backtest of the imported alert doubles its waits up to that cap', async () => {
  const T = Math.floor(uniqueBaseTime() / DAY) * DAY;
  const S = T - DAY;
  const index = await world.index('ea-import-exp');
  await indexDocs(world.esUrl, index, Array.from({ length: 30 }, (_, k) => logonEvent(S + 60 * MIN + k * MIN + 30_000, 'carol')));
  const dir = eaFolder(index, ['exponential_realert:', '  minutes: 5']);
  const imported = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  assert.equal(imported.code, 0, imported.stderr);
  assert.doesNotMatch(imported.stdout + imported.stderr, /exponential_realert/, 'converted, so not listed as left out');
  const alert = parse(readFileSync(join(dir, 'out', 'alerts', 'logons.yaml'), 'utf8'));
  assert.equal(alert.throttle, '1m');
  assert.equal(alert.exponential_throttle, '5m');
  const config = parse(readFileSync(join(dir, 'out', 'alertcron.yaml'), 'utf8'));
  config.defaults.ingest_delay = '0s';
  writeFileSync(join(dir, 'out', 'alertcron.yaml'), JSON.stringify(config));
  const backtest = await runCli(['test', 'logons', '--backtest', '1d', '--json'], join(dir, 'out'), { ALERTCRON_NOW: iso(T) });
  assert.equal(backtest.code, 0, backtest.stderr);
  // Waits of 1m, 2m, 4m, then the 5m cap: told at minutes 0, 1, 3, 7, 12, 17, 22, 27 of the 30.
  const t1 = S + 61 * MIN;
  assert.deepEqual(JSON.parse(backtest.stdout).sent.map((s: { at: string }) => s.at), [0, 1, 3, 7, 12, 17, 22, 27].map((m) => iso(t1 + m * MIN)));
});

test('import elastalert: an exponential_realert that is not a time is named at its line and left out', async () => {
  const dir = eaFolder('logs-x', ['exponential_realert: often']);
  const imported = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /rules\/logons\.yaml:7: exponential_realert: not a time such as \{hours: 1\}/);
  const alert = parse(readFileSync(join(dir, 'out', 'alerts', 'logons.yaml'), 'utf8'));
  assert.equal(alert.exponential_throttle, undefined);
});
