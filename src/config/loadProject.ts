import { loadAlerts, type LoadedAlerts } from './loadAlerts.js';
import { loadConfig } from './loadConfig.js';
import { ParseCache } from './parseCache.js';
import type { Config } from './types.js';

/** Loads alertcron.yaml and every alert through the parse cache, and saves the cache. */
export async function loadProject(configFile: string, env: NodeJS.ProcessEnv = process.env): Promise<{ config: Config; loaded: LoadedAlerts }> {
  const cache = ParseCache.open(configFile, env);
  const config = await loadConfig(configFile, env, cache);
  const loaded = await loadAlerts(config, cache);
  cache.save();
  return { config, loaded };
}
