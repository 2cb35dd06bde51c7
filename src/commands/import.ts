import { importElastalert, type ImportResult } from '../importer/importElastalert.js';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { inertLine } from '../importer/quote.js';
import { printJson } from './printReport.js';
import { startProgress } from '../util/progress.js';
import type { ImportSigmaResult } from '../importer/importSigma.js';
import type { SigmaDefaults } from '../model/config.js';
import { existsSync } from 'node:fs';

/** Options of `alertcron import elastalert`. */
export interface ImportCommandOptions {
  config?: string;
  out: string;
  json?: boolean;
  allowOutsideImports?: boolean;
}

/**
 * `alertcron import elastalert <rules folder>`: converts ElastAlert2 rules into an alertcron folder and reports
 * what it wrote, what it kept, every option it could not convert (`file:line`) and the variables to set.
 * Exit 0 when every rule was converted, 2 when a rule or file was skipped.
 */
export async function importCommand(rulesDir: string, options: ImportCommandOptions): Promise<number> {
  let result: ImportResult;
  const progress = startProgress({ json: options.json });
  try {
    progress.phase(`import ${rulesDir}: reading`, undefined, 'files');
    result = await importElastalert(rulesDir, { ...options, onFile: (done, total) => progress.update(done, total) });
  } catch (error) {
    throw new UserError(errorMessage(error), ExitCode.invalidConfig);
  } finally {
    progress.end();
  }
  if (options.json) printJson(result);
  else printResult(result);
  return result.skipped.length || result.problems.length ? ExitCode.invalidConfig : ExitCode.ok;
}

function printResult(r: ImportResult): void {
  // Names and messages carry text of the rule files: nothing in them may act on the terminal.
  const log = (line = '') => console.log(redact(inertLine(line)));
  log(`converted ${r.converted.length} rule(s) into ${r.out}/:`);
  for (const c of r.converted) log(`  ${c.alert}  <- ${c.source} (${c.type})`);
  if (r.fragments.length) log(`imported fragments (read through the rules that import them): ${r.fragments.join(', ')}`);
  if (r.channels.length) log(`channels in alertcron.yaml: ${r.channels.join(', ')}`);
  if (r.kept.length) {
    log();
    log('kept (already there, not written over):');
    for (const file of r.kept) log(`  ${file}`);
    if (r.channelsYaml) {
      log('add these channels to the alertcron.yaml that is there:');
      for (const line of r.channelsYaml.trimEnd().split('\n')) log(`  ${line}`);
    }
  }
  if (r.variables.length) {
    log();
    log('set these environment variables (the literal secrets of the rules are now ${...} references):');
    const width = Math.max(...r.variables.map((v) => v.variable.length));
    for (const v of r.variables) log(`  ${v.variable.padEnd(width)}  the value of ${v.option} at ${v.where}`);
  }
  if (r.notes.length) {
    log();
    log(`not converted, or converted differently (${r.notes.length}):`);
    for (const n of r.notes) log(`  ${n.where}: ${n.option}: ${n.message}`);
  }
  const errors = [...r.problems.map((p) => `${p.where}: ${p.message}`), ...r.skipped.map((s) => `${s.where}: ${s.option}: ${s.message}`)];
  for (const line of errors) console.error(redact(inertLine(`import: ${line}`)));
  log();
  log(`next: cd ${r.out} && alertcron validate, then alertcron test <alert> --backtest 7d to see what each would send`);
}

/** Options of `alertcron import sigma`. */
export interface ImportSigmaCommandOptions {
  pipeline?: string[];
  index: string;
  out: string;
  notify?: string;
  output?: string;
  json?: boolean;
  /** The alertcron.yaml whose defaults.sigma the rules are compiled with (default: ./alertcron.yaml, if there is one). */
  config?: string;
}

/**
 * `alertcron import sigma <files or folders...>`: writes one alert per Sigma rule into the out folder (never over a
 * file) and reports what it converted, kept and refused (with the reason at file:line). Exit 0 when every rule was
 * converted, 2 when one was refused.
 */
export async function importSigmaCommand(paths: string[], options: ImportSigmaCommandOptions): Promise<number> {
  if (options.output !== undefined && options.output !== 'dsl' && options.output !== 'lucene') throw new UserError(`--output must be dsl or lucene, not "${options.output}"`, ExitCode.usage);
  const { importSigma } = await import('../importer/importSigma.js');
  let result: ImportSigmaResult;
  const progress = startProgress({ json: options.json });
  try {
    const notify = options.notify?.split(',').map((name) => name.trim()).filter(Boolean);
    const defaults = await projectSigmaDefaults(options.config);
    progress.phase('import sigma: converting', undefined, 'files');
    const onFile = (done: number, total: number) => progress.update(done, total);
    result = importSigma(paths, { pipeline: options.pipeline, index: options.index, out: options.out, notify, output: options.output as 'dsl' | 'lucene' | undefined, defaults, onFile });
  } catch (error) {
    throw new UserError(errorMessage(error), ExitCode.invalidConfig);
  } finally {
    progress.end();
  }
  if (options.json) printJson(result);
  else printSigmaResult(result);
  return result.refused.length ? ExitCode.invalidConfig : ExitCode.ok;
}

/**
 * defaults.sigma of the --config file (else ./alertcron.yaml, if there is one): what the written alerts get at run
 * time. A file that cannot be read is named on stderr with its first problem, and the rules are compiled without it.
 */
async function projectSigmaDefaults(config: string | undefined): Promise<SigmaDefaults | undefined> {
  const file = config ?? 'alertcron.yaml';
  if (config === undefined && !existsSync(file)) return undefined;
  const { readConfig } = await import('../config/loadConfig.js');
  const { formatProblem } = await import('../config/problems.js');
  const reading = await readConfig(file);
  if (reading.config) return reading.config.defaults.sigma;
  const [first] = reading.problems;
  const more = reading.problems.length > 1 ? ` (and ${reading.problems.length - 1} more problem(s): alertcron validate lists them)` : '';
  const problem = first ? formatProblem(first) : `${file}: cannot be read`;
  console.error(redact(inertLine(`import: warning: ${problem}${more}; the rules are compiled without its defaults.sigma`)));
  return undefined;
}

function printSigmaResult(r: ImportSigmaResult): void {
  // Titles and reasons carry text of the rule files: nothing in them may act on the terminal.
  const log = (line = '') => console.log(redact(inertLine(line)));
  log(`converted ${r.converted.length} Sigma rule(s) into ${r.out}/:`);
  for (const c of r.converted) log(`  ${c.alert}  <- ${c.source} (${c.title})`);
  if (r.kept.length) {
    log();
    log('kept (already there, not written over):');
    for (const file of r.kept) log(`  ${file}`);
  }
  if (r.refused.length) {
    log();
    log(`refused (${r.refused.length}): listed on stderr`);
  }
  for (const line of r.refused) console.error(redact(inertLine(`import: ${line.where}: ${line.message}`)));
  log();
  log('next: alertcron validate (and validate --cluster to check the fields), then alertcron test <alert> --backtest 7d');
}
