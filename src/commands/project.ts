import { loadProject } from '../config/loadProject.js';
import type { Config } from '../config/types.js';
import type { LoadedAlerts } from '../config/loadAlerts.js';
import { openStore, type StateStore } from '../state/store.js';
import { clockFromEnv } from '../util/clock.js';

/** What the operator commands work with: the configuration, the alerts, the state store and the clock's now. */
export interface CommandProject {
  config: Config;
  loaded: LoadedAlerts;
  store: StateStore;
  now: number;
}

/** Loads the project a command was pointed at (`--config`) and opens its state store. */
export async function openProject(configFile: string): Promise<CommandProject> {
  const { config, loaded } = await loadProject(configFile);
  return { config, loaded, store: await openStore(config.state), now: clockFromEnv()() };
}
