// Whether a pipeline item applies: its rule conditions against the rule, its detection-item and field-name
// conditions against one detection item (pySigma's semantics: each level's conditions combined by op or expression).
import type { SigmaLogsource, SigmaMeta, SigmaNode, SigmaValue } from '../types.js';
import { evalConditionExpr } from './conditionExpr.js';
import type { ConditionSet, PipelineCondition } from './types.js';
import { pySigmaText as plainText, scalarValue, sameValue } from './values.js';

/** What rule conditions look at: the rule's log source (as changed so far), metadata, fields and applied items. */
export interface RuleState {
  logsource: SigmaLogsource;
  meta: SigmaMeta;
  /** Ids of the items whose rule conditions held so far (pySigma marks the rule for each). */
  applied: Set<string>;
  /** Every field the rule's detection items use now. */
  fields: () => string[];
}

/** A modifier's expansion (windash, base64offset): one value of a detection item that stands for several. */
export interface SigmaExpansion {
  type: 'expansion';
  values: SigmaValue[];
  /** The OR node it was read from (kept so that its other properties survive the pipeline). */
  node: SigmaNode;
}

/** One value of a detection item. */
export type ItemValue = SigmaValue | SigmaExpansion;

/** One detection item: its field (null for a keyword search), its values, and the items that changed it. */
export interface DetectionItem {
  field: string | null;
  values: ItemValue[];
  applied: string[];
}

/** Combines one level's conditions as the item says (op or expression, then not). */
export function holds(set: ConditionSet, test: (condition: PipelineCondition) => boolean): boolean {
  let result: boolean;
  if (set.expr) {
    const results = new Map(set.conditions.map(([name, condition]) => [name, test(condition)]));
    result = evalConditionExpr(set.expr, (name) => results.get(name) ?? false);
  } else {
    // every (and) or some (or), stopping at the first condition that decides, without a closure per call.
    const all = set.op === 'and';
    result = all;
    for (const entry of set.conditions) {
      if (test(entry[1]) !== all) {
        result = !all;
        break;
      }
    }
  }
  return set.not ? !result : result;
}

const patterns = new Map<string, RegExp>();

/** A pattern compiled once, anchored at the start as Python's re.match is. */
function anchored(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) patterns.set(pattern, (re = new RegExp(`^(?:${pattern})`, 'u')));
  return re;
}

const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
const STATUSES = ['unsupported', 'deprecated', 'experimental', 'test', 'stable'];

/** A rule-level condition. */
export function ruleConditionHolds(condition: PipelineCondition, rule: RuleState): boolean {
  switch (condition.type) {
    case 'logsource':
      return (
        (condition.category === undefined || condition.category === rule.logsource.category) &&
        (condition.product === undefined || condition.product === rule.logsource.product) &&
        (condition.service === undefined || condition.service === rule.logsource.service)
      );
    case 'contains_field':
      return rule.fields().includes(condition.field as string);
    case 'processing_item_applied':
      return rule.applied.has(condition.processing_item_id as string);
    case 'tag':
      return rule.meta.tags.includes(condition.tag as string);
    case 'is_sigma_rule':
      return true;
    case 'rule_attribute':
      return attributeHolds(condition, rule.meta);
    default:
      return false;
  }
}

function attributeHolds(condition: PipelineCondition, meta: SigmaMeta): boolean {
  const actual = (meta as unknown as Record<string, unknown>)[condition.attribute as string];
  const wanted = condition.value;
  const op = (condition.op as string | undefined) ?? 'eq';
  if (actual === undefined) return false;
  if (Array.isArray(actual)) return op === 'in' ? actual.includes(wanted) : op === 'not_in' ? !actual.includes(wanted) : op === 'ne';
  const order = condition.attribute === 'level' ? LEVELS : condition.attribute === 'status' ? STATUSES : undefined;
  const [a, b] = order ? [order.indexOf(String(actual)), order.indexOf(String(wanted))] : [String(actual), String(wanted)];
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    default:
      return false;
  }
}

/** A detection-item condition. */
export function itemConditionHolds(condition: PipelineCondition, item: DetectionItem): boolean {
  if (condition.type === 'processing_item_applied') return item.applied.includes(condition.processing_item_id as string);
  const test = valueTest(condition);
  return condition.cond === 'all' ? item.values.every(test) : item.values.some(test);
}

function valueTest(condition: PipelineCondition): (value: ItemValue) => boolean {
  switch (condition.type) {
    case 'match_string': {
      const re = anchored(condition.pattern as string);
      return (value) => (value.type === 'string' && re.test(plainText(value))) !== (condition.negate === true);
    }
    case 'match_value': {
      const wanted = scalarValue(condition.value);
      return (value) => value.type !== 'expansion' && sameValue(value.type === 'string' ? { ...value, cased: undefined } : value, wanted);
    }
    case 'is_null':
      return (value) => value.type === 'null';
    case 'contains_wildcard':
      return (value) => value.type === 'string' && value.parts.some((part) => typeof part !== 'string');
    default:
      return () => false;
  }
}

/** A field-name condition, for a detection item's field (or a field name alone, with the items applied to it). */
export function fieldConditionHolds(condition: PipelineCondition, field: string | null, applied: readonly string[]): boolean {
  switch (condition.type) {
    case 'include_fields':
    case 'exclude_fields': {
      const fields = condition.fields as string[];
      const included =
        field !== null && (condition.mode === 're' ? fields.some((pattern) => anchored(pattern).test(field)) : fields.includes(field));
      return condition.type === 'include_fields' ? included : !included;
    }
    case 'processing_item_applied':
      return applied.includes(condition.processing_item_id as string);
    default:
      return false;
  }
}
