import type { AlertReport, RunReport } from '../run/report.js';
import { redact } from '../util/redact.js';
import { cleanText } from '../util/text.js';

/** A line for the terminal: escape sequences removed, other control characters and any line break made spaces. */
function shownLine(line: string): string {
  return cleanText(line).replace(/\n/g, ' ');
}

/** Prints the one-line errors of a run on stderr: problems, failed alerts, failed deliveries, warnings. */
export function printErrors(report: RunReport): void {
  const lines = [
    ...report.problems,
    ...report.warnings.map((w) => `warning: ${w}`),
    ...report.alerts.filter((a) => a.status === 'error').map((a) => `alert ${a.name}: ${a.error}`),
    ...report.deliveries
      .filter((d) => !d.ok)
      .map((d) => `alert ${d.alert} key ${JSON.stringify(d.key)} -> ${d.channel}: ${d.error} (${d.retryable ? 'will retry next run' : 'not retried'})`),
  ];
  for (const line of lines) console.error(redact(line));
}

/**
 * Prints, for people, what each alert found and what was decided, with any `notes` about an alert below it;
 * secrets redacted like every other output.
 */
export function printFindings(report: RunReport, withBodies: boolean, notes: Map<string, string[]> = new Map()): void {
  for (const alert of report.alerts) {
    printAlert(alert, withBodies);
    for (const line of notes.get(alert.name) ?? []) console.log(`  ${redact(shownLine(line))}`);
  }
}

function printAlert(alert: AlertReport, withBodies: boolean): void {
  // Titles and messages carry log data and rule metadata: no escape sequence reaches the terminal, no line is forged.
  const log = (line: string) => console.log(redact(shownLine(line)));
  if (alert.status === 'not-due') {
    log(`${alert.name}: not due`);
    return;
  }
  const window = alert.window ? ` [${alert.window.from} .. ${alert.window.to})` : '';
  if (alert.status === 'error') {
    log(`${alert.name}${window}: ERROR ${alert.error}`);
    return;
  }
  log(`${alert.name}${window}: ${alert.findings.length} finding(s)`);
  for (const f of alert.findings) {
    const next = f.nextAt ? `, next repeat after ${f.nextAt}` : '';
    log(`  key ${JSON.stringify(f.key)} count ${f.count}: ${f.notify ? 'NOTIFY' : f.asked ? 'ASK the person' : 'skip'} (${f.decision}${next})`);
    if (withBodies && (f.notify || f.asked)) {
      log(`    title: ${f.title}`);
      for (const line of cleanText(f.message).split('\n')) log(`    | ${line}`);
    }
  }
}

/**
 * Prints, for people, where each notification of a run went: one line per delivered (alert, key, channel); a
 * source's action after a notice (TheHive's tag write-back) is shown as such. Notices muted before sending are not.
 */
export function printDelivered(report: RunReport): void {
  for (const d of report.deliveries.filter((d) => d.ok && !d.muted)) {
    const where = d.channel === 'thehive.tag' ? 'TheHive (tag written back)' : `${d.channel}${d.reason ? ` (${d.reason})` : ''}`;
    console.log(redact(`delivered: ${d.alert} ${JSON.stringify(d.key)} -> ${where}`));
  }
}

/** Prints the report as JSON, with secrets redacted. */
export function printJson(value: unknown): void {
  console.log(redact(JSON.stringify(value, null, 2)));
}

/** Prints, for people, where each conversation of an ask alert stands after the run (for `run --verbose`). */
export function printConversations(report: RunReport): void {
  for (const c of report.conversations ?? []) console.log(redact(`conversation: ${c.id} with ${JSON.stringify(c.person)}: ${c.state}${c.reason ? ` (${c.reason})` : ''}`));
}
