import type { LoadedAlerts } from '../config/loadAlerts.js';
import { ExitCode, UserError } from '../util/errors.js';

/** The alerts a run works on: all of them, or the `--only` ones (an unknown or disabled name is a usage error). */
export function selectAlerts(loaded: LoadedAlerts, only: string[] | undefined): LoadedAlerts {
  if (!only?.length) return loaded;
  requireAlerts(loaded, only);
  const disabled = only.filter((name) => loaded.disabled.includes(name));
  if (disabled.length) throw new UserError(`alert ${disabled.join(', ')} is disabled (enabled: false)`, ExitCode.usage);
  const fileOf = (name: string) => new RegExp(`(^|/)${name.replace(/[.]/g, '\\.')}\\.ya?ml$`);
  return {
    alerts: loaded.alerts.filter((a) => only.includes(a.name)),
    problems: loaded.problems.filter((p) => only.some((name) => loaded.invalid.includes(name) && fileOf(name).test(p.alert ?? p.file))),
    disabled: [],
    invalid: loaded.invalid.filter((name) => only.includes(name)),
    warnings: [],
  };
}

/** Refuses, as a usage error naming the alerts there are, any name that is not an alert of the folder (loaded, disabled or invalid). */
export function requireAlerts(loaded: LoadedAlerts, names: readonly string[]): void {
  const known = new Set([...loaded.alerts.map((a) => a.name), ...loaded.disabled, ...loaded.invalid]);
  const missing = names.filter((name) => !known.has(name));
  if (!missing.length) return;
  const all = [...known].sort().join(', ') || 'none';
  throw new UserError(`no alert named ${missing.join(', ')} (alerts: ${all})`, ExitCode.usage);
}
