// A broken alert file is one broken alert: whatever is in alerts/ or queries/, the other alerts still run.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** A YAML document whose nine levels of aliases expand to 9^9 strings: the "billion laughs". */
function aliasBomb(rest = ''): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  let previous = 'a';
  for (const name of 'bcdefghi') {
    lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    previous = name;
  }
  return `${lines.join('\n')}\n${rest}`;
}

const GOOD = 'index: INDEX\ncondition: { type: any }\nnotify: [soc-email]\ntitle: "Logon: {{key}}"\ngroup_by: winlog.event_data.TargetUserName\n';

test('alias bombs, symlink loops, dangling links, directories, /dev/zero, UTF-16, binary and bad query files are each reported and skipped; the good alert is delivered', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('broken-files');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'root')]);
  const project = world.project();
  const alerts = join(project.dir, 'alerts');
  const good = GOOD.replace('INDEX', index);
  project.writeAlert('good', good);
  project.writeAlert('bomb', aliasBomb(good));
  symlinkSync('loop-b.yaml', join(alerts, 'loop-a.yaml'));
  symlinkSync('loop-a.yaml', join(alerts, 'loop-b.yaml'));
  symlinkSync('gone.yaml', join(alerts, 'dangling.yaml'));
  mkdirSync(join(alerts, 'folder.yaml'));
  symlinkSync('/dev/zero', join(alerts, 'endless.yaml'));
  writeFileSync(join(alerts, 'utf16.yaml'), Buffer.from(`\ufeff${good}`, 'utf16le'));
  writeFileSync(join(alerts, 'binary.yaml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
  project.writeAlert('zero-query', `${good}query: endless.json\n`);
  symlinkSync('/dev/zero', join(project.dir, 'queries', 'endless.json'));
  project.writeAlert('utf16-query', `${good}query: utf16.json\n`);
  writeFileSync(join(project.dir, 'queries', 'utf16.json'), Buffer.from('\ufeff{"query": {"match_all": {}}}', 'utf16le'));

  const expected = [
    /^alerts\/binary\.yaml:1:8: is a binary file, not text \(it contains a NUL byte\)$/m,
    /^alerts\/bomb\.yaml:2:\d+: its aliases \(\*name\) expand to more than 100 copies, as in a "billion laughs" attack: write the values out instead$/m,
    /^alerts\/dangling\.yaml: is a symbolic link to gone\.yaml, which does not exist: fix or remove the link$/m,
    /^alerts\/endless\.yaml: is not a regular file \(a device, pipe or socket\): point it at a text file$/m,
    /^alerts\/folder\.yaml: is a directory, not a file: rename it or move it out of this folder$/m,
    /^alerts\/loop-a\.yaml: is a symbolic link loop \(it leads back to itself\): fix or remove the link$/m,
    /^alerts\/loop-b\.yaml: is a symbolic link loop/m,
    /^alerts\/utf16\.yaml: is UTF-16 text: save it as UTF-8$/m,
    /^alerts\/utf16-query\.yaml:\d+:\d+ \/query: query file queries\/utf16\.json is UTF-16 text: save it as UTF-8$/m,
    /^alerts\/zero-query\.yaml:\d+:\d+ \/query: query file queries\/endless\.json is not a regular file/m,
  ];

  const validate = await project.run(['validate']);
  assert.equal(validate.code, 2, validate.stderr);
  for (const line of expected) assert.match(validate.stderr, line);
  assert.match(validate.stderr, /^10 problem\(s\) in 10 file\(s\); 1 alert\(s\) valid/m);
  assert.doesNotMatch(validate.stderr, /internal error/);

  const run = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 2, 'exit 2: alert files were skipped, the others ran');
  const report = JSON.parse(run.stdout);
  assert.deepEqual(report.alerts.map((a: { name: string; status: string }) => `${a.name}:${a.status}`), ['good:ok']);
  assert.equal(report.problems.length, 10);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Logon: root'], 'the good alert was delivered');
  assert.ok(project.audit().some((e) => e.event === 'invalid_alert' && /alerts\/endless\.yaml/.test(e.problem)));
});

test('an alias bomb or a device in place of alertcron.yaml is an invalid configuration (exit 2), not an internal error', { timeout: 60_000 }, async () => {
  const project = world.project();
  project.writeAlert('good', GOOD.replace('INDEX', 'nothing'));
  writeFileSync(join(project.dir, 'alertcron.yaml'), aliasBomb('channels: {}\n'));
  for (const args of [['validate'], ['run']]) {
    const result = await project.run(args);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^alertcron\.yaml:2:\d+: its aliases \(\*name\) expand to more than 100 copies/m);
  }
  const other = join(project.dir, 'other.yaml');
  symlinkSync('/dev/zero', other);
  const device = await project.run(['validate', '--config', other]);
  assert.equal(device.code, 2, device.stderr);
  assert.match(device.stderr, /^.*other\.yaml: is not a regular file \(a device, pipe or socket\)/m);
});

test('a *_file secret that is /dev/zero is a problem of that key, not a hang', { timeout: 60_000 }, async () => {
  const project = world.project();
  project.writeAlert('good', GOOD.replace('INDEX', 'nothing'));
  const config = { elasticsearch: { url: world.esUrl, username: 'u', password_file: '/dev/zero' }, channels: { 'soc-email': { type: 'email', host: '127.0.0.1', from: 'a@test.local', to: ['b@test.local'] } } };
  project.writeConfig(config);
  const result = await project.run(['validate']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^alertcron\.yaml:\d+:\d+ \/elasticsearch\/password_file: cannot read password_file: \/dev\/zero is not a regular file/m);
});
