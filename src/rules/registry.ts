import { anyRule } from './any.js';
import { bucketsRule } from './buckets.js';
import { cardinalityRule } from './cardinality.js';
import { changeRule } from './change.js';
import { countRule } from './count.js';
import { flatlineRule } from './flatline.js';
import { frequencyRule } from './frequency.js';
import { blacklistRule, whitelistRule } from './lists.js';
import { metricAggregationRule } from './metricAggregation.js';
import { newTermRule } from './newTerm.js';
import { percentageMatchRule } from './percentageMatch.js';
import { scriptRule } from './script.js';
import { spikeRule } from './spike.js';
import { temporalRule } from './temporal.js';
import type { ConditionDef, RuleType } from './types.js';
import { ownValue } from '../util/plainMap.js';

/** Every rule type by its `condition.type`: add a rule type as one file in src/rules/ and one line here. */
const RULE_TYPES: { [T in ConditionDef['type']]: RuleType<Extract<ConditionDef, { type: T }>> } = {
  any: anyRule,
  count: countRule,
  buckets: bucketsRule,
  script: scriptRule,
  frequency: frequencyRule,
  temporal: temporalRule,
  flatline: flatlineRule,
  spike: spikeRule,
  new_term: newTermRule,
  cardinality: cardinalityRule,
  change: changeRule,
  percentage_match: percentageMatchRule,
  metric_aggregation: metricAggregationRule,
  blacklist: blacklistRule,
  whitelist: whitelistRule,
};

/** The names of the rule types, for messages. */
export const RULE_TYPE_NAMES = Object.keys(RULE_TYPES);

/** The rule type of a condition. */
export function ruleTypeOf<C extends ConditionDef>(condition: C): RuleType<C> {
  return RULE_TYPES[condition.type] as unknown as RuleType<C>;
}

/** The rule type named `type`, or undefined when there is none. */
export function findRuleType(type: string): RuleType | undefined {
  return ownValue(RULE_TYPES as unknown as Record<string, RuleType>, type);
}
