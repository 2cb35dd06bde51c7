import { loadProject, type LoadProjectOptions } from '../config/loadProject.js';
import type { Config } from '../config/types.js';
import type { LoadedAlerts } from '../config/loadAlerts.js';
import { openStore, type StateStore } from '../state/store.js';
import type { ClusterConnection } from '../state/cluster/client.js';
import { clockFromEnv } from '../util/clock.js';

/** What the operator commands work with: the configuration, the alerts, the state store and the clock's now. */
export interface CommandProject {
  config: Config;
  loaded: LoadedAlerts;
  store: StateStore;
  now: number;
}

/**
 * Loads the project a command was pointed at (`--config`) and opens its state store. An `offline` command reaches
 * no source: it works without the sources' secrets (status, list, silence, ack, hive ignore).
 */
export async function openProject(configFile: string, options: LoadProjectOptions = {}): Promise<CommandProject> {
  const { config, loaded } = await loadProject(configFile, process.env, options);
  return { config, loaded, store: await openStore(config.state, config.sources.elasticsearch as ClusterConnection | undefined), now: clockFromEnv()() };
}
