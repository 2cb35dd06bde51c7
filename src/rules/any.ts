import { countFindings, groupsLeftOut } from './count.js';
import { countingSearch } from './search.js';
import { eventsObserved } from './observed.js';
import type { ConditionDef, RuleType } from './types.js';

/** `any`: at least one hit (per group_by key, if set). */
export const anyRule: RuleType<Extract<ConditionDef, { type: 'any' }>> = {
  type: 'any',
  topCounts: true,
  complete: () => ({ type: 'any' }),
  search: countingSearch,
  evaluate: ({ alert, response }) => ({ findings: countFindings(alert, response, { gte: 1 }), incomplete: groupsLeftOut(alert, response), observed: eventsObserved(alert, response) }),
};
