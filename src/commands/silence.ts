import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { loadProject } from '../config/loadProject.js';
import { isActive } from '../policy/silences.js';
import { changeState, peekState } from '../state/store.js';
import type { Silence } from '../state/types.js';
import { clockFromEnv } from '../util/clock.js';
import { durationOption } from './durationOption.js';
import { ExitCode, UserError } from '../util/errors.js';
import { printJson } from './printReport.js';

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

/** Describes a silence in one line. */
export function describeSilence(s: Silence, now: number): string {
  const what = s.key !== undefined ? `key ${JSON.stringify(s.key)}` : s.match ? `${s.match.field}=${JSON.stringify(s.match.value)}` : 'all keys';
  const state = isActive(s, now) ? `until ${new Date(s.endsAt).toISOString()}` : `ended ${new Date(s.endsAt).toISOString()}`;
  return `${s.id}  ${s.alert}  ${what}  ${state}  by ${s.author}: ${s.comment}`;
}

/** `alertcron silence add`: stores a silence in the state file (under the lock) and prints it. */
export async function silenceAddCommand(alert: string, options: SilenceAddOptions): Promise<number> {
  const { config, loaded } = await loadProject(options.config, process.env, { offline: true });
  const known = [...loaded.alerts.map((a) => a.name), ...loaded.disabled, ...loaded.invalid];
  if (!known.includes(alert)) throw new UserError(`no alert named ${alert} (alerts: ${known.sort().join(', ') || 'none'})`, ExitCode.usage);
  if (options.key !== undefined && options.match !== undefined) throw new UserError('use --key or --match, not both', ExitCode.usage);
  let match: Silence['match'];
  if (options.match !== undefined) {
    const eq = options.match.indexOf('=');
    if (eq < 1) throw new UserError(`--match ${options.match}: write it as field=value, e.g. --match host.name=dc01`, ExitCode.usage);
    match = { field: options.match.slice(0, eq), value: options.match.slice(eq + 1) };
  }
  const duration = durationOption('--for', options.for);
  if (!options.comment.trim()) throw new UserError('--comment must say why (it is shown in silence list)', ExitCode.usage);
  const now = clockFromEnv()();
  const silence: Silence = {
    id: randomBytes(4).toString('hex'),
    alert,
    ...(options.key !== undefined ? { key: options.key } : {}),
    ...(match ? { match } : {}),
    createdAt: now,
    endsAt: now + duration,
    comment: options.comment.trim(),
    author: options.author ?? currentUser(),
  };
  await changeState(config.state.file, config.state.lock_wait, (data) => data.silences.push(silence));
  console.log(`silenced: ${describeSilence(silence, now)}`);
  return ExitCode.ok;
}

/** `alertcron silence list`: the active silences (all of them with --all), newest first. */
export async function silenceListCommand(options: { config: string; all?: boolean; json?: boolean }): Promise<number> {
  const { config } = await loadProject(options.config, process.env, { offline: true });
  const now = clockFromEnv()();
  const { data } = await peekState(config.state.file);
  const silences = data.silences.filter((s) => options.all || isActive(s, now)).sort((a, b) => b.createdAt - a.createdAt);
  if (options.json) printJson(silences.map((s) => ({ ...s, active: isActive(s, now), createdAt: new Date(s.createdAt).toISOString(), endsAt: new Date(s.endsAt).toISOString() })));
  else if (!silences.length) console.log(options.all ? 'no silences' : 'no active silences');
  else for (const s of silences) console.log(describeSilence(s, now));
  return ExitCode.ok;
}

/** `alertcron silence expire <id>`: ends a silence now. */
export async function silenceExpireCommand(id: string, options: { config: string }): Promise<number> {
  const { config } = await loadProject(options.config, process.env, { offline: true });
  const now = clockFromEnv()();
  const ended = await changeState(config.state.file, config.state.lock_wait, (data) => {
    const silence = data.silences.find((s) => s.id === id);
    if (silence && isActive(silence, now)) silence.endsAt = now;
    return silence;
  });
  if (!ended) throw new UserError(`no silence with id ${id} (see alertcron silence list --all)`, ExitCode.usage);
  console.log(`expired: ${describeSilence(ended, now)}`);
  return ExitCode.ok;
}
