// Applies a pipeline to a parsed rule as pySigma does: each item in turn, when its rule conditions hold, on the
// rule's log source, its added conditions, and every detection item its detection-item and field-name conditions pick.
import { SigmaRefused } from '../refused.js';
import type { SigmaMatch, SigmaNode, SigmaRule, SigmaValue } from '../types.js';
import { fieldConditionHolds, holds, itemConditionHolds, ruleConditionHolds, type DetectionItem, type ItemValue, type RuleState } from './conditions.js';
import type { PipelineCondition, PipelineItem, SigmaPipeline } from './types.js';
import { transformValue } from './transformValue.js';
import { scalarValue } from './values.js';

/** A detection item inside the working tree: an AND or OR of its values (OR unless the rule used `all`). */
interface Item extends DetectionItem {
  kind: 'item';
  linking: 'and' | 'or';
}

/** The condition tree while a pipeline works on it: its leaves grouped back into detection items. */
type Work = Item | { kind: 'and' | 'or'; items: Work[] } | { kind: 'not'; item: Work };

const FIELD_MAPPINGS = new Set(['field_name_mapping', 'field_name_prefix', 'field_name_suffix', 'field_name_prefix_mapping']);
const VALUE_CHANGES = new Set(['convert_type', 'set_value', 'replace_string', 'map_string']);

/** The rule with the pipeline applied: fields renamed, conditions added, values changed; throws SigmaRefused for a failure item. */
export function applyPipeline(pipeline: SigmaPipeline, rule: SigmaRule): SigmaRule {
  return run(pipeline, rule, rule.fields).rule;
}

/** The field names `field` maps to in this rule's log source (a correlation's group-by or counted field). */
export function mapFieldName(pipeline: SigmaPipeline, rule: SigmaRule, field: string): string[] {
  return run(pipeline, rule, [field]).fields;
}

function run(pipeline: SigmaPipeline, rule: SigmaRule, fieldList: string[]): { rule: SigmaRule; fields: string[] } {
  let tree = toWork(rule.condition);
  let fields = fieldList.map((name) => ({ name, applied: [] as string[] }));
  const mapped = new Set<string>();
  const state: RuleState = { logsource: { ...rule.logsource }, meta: rule.meta, applied: new Set(), fields: () => items(tree).flatMap((i) => (i.field === null ? [] : [i.field])) };
  const ruleTest = (c: PipelineCondition) => ruleConditionHolds(c, state);
  for (const item of pipeline.items) {
    if (!holds(item.rule, ruleTest)) continue;
    state.applied.add(item.id);
    const picks = (i: Item) => holds(item.fieldName, (c) => fieldConditionHolds(c, i.field, i.applied)) && holds(item.detectionItem, (c) => itemConditionHolds(c, i));
    const mapping = FIELD_MAPPINGS.has(item.type);
    switch (item.type) {
      case 'rule_failure':
        throw new SigmaRefused(`${item.params.message as string} (pipeline item ${item.id})`);
      case 'change_logsource':
        state.logsource = { category: item.params.category as string | undefined, product: item.params.product as string | undefined, service: item.params.service as string | undefined };
        break;
      case 'add_condition':
        tree = addCondition(tree, item, state);
        break;
      case 'strict_field_mapping_failure': {
        const unmapped = [...new Set(state.fields().filter((f) => !mapped.has(f)))];
        if (unmapped.length) throw new SigmaRefused(`The following fields are not mapped: ${unmapped.join(', ')} (pipeline item ${item.id})`);
        break;
      }
      default:
        const next = eachItem(tree, (i) => {
          // A field mapping that has no name for this field leaves it alone whatever its conditions say.
          if (mapping && !targetNames(item, i.field)) return i;
          if (!picks(i)) return i;
          if (item.type === 'detection_item_failure') throw new SigmaRefused(`${item.params.message as string} (pipeline item ${item.id})`);
          if (item.type === 'drop_detection_item') return undefined;
          if (VALUE_CHANGES.has(item.type)) return changeValues(i, item);
          return mapItemField(i, item, mapped);
        });
        if (!next) throw new SigmaRefused(`the pipeline dropped every detection item of the rule (item ${item.id}): nothing is left to search for`);
        tree = next;
        if (mapping) fields = fields.flatMap((f) => mapListedField(f, item));
    }
  }
  const condition = toNode(tree);
  if (!condition) throw new SigmaRefused('the pipeline dropped every detection item of the rule: nothing is left to search for');
  return { rule: { ...rule, logsource: state.logsource, condition, fields: fields.map((f) => f.name) }, fields: fields.map((f) => f.name) };
}

/** What a field-mapping item makes of a field name: undefined when it does not apply to it. */
function targetNames(item: PipelineItem, field: string | null): string[] | undefined {
  if (field === null) return undefined;
  const p = item.params;
  switch (item.type) {
    case 'field_name_mapping': {
      const to = Object.hasOwn(p.mapping as object, field) ? (p.mapping as Record<string, string | string[]>)[field] : undefined;
      return to === undefined ? undefined : ([] as string[]).concat(to);
    }
    case 'field_name_prefix':
      return [`${p.prefix as string}${field}`];
    case 'field_name_suffix':
      return [`${field}${p.suffix as string}`];
    case 'field_name_prefix_mapping':
      for (const [from, to] of Object.entries(p.mapping as Record<string, string | string[]>))
        if (field.startsWith(from)) return ([] as string[]).concat(to).map((prefix) => prefix + field.slice(from.length));
      return undefined;
    default:
      return undefined;
  }
}

function mapItemField(i: Item, item: PipelineItem, mapped: Set<string>): Work {
  const to = targetNames(item, i.field);
  if (!to) return i;
  mapped.add(i.field!);
  for (const name of to) mapped.add(name);
  const applied = [...i.applied, item.id];
  // A string mapping renames the item; a list (even of one) makes an OR of one item per field, as pySigma does.
  const renamed = to.map((field): Item => ({ ...i, field, values: [...i.values], applied }));
  return isList(item, i.field!) ? { kind: 'or', items: renamed } : renamed[0]!;
}

function isList(item: PipelineItem, field: string): boolean {
  if (item.type === 'field_name_mapping') return Array.isArray((item.params.mapping as Record<string, unknown>)[field]);
  if (item.type === 'field_name_prefix_mapping') return Array.isArray(Object.entries(item.params.mapping as Record<string, unknown>).find(([from]) => field.startsWith(from))?.[1]);
  return false;
}

function mapListedField(f: { name: string; applied: string[] }, item: PipelineItem): { name: string; applied: string[] }[] {
  const to = targetNames(item, f.name);
  if (!to || !holds(item.fieldName, (c) => fieldConditionHolds(c, f.name, f.applied))) return [f];
  if (to.length === 1 && to[0] === f.name) return [f];
  return to.map((name) => ({ name, applied: [...f.applied, item.id] }));
}

function changeValues(i: Item, item: PipelineItem): Item {
  let changed = false;
  const values = i.values.flatMap((value) => {
    const result = transformValue(item, value);
    if (result === undefined) return [value];
    changed = true;
    return result;
  });
  return changed ? { ...i, values, applied: [...i.applied, item.id] } : i;
}

function addCondition(tree: Work, item: PipelineItem, state: RuleState): Work {
  const conditions = item.params.conditions as Record<string, unknown>;
  const fill = (value: unknown) =>
    item.params.template === true && typeof value === 'string'
      ? value.replace(/\$(?:(category|product|service)\b|\{(category|product|service)\})/g, (_, a?: string, b?: string) => String(state.logsource[(a ?? b) as 'category'] ?? 'None'))
      : value;
  const added: Item[] = Object.entries(conditions).map(([field, value]) => ({
    kind: 'item',
    field,
    values: ([] as unknown[]).concat(value).map((v) => scalarValue(fill(v))),
    applied: [item.id],
    linking: 'or',
  }));
  const condition: Work = added.length === 1 ? added[0]! : { kind: 'and', items: added };
  return { kind: 'and', items: [item.params.negated === true ? { kind: 'not', item: condition } : condition, tree] };
}

/** Rebuilds the tree with each detection item replaced (undefined drops it). */
function eachItem(tree: Work, change: (item: Item) => Work | undefined): Work | undefined {
  if (tree.kind === 'item') return change(tree);
  if (tree.kind === 'not') {
    const item = eachItem(tree.item, change);
    return item === tree.item ? tree : item && { kind: 'not', item };
  }
  // The children are copied only from the first that changes: an item that changes nothing allocates nothing.
  let children: Work[] | undefined;
  const list = tree.items;
  for (let k = 0; k < list.length; k++) {
    const child = list[k]!;
    const next = eachItem(child, change);
    if (next !== child && !children) children = list.slice(0, k);
    if (children && next) children.push(next);
  }
  if (!children) return tree;
  if (!children.length) return undefined;
  return children.length === 1 ? children[0] : { kind: tree.kind, items: children };
}

function items(tree: Work | undefined): Item[] {
  if (!tree) return [];
  if (tree.kind === 'item') return [tree];
  if (tree.kind === 'not') return items(tree.item);
  return tree.items.flatMap(items);
}

/**
 * Groups the parsed tree back into detection items: a leaf is an item of one value, a modifier's expansion (an OR
 * marked `expansion`, or an OR of one leaf) one value standing for several, and an OR of such values of one field (a
 * value list) one item, so that a mapping to several fields makes an OR per item as pySigma's does; an AND the parser
 * marked `item` (a list with `all`) is one item too, its values kept together in each field. Two detections of one
 * field joined by `or` are read as one item (after a one-to-many mapping they match the same events as pySigma's).
 */
function toWork(node: SigmaNode, value = itemValue(node)): Work {
  if (value) return { kind: 'item', field: value.field, values: [value.value], applied: value.applied, linking: 'or' };
  if (node.type === 'match') throw new Error('unreachable');
  if (node.type === 'not') return { kind: 'not', item: toWork(node.item) };
  const values = node.items.map(itemValue);
  const first = values[0];
  const oneField = first !== undefined && values.length > 1 && sameItems(values, first);
  // A value list is one item; so is an AND the parser marked as one item's values (`all`), which a one-to-many mapping
  // keeps together in each field, as pySigma does.
  if (oneField && (node.type === 'or' || node.item === true))
    return { kind: 'item', field: first.field, values: values.map((v) => v!.value), applied: first.applied, linking: node.type };
  return { kind: node.type, items: node.items.map((child, k) => toWork(child, values[k])) };
}

/** Whether every value is one of `first`'s field with its transformations (`first.applied` is joined once, not per value). */
function sameItems(values: (ReturnType<typeof itemValue>)[], first: NonNullable<ReturnType<typeof itemValue>>): boolean {
  const applied = String(first.applied);
  return values.every((v) => v !== undefined && v.field === first.field && String(v.applied) === applied);
}

/** A leaf or an expansion as one value of a detection item (undefined for any other node). */
function itemValue(node: SigmaNode): { field: string | null; value: ItemValue; applied: string[] } | undefined {
  if (node.type === 'match') return { field: node.field, value: node.value, applied: node.applied ?? [] };
  if (node.type !== 'or' || !((node as { expansion?: boolean }).expansion === true || node.items.length === 1)) return undefined;
  const leaves = node.items.filter((child): child is SigmaMatch => child.type === 'match');
  const head = leaves[0];
  if (!head || leaves.length !== node.items.length || !leaves.every((leaf) => leaf.field === head.field && String(leaf.applied) === String(head.applied))) return undefined;
  return { field: head.field, value: { type: 'expansion', values: leaves.map((leaf) => leaf.value), node }, applied: head.applied ?? [] };
}

function toNode(tree: Work | undefined): SigmaNode | undefined {
  if (!tree) return undefined;
  if (tree.kind === 'not') {
    const item = toNode(tree.item);
    return item && { type: 'not', item };
  }
  if (tree.kind === 'item') {
    const applied = [...new Set(tree.applied)];
    const leaf = (value: SigmaValue): SigmaMatch => (applied.length ? { type: 'match', field: tree.field, value, applied } : { type: 'match', field: tree.field, value });
    // An expansion stays an OR (even of one value), with whatever else its node carried.
    const leaves = tree.values.map((value): SigmaNode => (value.type === 'expansion' ? ({ ...value.node, type: 'or', items: value.values.map(leaf) } as SigmaNode) : leaf(value)));
    if (!leaves.length) return undefined;
    return leaves.length === 1 ? leaves[0] : { type: tree.linking, items: leaves };
  }
  const children = tree.items.map(toNode).filter((child): child is SigmaNode => child !== undefined);
  if (!children.length) return undefined;
  return children.length === 1 ? children[0] : { type: tree.kind, items: children };
}
