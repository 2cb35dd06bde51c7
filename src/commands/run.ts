import type { RunReport } from '../run/report.js';
import { runAlerts } from '../run/runAlerts.js';
import { printConversations, printDelivered, printErrors, printFindings, printJson } from './printReport.js';

/** Options of `alertcron run`. */
export interface RunCommandOptions {
  config: string;
  only?: string[];
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/**
 * `alertcron run`: one run of every due alert; quiet on success, one line per error on stderr. With --verbose,
 * what each alert found, where each notification went, and why an alert that found nothing found nothing.
 */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const report = await runAlerts({ configFile: options.config, only: options.only, dryRun: options.dryRun, processStartedAt: performance.timeOrigin });
  if (options.json) printJson(report);
  else if (options.dryRun || options.verbose) {
    printFindings(report, !!options.dryRun, options.verbose ? await explainEmpty(options.config, report) : undefined);
    if (options.verbose) {
      printConversations(report);
      printDelivered(report);
    }
  }
  printErrors(report);
  return report.exitCode;
}

/** For --verbose: the explanation of each alert that searched and found nothing (two read-only requests each). */
async function explainEmpty(configFile: string, report: RunReport): Promise<Map<string, string[]>> {
  const empty = report.alerts.filter((a) => a.status === 'ok' && a.window && !a.findings.length);
  if (!empty.length) return new Map();
  const { explainAlerts } = await import('./explainAlerts.js');
  const { loadProject } = await import('../config/loadProject.js');
  const { config, loaded } = await loadProject(configFile);
  return (await explainAlerts(config, loaded, empty)).notes;
}
