// import elastalert over a corpus of real public ElastAlert2 rule files (test/fixtures/elastalert-public, each file as
// found, with SOURCES.md): each file either converts, or is refused for one of the reasons the table below names,
// which its own text justifies. Once the channel kinds of issue 26 are registered, every converted folder validates.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT, runCli } from '../support/project.js';

const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'elastalert-public');

/**
 * What the importer does with a file: converts it, or refuses it because its rule type or an enhancement is a
 * Python class, it is a template not yet rendered, its alerters name no destination, its only alerters have no
 * alertcron channel, its filter cannot be carried over, or it is no rule at all (an account file beside the rules).
 */
type Outcome = 'converted' | 'python-class' | 'enhancement' | 'template' | 'no-destination' | 'no-channel' | 'filter' | 'not-a-rule';

/** The expected outcome of every rule file of the corpus, and why (from the file itself). */
const EXPECTED: Readonly<Record<string, Outcome>> = {
  // Jenkins monitoring: its logic is match_enhancements: jenkins_metrics_drop_alert.JenkinsMetricsDropAlert.
  'Ahmed-tantawy--Jenkins-Monitoring-with-Elastalert2/rules/jenkins_executor_drop_alert_test.yaml': 'enhancement',
  // Security Onion's Salt states: {% set ... %} Jinja at line 1, rendered by Salt before ElastAlert2 reads them.
  'Security-Onion-Solutions--securityonion/salt/elastalert/files/rules/so/suricata_thehive.yaml': 'template',
  'Security-Onion-Solutions--securityonion/salt/elastalert/files/rules/so/wazuh_thehive.yaml': 'template',
  // Yelp's examples: change + email, frequency + opsgenie, percentage_match + debug, spike_aggregation of avg + debug, frequency + slack.
  'Yelp--elastalert/example_rules/example_change.yaml': 'converted',
  'Yelp--elastalert/example_rules/example_opsgenie_frequency.yaml': 'converted',
  'Yelp--elastalert/example_rules/example_percentage_match.yaml': 'converted',
  'Yelp--elastalert/example_rules/example_spike_single_metric_agg.yaml': 'converted',
  'Yelp--elastalert/example_rules/ssh-repeat-offender.yaml': 'converted',
  // Security Onion add-on rules: blacklist + debug (one with a !file list).
  'bryant-treacle--so-elastalert-create/Elastalert_rules/default_powershell_user_agent_blacklist/powershell_user_agent_strings.yaml': 'converted',
  'bryant-treacle--so-elastalert-create/Elastalert_rules/dns_zone_xfers/dns_zone_transfers.yaml': 'converted',
  // A Sysmon net.exe rule: any + debug with alert_text_args.
  'crimsoncore--docker_elastalert/rules/netview.yaml': 'converted',
  // The SMTP account file (user/password) that frequency.yaml's smtp_auth_file names, kept in the rules folder; frequency.yaml
  // itself still holds the placeholders of the blog's template (email: [email], smtp_port: [port]): no address to send to.
  'davidlomanto--logstack-elk-elastalert/elastalert/example_rules/autentication.yaml': 'not-a-rule',
  'davidlomanto--logstack-elk-elastalert/elastalert/example_rules/frequency.yaml': 'no-destination',
  // BitSensor's rule templates: detection, error (jira) and relevant-attack use a Python match enhancement; the others are plain.
  'dft-bluebadge--elastalert/rule_templates/detection_template.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rule_templates/error_jira_template.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rule_templates/integration_started_template.yaml': 'converted',
  'dft-bluebadge--elastalert/rule_templates/no_data_template.yaml': 'converted',
  'dft-bluebadge--elastalert/rule_templates/relevant_attack_template.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rule_templates/spike_template.yml': 'converted',
  'dft-bluebadge--elastalert/rule_templates/successful_attack_template.yaml': 'converted',
  'dft-bluebadge--elastalert/rule_templates/threshold_template.yml': 'converted',
  'dft-bluebadge--elastalert/rule_templates/volumetric_alert_template.yaml': 'converted',
  // DfT Blue Badge: the flatline rules and one frequency rule run elastalert_modules.bbworkingweek.BBWorkingWeek.
  'dft-bluebadge--elastalert/rules.disabled/No_inbound_APS_batch.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rules.disabled/Rejected_print_job.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rules/No_app_submissions.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rules/No_badges_ordered.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rules/No_notify_messages_sent.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rules/No_outbound_APS_batch.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rules/No_photo_uploads.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rules/No_sign-ins.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rules/No_successful_payments.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rules/Skipped_badge_in_batch.yaml': 'enhancement',
  'dft-bluebadge--elastalert/rules/Successful_inbound_APS_batch.yaml': 'converted',
  'dft-bluebadge--elastalert/rules/Successful_print_SFTP.yaml': 'converted',
  // elastalert-ci's examples: any + debug.
  'ferozsalam--elastalert-ci/example/rules/firefox-user-detection.yaml': 'converted',
  'ferozsalam--elastalert-ci/example/rules/match-any-account.yaml': 'converted',
  // ElastAlert2's own examples.
  'jertel--elastalert2/examples/rules/example_cardinality.yaml': 'converted',
  'jertel--elastalert2/examples/rules/example_change.yaml': 'converted',
  'jertel--elastalert2/examples/rules/example_frequency.yaml': 'converted',
  // alert: iris (DFIR-IRIS): an alerter alertcron has no channel for.
  'jertel--elastalert2/examples/rules/example_iris_alert_any.yaml': 'no-channel',
  'jertel--elastalert2/examples/rules/example_new_term.yaml': 'converted',
  'jertel--elastalert2/examples/rules/example_opsgenie_frequency.yaml': 'converted',
  'jertel--elastalert2/examples/rules/example_percentage_match.yaml': 'converted',
  'jertel--elastalert2/examples/rules/example_single_metric_agg.yaml': 'converted',
  // Its filter ends with `- type: {value: some_doc_type}`, a mapping-type filter Elasticsearch 7+ no longer has.
  'jertel--elastalert2/examples/rules/example_spike.yaml': 'filter',
  'jertel--elastalert2/examples/rules/example_spike_single_metric_agg.yaml': 'converted',
  // alert: tencent_sms: an alerter alertcron has no channel for.
  'jertel--elastalert2/examples/rules/example_tencent_sms.yaml': 'no-channel',
  // hivealerter without hive_connection (the example expects it in a config.yaml the repository does not have).
  'jertel--elastalert2/examples/rules/example_thehive_frequency.yaml': 'no-destination',
  'jertel--elastalert2/examples/rules/exemple_discord_any.yaml': 'converted',
  'jertel--elastalert2/examples/rules/ssh-repeat-offender.yaml': 'converted',
  'jertel--elastalert2/examples/rules/ssh.yaml': 'converted',
  // type: custom.ruletypes.PercentileOfFieldSpikeRule / examp.ruletypes.SumOfFieldSpikeRule: Python rule types.
  'leandro-ss--project_custom_elastalert/rules/customruletypes.yaml': 'python-class',
  'leandro-ss--project_custom_elastalert/rules/examprulestypes.yaml': 'python-class',
  // Sigma rules converted for ElastAlert: telegram ones convert; one has no alert: at all; one runs a match enhancement.
  'm-aouzal--sigma_to_elastalert/test_rules/failed_logons.yaml': 'converted',
  'm-aouzal--sigma_to_elastalert/test_rules/file_rename_win_ransomware.yml': 'no-destination',
  'm-aouzal--sigma_to_elastalert/test_rules/posh_ps_adrecon_execution.yml': 'converted',
  'm-aouzal--sigma_to_elastalert/test_rules/posh_ps_enable_psremoting.yml': 'enhancement',
  'm-aouzal--sigma_to_elastalert/test_rules/posh_ps_get_process_security_software_discovery.yml': 'converted',
  // type: elastalert_modules.custom_rule_types.CorrelationRule: a Python rule type.
  'markusnz1--elastalert_correlation/example_rules/aws_instance_manipulation.yaml': 'python-class',
  'markusnz1--elastalert_correlation/example_rules/brute_force_detection.yaml': 'python-class',
  'markusnz1--elastalert_correlation/example_rules/multiple_failed_attempts.yaml': 'python-class',
  // frequency with two post alerters.
  'rhrazdil--elastalertlab/elastalert_rules/example_frequency_rule.yaml': 'converted',
  // type: myrules.rule.ArrayChangeRule: a Python rule type.
  'ulfsa--elastalert-array-change/example_arraychange.yaml': 'python-class',
};

/** The config.yaml a folder of the corpus is imported with (ElastAlert2's global settings of that repository). */
const CONFIGS: Readonly<Record<string, string>> = { 'dft-bluebadge--elastalert': 'dft-bluebadge--elastalert/config/elastalert.yaml' };

/** The import's report on one file: converted, or its refusal line on stderr, and its notes on stdout. */
interface FileReport {
  converted: boolean;
  refusal?: string;
  notes: string[];
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every .yaml/.yml file under a folder, relative to it; config folders (ElastAlert2's global settings) left out. */
function ruleFiles(dir: string, root = dir): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'config' ? [] : ruleFiles(path, root);
    return /\.ya?ml$/.test(name) ? [relative(root, path)] : [];
  });
}

/** The corpus copied to a temporary working folder, imported folder by folder: each file's report, and the out folders. */
async function importCorpus(): Promise<{ reports: Map<string, FileReport>; outs: string[]; cwd: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'alertcron-corpus-'));
  dirs.push(cwd);
  cpSync(CORPUS, cwd, { recursive: true });
  const files = ruleFiles(cwd);
  const folders = [...new Set(files.map((f) => dirname(f)))];
  const reports = new Map<string, FileReport>(files.map((f) => [f, { converted: false, notes: [] }]));
  const outs: string[] = [];
  for (const [i, folder] of folders.entries()) {
    const out = join(cwd, '.out', String(i));
    const config = CONFIGS[folder.split('/')[0]!];
    const result = await runCli(['import', 'elastalert', folder, ...(config ? ['--config', config] : []), '--out', out], cwd);
    assert.ok(result.code === 0 || result.code === 2, `${folder}: exit ${result.code}: ${result.stderr}`);
    if (result.stdout.match(/^ {2}alerts\//m)) outs.push(out);
    for (const m of result.stdout.matchAll(/^ {2}alerts\/\S+ {2}<- (\S+) \(/gm)) reports.get(m[1]!)!.converted = true;
    for (const m of result.stdout.matchAll(/^ {2}(\S+?)(?::\d+)?: (.*)$/gm)) reports.get(m[1]!)?.notes.push(m[2]!);
    for (const m of result.stderr.matchAll(/^import: (\S+?)(?::\d+)?: (.*)$/gm)) {
      const report = reports.get(m[1]!);
      assert.ok(report, `a refusal of a file that is not in the corpus: ${m[0]}`);
      report.refusal = m[2]!;
    }
  }
  return { reports, outs, cwd };
}

/** Whether a file's report shows the expected outcome; a description of what it shows otherwise. */
function check(expected: Outcome, report: FileReport): string | undefined {
  const refused = report.refusal ?? '';
  const noChannel = report.notes.some((n) => /^alert: the .* alerter has no alertcron channel: not converted$/.test(n));
  const ok: Record<Outcome, boolean> = {
    converted: report.converted && !report.refusal,
    'python-class': /^type: type \S+ has no alertcron rule type \(a Python class is not supported\)/.test(refused),
    enhancement: /match_enhancements/.test(refused),
    template: /^not YAML ElastAlert2 can read either .*a template \(Jinja, placeholders\) must be rendered first$/.test(refused),
    'no-destination': /^alert: none of its alerters has an alertcron channel/.test(refused) && !noChannel,
    'no-channel': /^alert: none of its alerters has an alertcron channel/.test(refused) && noChannel,
    filter: /^filter: .*: skipped \(a rule without its filter would alert on everything\)$/.test(refused),
    'not-a-rule': /^type: no type: \(a fragment that nothing imports, or not a rule\): skipped$/.test(refused),
  };
  if (ok[expected]) return undefined;
  return report.converted ? `converted (notes: ${report.notes.join(' | ')})` : `refused: ${refused}`;
}

test('import elastalert over the public corpus: each file converts, or is refused for the reason its table line gives', async (t) => {
  const { reports } = await importCorpus();
  assert.deepEqual([...reports.keys()].sort(), Object.keys(EXPECTED).sort(), 'every corpus file has exactly one line in the table');
  assert.ok(reports.size >= 40, `${reports.size} files`);
  assert.ok(new Set([...reports.keys()].map((f) => f.split('/')[0])).size >= 10, 'files from 10 repositories or more');
  for (const [file, expected] of Object.entries(EXPECTED)) {
    await t.test(file, () => {
      const report = reports.get(file)!;
      const problem = check(expected, report);
      assert.equal(problem, undefined, `${file}: expected ${expected}, got ${problem}`);
    });
  }
});

/**
 * The problems validate may name in a converted folder: the blacklist files that Security Onion's add-on rules read
 * from /etc/elastalert/rules/ on the sensor (`!file` with an absolute path), which are not on this machine.
 */
const MISSING_LISTS = /^alerts\/(dns_zone_transfers|powershell_user_agent_strings)\.yaml:\d+:\d+ \/condition\/blacklist\/0: no such file: \/etc\/elastalert\/rules\/\S+ /;

test('import elastalert over the public corpus: every converted folder validates', async () => {
  const { outs } = await importCorpus();
  assert.ok(outs.length > 5);
  for (const out of outs) {
    const validate = await runCli(['validate'], out);
    const lines = `${validate.stdout}\n${validate.stderr}`.split('\n');
    // Warnings (unset variables, a command's program this host lacks) are for the host that runs the alerts.
    const problems = lines.filter((line) => /^\S+:\d+:\d+ /.test(line) && !/^\S+ \S+: warning: /.test(line) && !MISSING_LISTS.test(line));
    assert.deepEqual(problems, [], `${out}: ${validate.stdout}${validate.stderr}`);
    // Exit 0, or 2 (a problem) when the missing blacklist files are the only problems.
    assert.equal(validate.code, lines.some((line) => MISSING_LISTS.test(line)) ? 2 : 0, `${out}: ${validate.stdout}${validate.stderr}`);
  }
});

test('import elastalert over the public corpus: a grouped 30s frequency rule gets the group_size whose buckets the cluster accepts', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'alertcron-corpus-buckets-'));
  dirs.push(cwd);
  cpSync(join(CORPUS, 'dft-bluebadge--elastalert'), cwd, { recursive: true });
  const result = await runCli(['import', 'elastalert', 'rule_templates', '--config', 'config/elastalert.yaml', '--out', 'out'], cwd);
  assert.match(result.stdout, /^ {2}rule_templates\/volumetric_alert_template\.yaml:11: timeframe: a 30s timeframe over a catch-up of up to 1d needs many buckets per key: group_size: 20 /m);
  assert.match(readFileSync(join(cwd, 'out', 'alerts', 'bad-bot-behaviour.yaml'), 'utf8'), /^group_size: 20$/m);
  // validate (which refuses a search the cluster would reject) finds no bucket problem in it.
  const validate = await runCli(['validate'], join(cwd, 'out'));
  assert.doesNotMatch(validate.stdout + validate.stderr, /buckets/);
});

test('import elastalert over the public corpus: docs/elastalert2.md states the table\'s counts', () => {
  const readme = readFileSync(join(REPO_ROOT, 'docs', 'elastalert2.md'), 'utf8').replace(/\s+/g, ' ');
  const counts = (outcome: Outcome) => Object.values(EXPECTED).filter((o) => o === outcome).length;
  const repos = new Set(Object.keys(EXPECTED).map((f) => f.split('/')[0])).size;
  const total = Object.keys(EXPECTED).length;
  assert.match(readme, new RegExp(`imports ${total} rule-folder files of ${repos} public repositories`));
  assert.match(readme, new RegExp(`${counts('converted')} convert, and every converted folder passes`));
  assert.match(readme, new RegExp(`The other ${total - counts('converted')} are refused: ${counts('python-class') + counts('enhancement')} depend on Python code \\(${counts('python-class')} custom rule types, ${counts('enhancement')} \`match_enhancements\`\\), ${counts('template')} are Salt/Jinja templates not yet rendered, ${counts('no-destination')} name no destination .*, ${counts('no-channel')} use only alerters with no alertcron channel .*, ${counts('filter')} filters on a mapping \`type:\` .*, and ${counts('not-a-rule')} is not a rule`));
});
