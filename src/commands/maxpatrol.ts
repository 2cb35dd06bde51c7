import type { SourceToken } from '../model/state.js';
import { perform } from '../operations/perform.js';
import { loadSources, tokensIn } from '../run/loadSources.js';
import { changeState } from '../state/store.js';
import { clockFromEnv } from '../util/clock.js';
import { ExitCode, UserError } from '../util/errors.js';
import { openProject } from './project.js';
import { currentUser } from './silence.js';

/**
 * `alertcron maxpatrol confirm|close <INC>`: changes the incident's status in MaxPatrol (Approved, Closed) through
 * the operations module (the same path as the chat buttons), prints what it did; the key's queued notices are
 * dropped. The token kept in the state is reused, and a renewed one is stored back (under the lock, after the call).
 */
export async function maxPatrolCommand(action: 'confirm' | 'close', incident: string, options: { config: string; by?: string; comment?: string }): Promise<number> {
  const { config, store, now } = await openProject(options.config);
  if (!config.sources.maxpatrol) throw new UserError('alertcron.yaml has no maxpatrol: section (url, username, password, client_secret)', ExitCode.invalidConfig);
  // The token the runs keep is reused; a renewed one is stored back under the lock once the call is done.
  let token = (await store.peek()).data.tokens?.maxpatrol;
  let changed = false;
  const keeper = {
    get: () => token,
    set: (next: SourceToken | undefined) => {
      token = next;
      changed = true;
    },
  };
  const sources = await loadSources(config, ['maxpatrol'], { tokens: () => keeper, now: clockFromEnv() });
  const args = options.comment ? { comment: options.comment } : undefined;
  try {
    const done = await perform({ op: 'act', source: 'maxpatrol', action, key: incident, by: options.by ?? currentUser(), ...(args ? { args } : {}) }, store, sources, now);
    if (!done.ok) throw new UserError(done.message, ExitCode.sourceFailed);
    console.log(done.message);
    return ExitCode.ok;
  } finally {
    if (changed) await changeState(store, (state) => tokensIn(state)('maxpatrol').set(token));
  }
}
