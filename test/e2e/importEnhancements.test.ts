// Issue 26 point 3: a rule whose logic lives in a Python match enhancement cannot be converted faithfully (the class
// may drop matches with DropMatchException): the import refuses it loudly, names the file:line and the class, writes
// no alert for it and exits 2; never an alert that notifies on every match while the import exits 0.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { runCli } from '../support/project.js';
import { checkProperty, fc } from '../support/property.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A working folder with rules/<name>.yaml for each rule text (and config.yaml when given). */
function rulesFolder(rules: Record<string, string>, config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-enh-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'rules'));
  for (const [name, text] of Object.entries(rules)) writeFileSync(join(dir, 'rules', `${name}.yaml`), text);
  if (config !== undefined) writeFileSync(join(dir, 'config.yaml'), config);
  return dir;
}

const EMAIL = 'alert:\n  - email\nemail: [soc@example.org]\nsmtp_host: mail.example.org\n';
/** A rule that matches every event of its index: only its enhancement decides what is worth a notice. */
const DROPPING = `name: Internal logons
index: winlogbeat-*
type: any
filter:
  - term:
      event.code: "4624"
match_enhancements:
  - elastalert_modules.internal.DropInternalSubnets
  - elastalert_modules.enrich.AddWhois
run_enhancements_first: true
${EMAIL}`;
const PLAIN = `name: Admin logons
index: winlogbeat-*
type: any
filter:
  - term:
      user.name: Administrator
${EMAIL}`;
const TIME_ONLY = `name: Pretty times
index: winlogbeat-*
type: any
filter:
  - term:
      event.code: "4625"
match_enhancements: [TimeEnhancement]
${EMAIL}`;

test('import elastalert: a rule with match_enhancements is refused at the class\'s line, no alert is written for it, the others convert and validate, exit 2', async () => {
  const dir = rulesFolder({ 'internal-logons': DROPPING, 'admin-logons': PLAIN, 'pretty-times': TIME_ONLY });
  const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(
    result.stderr,
    'import: rules/internal-logons.yaml:8: match_enhancements: the Python enhancement "elastalert_modules.internal.DropInternalSubnets", "elastalert_modules.enrich.AddWhois" rewrites or drops this rule\'s matches (run_enhancements_first: before realert and aggregation count a match) in code alertcron cannot run: not converted (without it the alert would notify on every match it drops); write its logic as the alert\'s query or a script condition (condition: {type: script}), then write the alert by hand: skipped\n',
  );
  assert.deepEqual(readdirSync(join(dir, 'out', 'alerts')).sort(), ['admin-logons.yaml', 'pretty-times.yaml'], 'no alert file for the refused rule');
  assert.ok(!existsSync(join(dir, 'out', 'queries', 'internal-logons.json')));
  assert.match(result.stdout, /^converted 2 rule\(s\) into out\/:$/m);
  // ElastAlert2's own TimeEnhancement only formats @timestamp: the rule converts, with a note.
  assert.match(result.stdout, /^ {2}rules\/pretty-times\.yaml:7: match_enhancements: ElastAlert2's TimeEnhancement only rewrites @timestamp for people: not needed/m);
  assert.doesNotMatch(result.stdout, /internal-logons/, 'the refused rule is only on stderr, not among the converted');

  const validate = await runCli(['validate'], join(dir, 'out'));
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);

  const json = await runCli(['import', 'elastalert', 'rules', '--out', 'out-json', '--json'], dir);
  assert.equal(json.code, 2);
  const report = JSON.parse(json.stdout) as { skipped: { where: string; option: string }[]; converted: { source: string }[] };
  assert.deepEqual(report.skipped.map((s) => [s.where, s.option]), [['rules/internal-logons.yaml:8', 'match_enhancements']]);
  assert.deepEqual(report.converted.map((c) => c.source).sort(), ['rules/admin-logons.yaml', 'rules/pretty-times.yaml']);
});

test('import elastalert: match_enhancements in config.yaml is every rule\'s default, so every rule is refused at config.yaml\'s line; run_enhancements_first alone is a note', async () => {
  const config = 'es_host: localhost\nes_port: 9200\nrules_folder: rules\nrun_every:\n  minutes: 1\nbuffer_time:\n  minutes: 15\nwriteback_index: elastalert_status\nmatch_enhancements:\n  - "mods.dns.\\x1b[31mReverse"\n';
  const dir = rulesFolder({ 'admin-logons': PLAIN }, config);
  const result = await runCli(['import', 'elastalert', 'rules', '--config', 'config.yaml', '--out', 'out'], dir);
  assert.equal(result.code, 2, result.stderr);
  // The class name is data: its escape character is shown as text, never sent to the terminal.
  assert.match(result.stderr, /^import: config\.yaml:10: match_enhancements: the Python enhancement "mods\.dns\.\\u\{1b\}\[31mReverse" rewrites or drops/);
  assert.deepEqual(readdirSync(join(dir, 'out', 'alerts')), []);

  const alone = rulesFolder({ 'admin-logons': `${PLAIN}run_enhancements_first: true\n` });
  const converted = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], alone);
  assert.equal(converted.code, 0, converted.stderr);
  assert.match(converted.stdout, /^ {2}rules\/admin-logons\.yaml:11: run_enhancements_first: not converted: no match_enhancements to run$/m);
});

test('import elastalert: whatever match_enhancements lists (names with quotes, escapes, line breaks), a rule that names a class is refused on one inert line and never written', async () => {
  const name = fc.string({ unit: fc.constantFrom('a', 'Z', '.', '_', '-', ' ', ':', '#', '"', "'", '\\', '[', '{', '\n', '\r', '\t', '\u001b', '\u0007', '\u202e', '\u2028', 'é', '🔥'), minLength: 1, maxLength: 40 });
  const entries = fc.array(fc.oneof(name, fc.constant('TimeEnhancement')), { minLength: 1, maxLength: 4 });
  await checkProperty('import refuses match_enhancements', fc.asyncProperty(entries, async (list) => {
    const classes = list.filter((entry) => entry.trim() !== 'TimeEnhancement');
    const rule = stringify({ name: 'Enhanced', index: 'logs-*', type: 'any', filter: [{ term: { 'event.code': '4624' } }], match_enhancements: list, alert: ['email'], email: ['soc@example.org'], smtp_host: 'mail.example.org' });
    const dir = rulesFolder({ r: rule });
    const result = await runCli(['import', 'elastalert', 'rules', '--out', 'out'], dir);
    const alerts = readdirSync(join(dir, 'out', 'alerts'));
    if (!classes.length) {
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(alerts, ['enhanced.yaml']);
      return;
    }
    assert.equal(result.code, 2, result.stderr);
    assert.deepEqual(alerts, [], 'never written');
    const lines = result.stderr.split('\n');
    assert.equal(lines.length, 2, result.stderr);
    assert.match(lines[0]!, /^import: rules\/r\.yaml:\d+: match_enhancements: the Python enhancement "/);
    assert.doesNotMatch(lines[0]!, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e]/);
  }), 12);
});
