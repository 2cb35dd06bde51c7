import { userInfo } from 'node:os';
import { describeSilence } from '../operations/stateOperations.js';
import { perform } from '../operations/perform.js';
import { isActive } from '../policy/silences.js';
import type { Silence } from '../model/state.js';
import { openProject } from './project.js';
import { durationOption } from './durationOption.js';
import { ExitCode, UserError } from '../util/errors.js';
import { printJson } from './printReport.js';
import { requireAlerts } from '../run/select.js';

/** Options of `alertcron silence add`. */
export interface SilenceAddOptions {
  config: string;
  key?: string;
  match?: string;
  for: string;
  comment: string;
  author?: string;
}

/** The user running the command, for silences and acknowledgements. */
export function currentUser(): string {
  try {
    return process.env.USER || userInfo().username;
  } catch {
    return 'unknown';
  }
}

export { describeSilence } from '../operations/stateOperations.js';

/** `alertcron silence add`: stores a silence in the state file (under the lock) and prints it. */
export async function silenceAddCommand(alert: string, options: SilenceAddOptions): Promise<number> {
  const { loaded, store, now } = await openProject(options.config, { offline: true });
  requireAlerts(loaded, [alert]);
  if (options.key !== undefined && options.match !== undefined) throw new UserError('use --key or --match, not both', ExitCode.usage);
  let match: Silence['match'];
  if (options.match !== undefined) {
    const eq = options.match.indexOf('=');
    if (eq < 1) throw new UserError(`--match ${options.match}: write it as field=value, e.g. --match host.name=dc01`, ExitCode.usage);
    match = { field: options.match.slice(0, eq), value: options.match.slice(eq + 1) };
  }
  const duration = durationOption('--for', options.for);
  if (!options.comment.trim()) throw new UserError('--comment must say why (it is shown in silence list)', ExitCode.usage);
  const done = await perform({ op: 'silence', alert, ...(options.key !== undefined ? { key: options.key } : {}), ...(match ? { match } : {}), forMs: duration, comment: options.comment.trim(), by: options.author ?? currentUser() }, store, new Map(), now);
  console.log(done.message);
  return ExitCode.ok;
}

/** `alertcron silence list`: the active silences (all of them with --all), newest first. */
export async function silenceListCommand(options: { config: string; all?: boolean; json?: boolean }): Promise<number> {
  const { store, now } = await openProject(options.config, { offline: true });
  const { data } = await store.peek();
  const silences = data.silences.filter((s: Silence) => options.all || isActive(s, now)).sort((a, b) => b.createdAt - a.createdAt);
  if (options.json) printJson(silences.map((s) => ({ ...s, active: isActive(s, now), createdAt: new Date(s.createdAt).toISOString(), endsAt: new Date(s.endsAt).toISOString() })));
  else if (!silences.length) console.log(options.all ? 'no silences' : 'no active silences');
  else for (const s of silences) console.log(describeSilence(s, now));
  return ExitCode.ok;
}

/** `alertcron silence expire <id>`: ends a silence now. */
export async function silenceExpireCommand(id: string, options: { config: string }): Promise<number> {
  const { store, now } = await openProject(options.config, { offline: true });
  const done = await perform({ op: 'expire', id, by: currentUser() }, store, new Map(), now);
  if (!done.ok) throw new UserError(done.message, ExitCode.usage);
  console.log(done.message);
  return ExitCode.ok;
}
