import type { Config } from '../config/types.js';
import { sourceDefinition } from '../sources/registry.js';
import type { Source } from '../sources/types.js';

/** Loads the code of the configured sources that are named (by due alerts, or pending actions): only those are imported. */
export async function loadSources(config: Config, names: Iterable<string>): Promise<Map<string, Source>> {
  const sources = new Map<string, Source>();
  for (const name of new Set(names)) {
    const definition = sourceDefinition(name);
    const section = config.sources[name];
    if (definition && section !== undefined) sources.set(name, await definition.load(section));
  }
  return sources;
}
