import { loadProject } from '../config/loadProject.js';
import type { AlertDef, Config } from '../config/types.js';
import { runAlerts } from '../run/runAlerts.js';
import { explainAlerts } from './explainAlerts.js';
import { clockFromEnv } from '../util/clock.js';
import { parseDuration } from '../util/duration.js';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { printErrors, printFindings, printJson } from './printReport.js';

/** Options of `alertcron test`. */
export interface TestCommandOptions {
  config: string;
  from?: string;
  to: string;
  send?: boolean;
  json?: boolean;
}

/** Parses `now`, an ISO time, or a duration meaning that long ago, into epoch milliseconds. */
export function parseTime(text: string, now: number, flag: string): number {
  if (text === 'now') return now;
  if (/^\d+(ms|s|m|h|d|w)/.test(text)) {
    try {
      return now - parseDuration(text);
    } catch (error) {
      throw new UserError(`${flag} ${errorMessage(error)}`, ExitCode.usage);
    }
  }
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw new UserError(`${flag} ${text}: use an ISO time (2026-11-23T10:00:00Z), a duration ago (15m) or now`, ExitCode.usage);
  return parsed;
}

/** Warns, below the alert, of each of its channels that lacks a secret: `--send` would leave its deliveries pending. */
function addChannelWarnings(notes: Map<string, string[]>, config: Config, alert: AlertDef | undefined): void {
  if (!alert) return;
  const channels = [...new Set([...alert.notify, ...(alert.escalation ?? []).flatMap((tier) => tier.notify)])];
  const warnings = channels.flatMap((name) => {
    const missing = config.channels[name]?.missingSecret;
    return missing ? [`warning: channel ${name}: ${missing}: with --send its deliveries would stay pending`] : [];
  });
  if (warnings.length) notes.set(alert.name, [...(notes.get(alert.name) ?? []), ...warnings]);
}

/**
 * `alertcron test <alert>`: the same path as run, for one alert, showing request, findings and decisions, then its
 * hits before condition and grouping (in all, per index), its number of keys, and why it may find nothing.
 */
export async function testCommand(alert: string, options: TestCommandOptions): Promise<number> {
  const now = clockFromEnv()();
  if (!options.from && options.to !== 'now') throw new UserError('--to needs --from (without them, test searches the window the next run would)', ExitCode.usage);
  const window = options.from ? { from: parseTime(options.from, now, '--from'), to: parseTime(options.to, now, '--to') } : undefined;
  if (window && window.from >= window.to) throw new UserError('--from must be before --to', ExitCode.usage);
  const report = await runAlerts({ configFile: options.config, only: [alert], dryRun: !options.send, window, ignoreSchedule: true, includeRequests: true, checkTemplates: true });
  const { config, loaded } = await loadProject(options.config);
  const { explanations, notes } = await explainAlerts(config, loaded, report.alerts.filter((a) => a.status !== 'not-due'));
  if (!options.send) addChannelWarnings(notes, config, loaded.alerts.find((a) => a.name === alert));
  if (options.json) printJson({ ...report, explanations });
  else {
    for (const entry of report.alerts) {
      if (entry.request) console.log(describeRequest(entry.request));
    }
    printFindings(report, true, notes);
    if (!options.send) console.log('(nothing sent, state untouched: add --send to deliver)');
  }
  printErrors(report);
  return report.exitCode;
}

/** The request an alert sent, for people: a search as `POST /index/_search` and its body, anything else as JSON. */
function describeRequest(request: unknown): string {
  const search = request as { index?: unknown; body?: unknown };
  if (typeof search.index === 'string' && search.body) return redact(`request: POST /${search.index}/_search\n${JSON.stringify(search.body, null, 2)}`);
  return redact(`request:\n${JSON.stringify(request, null, 2)}`);
}
