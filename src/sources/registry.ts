import { elasticsearchSource } from './elasticsearch/index.js';
import { maxPatrolSource } from './maxpatrol/index.js';
import { theHiveSource } from './thehive/index.js';
import type { SourceDefinition } from './types.js';
import { ownValue } from '../util/plainMap.js';

/** Every source by the name alerts give in `source:`: add a source as one folder in src/sources/ and one line here. */
export const SOURCES: Record<string, SourceDefinition> = {
  elasticsearch: elasticsearchSource as unknown as SourceDefinition,
  thehive: theHiveSource as unknown as SourceDefinition,
  maxpatrol: maxPatrolSource as unknown as SourceDefinition,
};

/** The source alerts use when they name none. */
export const DEFAULT_SOURCE = 'elasticsearch';

/** The definition of a source by name, or undefined. */
export function sourceDefinition(name: string): SourceDefinition | undefined {
  return ownValue(SOURCES, name);
}
