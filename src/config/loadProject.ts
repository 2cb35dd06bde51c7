import { dirname, join } from 'node:path';
import type { StageClock } from '../util/stageClock.js';
import { declareWrittenFiles } from '../util/writeRefused.js';
import { keepYoungGeneration } from '../util/youngGeneration.js';
import { loadAlerts, type LoadedAlerts } from './loadAlerts.js';
import { loadConfig } from './loadConfig.js';
import { ParseCache } from './parseCache.js';
import { ProblemsError } from './problems.js';
import type { Config } from './types.js';

/** How a command uses the project: `offline` commands (validate, list, status, silence, ack) reach no source. */
export interface LoadProjectOptions {
  offline?: boolean;
  /** A run's stage clock: marks `config` (alertcron.yaml read and checked) and `alerts` (the alerts loaded, the cache saved). */
  stages?: Pick<StageClock, 'mark'>;
}

/**
 * Loads alertcron.yaml and every alert through the parse cache, and saves the cache. Unless `offline`, an unset
 * secret outside `channels:` (the cluster's, TheHive's) is an error: the command could not do its work without it.
 */
export async function loadProject(configFile: string, env: NodeJS.ProcessEnv = process.env, options: LoadProjectOptions = {}): Promise<{ config: Config; loaded: LoadedAlerts }> {
  // Decided before the parse cache makes its many long-lived objects (they would double the young generation up to
  // 2 x 16 MB), from the cache file's size: the cheapest count at hand. No cache file (a first run): growth stays on.
  const cache = ParseCache.open(configFile, env, keepYoungGeneration);
  const config = await loadConfig(configFile, env, cache);
  // What a refusal of the file system is explained for (exit 6): the files a command of this project writes.
  const { state } = config;
  declareWrittenFiles([config.file, state.file, state.audit_log, state.local_file, join(dirname(state.file), 'state-backup-')]);
  if (!options.offline) requireSourceSecrets(config);
  options.stages?.mark('config');
  const loaded = await loadAlerts(config, cache);
  cache.save();
  options.stages?.mark('alerts');
  return { config, loaded };
}

/** Throws the unset secrets that are not a channel's (a channel lacking one only fails its own deliveries). */
export function requireSourceSecrets(config: Config): void {
  const needed = config.unset.filter((u) => u.channel === undefined).map((u) => u.problem);
  if (needed.length) throw new ProblemsError(needed);
}
