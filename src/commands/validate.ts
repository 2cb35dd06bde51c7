import { resolve } from 'node:path';
import { channelHostProblems } from '../config/channelHostProblems.js';
import { checkScripts } from '../config/checkScripts.js';
import { checkTemplates } from '../config/checkTemplates.js';
import { displayPath, loadAlerts } from '../config/loadAlerts.js';
import { timeframeWarnings } from '../inspect/timeframeWarnings.js';
import { countWindowWarnings } from '../inspect/countWindowWarnings.js';
import { sigmaSiblingWarnings } from '../inspect/sigmaSiblingWarnings.js';
import { readConfig } from '../config/loadConfig.js';
import { ParseCache } from '../config/parseCache.js';
import { formatProblem, type Problem } from '../config/problems.js';
import { readInputFile } from '../util/readInputFile.js';
import type { AlertDef, Config } from '../config/types.js';
import { parseYamlFile } from '../config/yamlDocument.js';
import { toPointer } from '../config/schemaCheck.js';
import { ExitCode, type ExitCodeValue } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { printJson } from './printReport.js';

/** Options of `alertcron validate`. */
export interface ValidateOptions {
  config: string;
  /** Unset secrets are errors, not warnings (for the production host). */
  strict?: boolean;
  /** Also check every alert's index, fields and query against the cluster. */
  cluster?: boolean;
  json?: boolean;
}

/** What validate found, as `--json` prints it. */
export interface ValidateReport {
  ok: boolean;
  exit_code: ExitCodeValue;
  problems: Problem[];
  warnings: Problem[];
  alerts: { valid: number; disabled: number; invalid: number };
  channels: number;
  /** With --cluster: where the alerts were checked, how many, and why the cluster could not be used (exit code 3). */
  cluster: { url: string; alerts_checked: number; error?: string } | null;
  /** How many of the warnings are unset secrets: the ones `--strict` makes errors. */
  unset_secrets: number;
  /** How many of the warnings are programs a channel runs that this host lacks (a command channel's): `--strict` makes them errors too. */
  missing_programs: number;
}

/**
 * `alertcron validate`: loads alertcron.yaml and every alert (the alerts even when alertcron.yaml has problems) and
 * every script (in the script sandbox),
 * optionally checks them against the cluster, prints every problem and warning at once; exits 2 on any problem.
 */
export async function validateCommand(options: ValidateOptions): Promise<number> {
  const report = await validateProject(options);
  if (options.json) printJson(report);
  else printValidateReport(report);
  return report.exit_code;
}

/** Runs every check of `validate` and returns what it found, without printing. */
export async function validateProject(options: ValidateOptions, env: NodeJS.ProcessEnv = process.env): Promise<ValidateReport> {
  const cache = ParseCache.open(options.config, env);
  const reading = await readConfig(options.config, env, cache);
  const config = reading.config ?? reading.fallback;
  const problems = [...reading.problems];
  const warnings: Problem[] = [];
  const report: ValidateReport = { ok: false, exit_code: ExitCode.invalidConfig, problems, warnings, alerts: { valid: 0, disabled: 0, invalid: 0 }, channels: 0, cluster: null, unset_secrets: 0, missing_programs: 0 };
  if (!config) return report;
  // --cluster needs the cluster's own secrets: unset, they are errors then; the channels' stay warnings.
  const needed = (path = '') => options.strict || (options.cluster && path.startsWith('/elasticsearch/'));
  for (const unset of config.unset) (needed(unset.problem.path) ? problems : warnings).push(unset.problem);
  report.unset_secrets = config.unset.filter((unset) => !needed(unset.problem.path)).length;
  if ((config.sources.maxpatrol as { insecure_skip_tls_verify?: boolean } | undefined)?.insecure_skip_tls_verify) {
    warnings.push({ file: displayPath(config, config.file), path: '/maxpatrol/insecure_skip_tls_verify', message: 'MaxPatrol certificates are not verified: anyone between this host and the core can read the password and the incidents (set ca_file to the core\'s CA instead)' });
  }
  const loaded = await loadAlerts(config, cache);
  if (reading.config) cache.save();
  // Every script is loaded in the sandbox, as a run would: syntax errors, no match export, a load that never ends.
  const scripts = await checkScripts(loaded.alerts, (path) => displayPath(config, path));
  problems.push(...loaded.problems, ...scripts.problems, ...(await templateProblems(config, loaded.alerts)));
  // A program this host lacks is like an unset secret: the alerts may be checked elsewhere than where they run.
  const missing = reading.config ? await channelHostProblems(reading.config) : [];
  (options.strict ? problems : warnings).push(...missing);
  if (!options.strict) report.missing_programs = missing.length;
  warnings.push(...loaded.warnings, ...timeframeWarnings(loaded.alerts), ...countWindowWarnings(loaded.alerts), ...sigmaSiblingWarnings(loaded.alerts, (path) => displayPath(config, path)));
  report.alerts = { valid: loaded.alerts.length - scripts.broken.size, disabled: loaded.disabled.length, invalid: loaded.invalid.length + scripts.broken.size };
  report.channels = Object.keys(config.channels).length;
  if (options.cluster && reading.config && !problems.some((p) => p.path?.startsWith('/elasticsearch/'))) {
    const { checkAgainstCluster } = await import('./validateCluster.js');
    const { startProgress } = await import('../util/progress.js');
    const progress = startProgress({ json: options.json });
    progress.phase('validate --cluster', undefined, 'alerts');
    const checked = await checkAgainstCluster(reading.config, loaded.alerts, (done, total) => progress.update(done, total)).finally(() => progress.end());
    problems.push(...checked.problems);
    if (checked.url) report.cluster = { url: checked.url, alerts_checked: checked.checked, ...(checked.error ? { error: checked.error } : {}) };
  }
  report.exit_code = problems.length ? ExitCode.invalidConfig : report.cluster?.error ? ExitCode.sourceFailed : ExitCode.ok;
  report.ok = report.exit_code === ExitCode.ok;
  return report;
}

/** Prints a validate report for people: problems and warnings on stderr, the summary after them. */
export function printValidateReport(report: ValidateReport): void {
  // One write for all of them: a project of many alerts may have hundreds.
  const lines = [...report.problems.map((problem) => formatProblem(problem)), ...report.warnings.map((warning) => formatProblem({ ...warning, message: `warning: ${warning.message}` }))];
  if (lines.length) console.error(lines.map((line) => redact(line)).join('\n'));
  const { valid, disabled } = report.alerts;
  let summary = `${valid} alert(s) valid, ${disabled} disabled, ${report.channels} channel(s)`;
  if (report.cluster) summary += `; ${report.cluster.alerts_checked} alert(s) checked against ${report.cluster.url}`;
  if (report.warnings.length) summary += `; ${report.warnings.length} warning(s)${strictNote(report)}`;
  if (report.cluster?.error) console.error(`cannot check the alerts against the cluster: ${redact(report.cluster.error)}`);
  if (report.problems.length) {
    const files = new Set(report.problems.map((p) => p.file)).size;
    console.error(`${report.problems.length} problem(s) in ${files} file(s); ${summary}`);
  } else if (report.cluster?.error) {
    console.error(`cluster check failed; ${summary}`);
  } else {
    console.log(`OK: ${summary}`);
  }
}

/** What of the warnings `--strict` turns into errors (unset secrets, missing programs), as the summary says it. */
function strictNote(report: ValidateReport): string {
  const strict = report.unset_secrets + report.missing_programs;
  if (!strict) return '';
  const what = [report.unset_secrets ? 'unset secrets' : '', report.missing_programs ? 'missing programs' : ''].filter(Boolean).join(' and ');
  return ` (${strict === report.warnings.length ? what : `${strict} of them ${what}`}: validate --strict fails on those)`;
}

/** Template names no finding can have, located in their files (runs still run such alerts: they render those names empty). */
async function templateProblems(config: Config, alerts: AlertDef[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const alert of alerts) {
    const found = checkTemplates(alert);
    if (!found.length) continue;
    const read = readInputFile(resolve(config.dir, alert.file));
    const yaml = 'text' in read ? await parseYamlFile(alert.file, read.text) : undefined;
    for (const { where, message } of found) {
      const { line, col } = yaml?.locate(where) ?? { line: 0, col: 0 };
      problems.push({ file: alert.file, line: line || undefined, col, path: toPointer(where), message });
    }
  }
  return problems;
}
