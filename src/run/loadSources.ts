import type { Config } from '../config/types.js';
import type { SourceToken } from '../model/state.js';
import { sourceDefinition } from '../sources/registry.js';
import type { Source, SourceContext, TokenKeeper } from '../sources/types.js';
import { plainMap } from '../util/plainMap.js';

/** Where the loaded sources keep their tokens (by source name) and the clock they see. */
export interface SourceEnvironment {
  tokens(name: string): TokenKeeper;
  now(): number;
}

/** A keeper over a tokens slice of the state (`state.tokens`), created on the first write. */
export function tokensIn(holder: { tokens?: Record<string, SourceToken> }): (name: string) => TokenKeeper {
  return (name) => ({
    get: () => holder.tokens?.[name],
    set: (token) => {
      if (token) (holder.tokens ??= plainMap())[name] = token;
      else if (holder.tokens) delete holder.tokens[name];
    },
  });
}

/** Loads the code of the configured sources that are named (by due alerts, or pending actions): only those are imported. */
export async function loadSources(config: Config, names: Iterable<string>, environment?: SourceEnvironment): Promise<Map<string, Source>> {
  const sources = new Map<string, Source>();
  for (const name of new Set(names)) {
    const definition = sourceDefinition(name);
    const section = config.sources[name];
    const context: SourceContext | undefined = environment ? { tokens: environment.tokens(name), now: environment.now } : undefined;
    if (definition && section !== undefined) sources.set(name, await definition.load(section, context));
  }
  return sources;
}
