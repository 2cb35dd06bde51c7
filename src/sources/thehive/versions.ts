import type { SourceProblem } from '../types.js';
import type { TheHiveFilter } from './types.js';

/** An alert's `thehive:` filter as written in its file: the filter, with max_age still a duration text. */
export type RawHiveFilter = Omit<TheHiveFilter, 'max_age'> & { max_age?: string };

/**
 * The filter keys the configured TheHive version does not have (TheHive 4.1 alerts have read/imported and no
 * stage or status; 4.1 cases have status and no stage; TheHive 5 has stage/status and no read/imported), each
 * with what to write instead.
 */
export function versionProblems(filter: RawHiveFilter, version: 4 | 5): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const refuse = (key: keyof RawHiveFilter, message: string) => {
    if (filter[key] !== undefined) problems.push({ path: ['thehive', key], message });
  };
  const cases = filter.object === 'case';
  if (version === 4 && cases) {
    refuse('stage', 'TheHive 4.1 cases have no stage (thehive.version: 4): filter on status (Open, Resolved ...) instead');
    for (const key of ['read', 'imported'] as const) refuse(key, `${key} is a filter of TheHive 4.1 alerts, not cases`);
  } else if (version === 4) {
    for (const key of ['stage', 'status'] as const) {
      refuse(key, `TheHive 4.1 alerts have no ${key} (thehive.version: 4): filter on read: false and imported: false (the default) instead`);
    }
  } else {
    for (const key of ['read', 'imported'] as const) {
      refuse(key, `${key} is a TheHive 4.1 filter; TheHive 5 (thehive.version: 5, the default) filters on stage (New, InProgress, Imported, Closed) or status`);
    }
  }
  return problems;
}
