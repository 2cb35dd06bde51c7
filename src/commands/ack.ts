import { loadProject } from '../config/loadProject.js';
import { changeState } from '../state/store.js';
import { clockFromEnv } from '../util/clock.js';
import { ExitCode, UserError } from '../util/errors.js';
import { currentUser } from './silence.js';

/**
 * `alertcron ack <alert> [--key K]`: stops repeats for the firing key (or every firing key of the alert)
 * until it stops matching; a new occurrence after that fires again.
 */
export async function ackCommand(alert: string, options: { config: string; key?: string; by?: string }): Promise<number> {
  const { config } = await loadProject(options.config, process.env, { offline: true });
  const now = clockFromEnv()();
  const by = options.by ?? currentUser();
  const acked = await changeState(config.state.file, config.state.lock_wait, (data) => {
    const keys = data.alerts[alert]?.keys ?? {};
    const firing = Object.entries(keys).filter(([name, key]) => key.lastFired !== undefined && (options.key === undefined || name === options.key));
    for (const [, key] of firing) key.acknowledged = { at: now, by };
    return firing.map(([name]) => name);
  });
  if (!acked.length) {
    const what = options.key === undefined ? `alert ${alert} has no firing key` : `key ${JSON.stringify(options.key)} of alert ${alert} is not firing`;
    throw new UserError(`${what}: nothing to acknowledge (see alertcron status)`, ExitCode.usage);
  }
  console.log(`acknowledged ${alert}: ${acked.map((k) => JSON.stringify(k)).join(', ')} (until it stops matching)`);
  return ExitCode.ok;
}
