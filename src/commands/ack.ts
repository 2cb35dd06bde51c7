import { perform } from '../operations/perform.js';
import { ExitCode, UserError } from '../util/errors.js';
import { openProject } from './project.js';
import { requireAlerts } from '../run/select.js';
import { currentUser } from './silence.js';

/**
 * `alertcron ack <alert> [--key K]`: stops repeats for the firing key (or every firing key of the alert)
 * until it stops matching; a new occurrence after that fires again. Queued notices of the key are dropped.
 */
export async function ackCommand(alert: string, options: { config: string; key?: string; by?: string }): Promise<number> {
  const { loaded, store, now } = await openProject(options.config, { offline: true });
  requireAlerts(loaded, [alert]);
  const done = await perform({ op: 'ack', alert, key: options.key, by: options.by ?? currentUser() }, store, new Map(), now);
  if (!done.ok) throw new UserError(done.message, ExitCode.usage);
  console.log(done.message);
  return ExitCode.ok;
}
