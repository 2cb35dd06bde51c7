// A rule's named detections turned into condition trees as pySigma shapes them: a map is an AND of its items, a list
// of maps an OR, a list of plain values one keyword item; an item with several values an OR (an AND with `all`).
import type { SigmaNode, SigmaValue } from '../types.js';
import { SigmaRefused } from '../refused.js';
import { applyModifiers, type ModifiedValue } from './modifiers.js';
import { SigmaRuleError } from './ruleError.js';
import { parseSigmaString } from './sigmaString.js';

type Path = (string | number)[];

/** Builds the tree of one detection definition (the value under its name in `detection:`); `at` is its path. */
export function detectionTree(definition: unknown, at: Path): SigmaNode {
  if (isMap(definition)) {
    const entries = Object.entries(definition);
    if (!entries.length) throw new SigmaRuleError('this detection is empty: give it at least one field: value', at);
    const items = allChecked(entries.map(([key, value]) => () => itemTree(key, value, [...at, key])));
    return items.length === 1 ? items[0]! : { type: 'and', items };
  }
  if (Array.isArray(definition)) {
    if (definition.every(isPlain)) return itemTree(null, definition, at);
    const items = allChecked(definition.map((entry, i) => () => detectionTree(entry, [...at, i])));
    return items.length === 1 ? items[0]! : { type: 'or', items };
  }
  if (isPlain(definition)) return itemTree(null, definition, at);
  throw new SigmaRuleError(`a detection must be a map of fields, a list, or a keyword, not ${kindOf(definition)}`, at);
}

/**
 * Builds every part, so that an invalid one is reported even after a part that is only refused (fieldref, expand:
 * valid Sigma a search cannot run, as in pySigma); then throws the first refusal, if any.
 */
function allChecked(parts: (() => SigmaNode)[]): SigmaNode[] {
  let refused: SigmaRefused | undefined;
  const nodes: SigmaNode[] = [];
  for (const part of parts) {
    try {
      nodes.push(part());
    } catch (error) {
      if (!(error instanceof SigmaRefused)) throw error;
      refused ??= error;
    }
  }
  if (refused) throw refused;
  return nodes;
}

/** One `field|modifiers: value(s)` item, or a keyword item (key null: the values are searched in the whole event). */
function itemTree(key: string | null, raw: unknown, at: Path): SigmaNode {
  let field: string | null = null;
  let modifiers: string[] = [];
  if (key !== null) {
    [field = '', ...modifiers] = key.split('|');
    if (field === '') field = null;
  }
  const written = Array.isArray(raw) ? raw : [raw];
  const values = written.map((value, i) => plainValue(value, Array.isArray(raw) ? [...at, i] : at));
  let item;
  try {
    item = applyModifiers(field, modifiers, values, written, at, (i) => (Array.isArray(raw) ? [...at, i] : at));
  } catch (error) {
    // A modifier's own check knows the value, not where it is: give it the item's place.
    if (error instanceof SigmaRefused && !error.path.length) throw new SigmaRefused(error.message, at);
    if (error instanceof SigmaRuleError && !error.path.length) throw new SigmaRuleError(error.message, at);
    throw error;
  }
  let node: SigmaNode;
  if (!item.values.length) {
    if (field === null) throw new SigmaRuleError('an empty list of keywords matches nothing: give at least one value', at);
    node = { type: 'match', field, value: { type: 'null' } };
  } else if (item.values.length === 1) node = leaf(field, item.values[0]!);
  else node = { type: item.all ? 'and' : 'or', items: item.values.map((value) => leaf(field, value)), item: true };
  return item.negated ? { type: 'not', item: node } : node;
}

/** A value's match, or the OR of the alternatives a modifier expanded it into (an OR even of one, as pySigma renders it). */
function leaf(field: string | null, value: ModifiedValue): SigmaNode {
  if (value.type === 'expansion') return { type: 'or', items: value.values.map((v) => leaf(field, v)), expansion: true };
  return { type: 'match', field, value };
}

/** A YAML scalar as a Sigma value: strings with wildcards and escapes, numbers, booleans, null. */
function plainValue(value: unknown, at: Path): SigmaValue {
  if (typeof value === 'string') return parseSigmaString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SigmaRuleError(`${value} is not a number a search can compare with: quote it to match it as text`, at);
    return { type: 'number', value };
  }
  if (typeof value === 'bigint') {
    if (BigInt(Number(value)) !== value) throw tooBig(String(value), at);
    return { type: 'number', value: Number(value) };
  }
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (value === null || value === undefined) return { type: 'null' };
  throw new SigmaRuleError(`a detection value must be a string, number, boolean or null, not ${kindOf(value)}: quote it to match it as text`, at);
}

/** An integer beyond 2^53 that a JavaScript number (and a search's JSON) would round to another integer. */
function tooBig(text: string, at: Path): SigmaRuleError {
  return new SigmaRuleError(`${text} is beyond the integers that can be compared exactly (above 2^53 = 9007199254740992 only some are): it would be rounded to ${Number(text)}; quote it to match it as text`, at);
}

function isPlain(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof value);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function kindOf(value: unknown): string {
  if (value instanceof Date) return 'a date (quote it to match it as text)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a map';
  return typeof value;
}
