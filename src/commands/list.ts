import { openProject } from './project.js';
import { formatDuration } from '../util/duration.js';
import { printJson } from './printReport.js';

/** `alertcron list`: the alerts with schedule, condition, channels and last window; broken files marked. */
export async function listCommand(options: { config: string; json?: boolean }): Promise<number> {
  const { loaded, store } = await openProject(options.config, { offline: true });
  const { alerts, problems, disabled } = loaded;
  const { data: state } = await store.peek();
  const rows = alerts.map((a) => ({
    name: a.name,
    every: formatDuration(a.every),
    source: a.source,
    condition: a.source === 'elasticsearch' ? a.condition.type : a.source,
    group_by: (a.source === 'elasticsearch' ? a.group_by?.join(', ') : undefined) ?? null,
    throttle: a.throttle === 'once' ? 'once' : formatDuration(a.throttle),
    notify: a.notify,
    ...(a.ask ? { ask: { via: a.ask.via, escalate: a.ask.escalate } } : {}),
    last_window_end: state.alerts[a.name]?.window ? new Date(state.alerts[a.name]!.window!.to).toISOString() : null,
    last_error: state.alerts[a.name]?.lastError ?? null,
  }));
  const invalid = [...new Set(problems.map((p) => p.alert ?? p.file))];
  if (options.json) {
    printJson({ alerts: rows, disabled, invalid });
    return 0;
  }
  for (const r of rows) {
    const last = r.last_window_end ? `last searched up to ${r.last_window_end}` : 'never run';
    console.log(`${r.name}  every ${r.every}  ${r.condition}${r.group_by ? ` by ${r.group_by}` : ''}  throttle ${r.throttle}  -> ${r.ask ? `ask via ${r.ask.via}, escalate to ${r.ask.escalate.join(', ')}` : r.notify.join(', ')}  (${last}${r.last_error ? `; last error: ${r.last_error}` : ''})`);
  }
  for (const name of disabled) console.log(`${name}  (disabled)`);
  for (const file of invalid) console.log(`${file}  (INVALID: run alertcron validate)`);
  return 0;
}
