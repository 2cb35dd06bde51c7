// Checks a pipeline written in pySigma's YAML format (already parsed to plain data) and turns it into items,
// or lists what is wrong with it at its JSON path, naming what is supported.
import { closestWord } from '../../util/closestWord.js';
import { isPlainObject, ownValue } from '../../util/plainMap.js';
import { quoted } from '../../util/serverValues.js';
import { parseConditionExpr } from './conditionExpr.js';
import type { ConditionSet, PipelineCondition, PipelineItem, TransformationType } from './types.js';

/** A problem in a pipeline definition: where (a JSON path inside the file) and what. */
export interface DefinitionProblem {
  path: (string | number)[];
  message: string;
  /** The problem is the key itself (an unknown key), not its value. */
  key?: true;
}

/** A checked pipeline: its name, priority, items, and the fields it declares `ip`-typed (`field_types`, alertcron's own key). */
export interface ReadPipeline {
  name: string;
  priority: number;
  items: PipelineItem[];
  ipFields: string[];
}

type Check = (value: unknown) => string | undefined;

const str: Check = (v) => (typeof v === 'string' ? undefined : 'must be a string');
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const oneOf =
  (...allowed: string[]): Check =>
  (v) =>
    typeof v === 'string' && allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')}`;
const strings: Check = (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'must be a list of strings');
const scalar: Check = (v) => (v === null || ['string', 'number', 'boolean'].includes(typeof v) ? undefined : 'must be a string, number, boolean or null');
const nameMap: Check = (v) =>
  isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string' || (Array.isArray(x) && x.length > 0 && x.every((y) => typeof y === 'string')))
    ? undefined
    : 'must be a mapping from a name to a name or a list of names';
const conditionMap: Check = (v) =>
  isPlainObject(v) && Object.values(v).every((x) => scalar(x) === undefined || (Array.isArray(x) && x.every((y) => scalar(y) === undefined)))
    ? undefined
    : 'must be a mapping from a field to a value or a list of values';

/** Parameters of each transformation type: name -> [required, check]. */
const TRANSFORMATIONS: Record<TransformationType, Record<string, [boolean, Check]>> = {
  field_name_mapping: { mapping: [true, nameMap] },
  field_name_prefix: { prefix: [true, str] },
  field_name_suffix: { suffix: [true, str] },
  field_name_prefix_mapping: { mapping: [true, nameMap] },
  add_condition: { conditions: [true, conditionMap], template: [false, bool], negated: [false, bool], name: [false, str] },
  change_logsource: { category: [false, str], product: [false, str], service: [false, str] },
  convert_type: { target_type: [true, oneOf('str', 'num')] },
  set_value: { value: [true, scalar], force_type: [false, oneOf('str', 'num')] },
  replace_string: { regex: [true, str], replacement: [true, str], skip_special: [false, bool], interpret_special: [false, bool] },
  map_string: { mapping: [true, nameMap] },
  drop_detection_item: {},
  rule_failure: { message: [true, str] },
  detection_item_failure: { message: [true, str] },
  strict_field_mapping_failure: {},
};

const cond = { cond: [true, oneOf('any', 'all')] } as Record<string, [boolean, Check]>;
const applied = { processing_item_id: [true, str] } as Record<string, [boolean, Check]>;

/** Condition types of each level, with their parameters. */
const CONDITIONS: Record<'rule' | 'detection_item' | 'field_name', Record<string, Record<string, [boolean, Check]>>> = {
  rule: {
    logsource: { category: [false, str], product: [false, str], service: [false, str] },
    contains_field: { field: [true, str] },
    processing_item_applied: applied,
    tag: { tag: [true, str] },
    rule_attribute: { attribute: [true, str], value: [true, scalar], op: [false, oneOf('eq', 'ne', 'gte', 'gt', 'lte', 'lt', 'in', 'not_in')] },
    is_sigma_rule: {},
  },
  detection_item: {
    match_string: { pattern: [true, str], negate: [false, bool], ...cond },
    match_value: { value: [true, scalar], ...cond },
    is_null: { ...cond },
    contains_wildcard: { ...cond },
    processing_item_applied: applied,
  },
  field_name: {
    include_fields: { fields: [true, strings], mode: [false, oneOf('plain', 're')] },
    exclude_fields: { fields: [true, strings], mode: [false, oneOf('plain', 're')] },
    processing_item_applied: applied,
  },
};

const TOP_KEYS = ['name', 'priority', 'transformations', 'allowed_backends', 'vars', 'field_types'];
/** The field types a pipeline may declare: only `ip` changes how a value is searched. */
const FIELD_TYPES = ['ip'];
const LEVELS = ['rule', 'detection_item', 'field_name'] as const;
const LEVEL_KEYS = LEVELS.flatMap((level) => [`${level}_conditions`, `${level}_cond_op`, `${level}_cond_not`, `${level}_cond_expr`]);

/** Checks a pipeline definition; `label` names it when it has no `name` (the file name, or the profile). */
export function readPipeline(value: unknown, label: string): ReadPipeline | { problems: DefinitionProblem[] } {
  const problems: DefinitionProblem[] = [];
  if (!isPlainObject(value)) return { problems: [{ path: [], message: 'a pipeline file must be a mapping with `transformations:` (pySigma processing-pipeline format)' }] };
  for (const key of Object.keys(value)) {
    if (key === 'postprocessing' || key === 'finalizers') problems.push({ path: [key], message: `\`${key}\` changes pySigma's query text, which alertcron does not produce: remove it` });
    else if (!TOP_KEYS.includes(key)) problems.push({ path: [key], message: unknownKey(key, TOP_KEYS, 'pipeline key'), key: true });
  }
  const name = value.name === undefined ? label : value.name;
  if (typeof name !== 'string') problems.push({ path: ['name'], message: 'must be a string' });
  const priority = value.priority === undefined ? 0 : value.priority;
  if (typeof priority !== 'number' || !Number.isInteger(priority)) problems.push({ path: ['priority'], message: 'must be a whole number (pipelines run lowest priority first)' });
  const list = value.transformations ?? [];
  if (!Array.isArray(list)) problems.push({ path: ['transformations'], message: 'must be a list of transformation items' });
  const items: PipelineItem[] = [];
  if (Array.isArray(list)) list.forEach((entry, index) => {
    const item = readItem(entry, ['transformations', index], `${typeof name === 'string' ? name : label}#${index + 1}`, problems);
    if (item) items.push(item);
  });
  const ipFields: string[] = [];
  const types = value.field_types ?? {};
  if (!isPlainObject(types)) problems.push({ path: ['field_types'], message: `must be a mapping from a field name (after the mappings) to its type in the index (${FIELD_TYPES.join(', ')})` });
  else
    for (const [field, type] of Object.entries(types)) {
      if (typeof type !== 'string' || !FIELD_TYPES.includes(type)) problems.push({ path: ['field_types', field], message: `must be ${FIELD_TYPES.join(', ')} (the only field type that changes the query: name the fields the index maps as ip)` });
      else ipFields.push(field);
    }
  return problems.length ? { problems } : { name: String(name), priority: priority as number, items, ipFields };
}

function readItem(entry: unknown, path: (string | number)[], fallbackId: string, problems: DefinitionProblem[]): PipelineItem | undefined {
  if (!isPlainObject(entry)) {
    problems.push({ path, message: 'a transformation item must be a mapping with `type:`' });
    return undefined;
  }
  const before = problems.length;
  const type = entry.type;
  const types = Object.keys(TRANSFORMATIONS);
  if (typeof type !== 'string' || !types.includes(type)) {
    problems.push({ path: [...path, 'type'], message: `${type === undefined ? 'is missing' : `\`${shown(type)}\` is not a transformation alertcron supports`}${typeof type === 'string' ? suggest(type, types) : ''}; supported: ${types.join(', ')}` });
    return undefined;
  }
  const spec = TRANSFORMATIONS[type as TransformationType];
  const params: Record<string, unknown> = {};
  for (const [key, val] of Object.entries(entry)) {
    if (key === 'type' || LEVEL_KEYS.includes(key)) continue;
    if (key === 'id') {
      if (typeof val !== 'string' || !val) problems.push({ path: [...path, key], message: 'must be a non-empty string' });
      continue;
    }
    const param = ownValue(spec, key);
    if (!param) {
      problems.push({ path: [...path, key], message: unknownKey(key, [...Object.keys(spec), 'id', ...LEVEL_KEYS], `key of a ${type} item`), key: true });
      continue;
    }
    const wrong = param[1](val);
    if (wrong) problems.push({ path: [...path, key], message: wrong });
    params[key] = val;
  }
  for (const [key, [required]] of Object.entries(spec)) if (required && !(key in entry)) problems.push({ path, message: `a ${type} item needs \`${key}:\`` });
  if (type === 'replace_string' && typeof params.regex === 'string') {
    try {
      new RegExp(params.regex, 'u');
    } catch (error) {
      problems.push({ path: [...path, 'regex'], message: `is not a valid regular expression: ${(error as Error).message}` });
    }
  }
  const sets = LEVELS.map((level) => readConditionSet(entry, level, path, problems));
  if (problems.length > before) return undefined;
  return { id: typeof entry.id === 'string' ? entry.id : fallbackId, type: type as TransformationType, params, rule: sets[0]!, detectionItem: sets[1]!, fieldName: sets[2]! };
}

function readConditionSet(entry: Record<string, unknown>, level: (typeof LEVELS)[number], path: (string | number)[], problems: DefinitionProblem[]): ConditionSet {
  const raw = entry[`${level}_conditions`];
  const at = [...path, `${level}_conditions`];
  const conditions: [string, PipelineCondition][] = [];
  const add = (name: string, cond: unknown, condPath: (string | number)[]) => {
    const checked = readCondition(cond, level, condPath, problems);
    if (checked) conditions.push([name, checked]);
  };
  if (Array.isArray(raw)) raw.forEach((c, i) => add(String(i + 1), c, [...at, i]));
  else if (isPlainObject(raw)) for (const [name, c] of Object.entries(raw)) add(name, c, [...at, name]);
  else if (raw !== undefined) problems.push({ path: at, message: 'must be a list of conditions (or a mapping from a name to a condition, with a cond_expr)' });
  const op = entry[`${level}_cond_op`] ?? 'and';
  if (op !== 'and' && op !== 'or') problems.push({ path: [...path, `${level}_cond_op`], message: 'must be and or or' });
  const not = entry[`${level}_cond_not`] ?? false;
  if (typeof not !== 'boolean') problems.push({ path: [...path, `${level}_cond_not`], message: 'must be true or false' });
  const set: ConditionSet = { conditions, op: op === 'or' ? 'or' : 'and', not: not === true };
  const exprText = entry[`${level}_cond_expr`];
  if (exprText !== undefined) {
    const exprPath = [...path, `${level}_cond_expr`];
    if (typeof exprText !== 'string') problems.push({ path: exprPath, message: 'must be a string such as "a and not b"' });
    else if (!isPlainObject(raw)) problems.push({ path: exprPath, message: `needs \`${level}_conditions\` as a mapping from a name to a condition` });
    else if (entry[`${level}_cond_op`] !== undefined) problems.push({ path: exprPath, message: `cannot be combined with \`${level}_cond_op\`: use one of them` });
    else {
      const parsed = parseConditionExpr(exprText, Object.keys(raw));
      if ('problem' in parsed) problems.push({ path: exprPath, message: parsed.problem });
      else set.expr = parsed.expr;
    }
  }
  return set;
}

function readCondition(value: unknown, level: (typeof LEVELS)[number], path: (string | number)[], problems: DefinitionProblem[]): PipelineCondition | undefined {
  const kinds = CONDITIONS[level];
  const names = Object.keys(kinds);
  if (!isPlainObject(value) || typeof value.type !== 'string' || !ownValue(kinds, value.type)) {
    const type = isPlainObject(value) ? value.type : undefined;
    const what = type === undefined ? 'a condition needs `type:`' : `\`${shown(type)}\` is not a ${level.replace('_', ' ')} condition alertcron supports${typeof type === 'string' ? suggest(type, names) : ''}`;
    problems.push({ path: isPlainObject(value) && type !== undefined ? [...path, 'type'] : path, message: `${what}; supported: ${names.join(', ')}` });
    return undefined;
  }
  const spec = ownValue(kinds, value.type)!;
  let ok = true;
  for (const [key, val] of Object.entries(value)) {
    if (key === 'type') continue;
    const param = ownValue(spec, key);
    const wrong = param ? param[1](val) : unknownKey(key, Object.keys(spec), `key of a ${value.type} condition`);
    if (wrong) {
      problems.push({ path: [...path, key], message: wrong, ...(param ? {} : { key: true as const }) });
      ok = false;
    }
  }
  for (const [key, [required]] of Object.entries(spec))
    if (required && !(key in value)) {
      problems.push({ path, message: `a ${value.type} condition needs \`${key}:\`` });
      ok = false;
    }
  if (ok && (value.type === 'include_fields' || value.type === 'exclude_fields') && value.mode === 're')
    (value.fields as string[]).forEach((pattern, i) => {
      try {
        new RegExp(pattern, 'u');
      } catch (error) {
        problems.push({ path: [...path, 'fields', i], message: `is not a valid regular expression: ${(error as Error).message}` });
        ok = false;
      }
    });
  if (ok && value.type === 'match_string')
    try {
      new RegExp(value.pattern as string, 'u');
    } catch (error) {
      problems.push({ path: [...path, 'pattern'], message: `is not a valid regular expression: ${(error as Error).message}` });
      ok = false;
    }
  return ok ? (value as PipelineCondition) : undefined;
}

function unknownKey(key: string, known: string[], what: string): string {
  return `\`${key}\` is not a ${what} alertcron knows${suggest(key, known)}; known: ${known.join(', ')}`;
}

function suggest(word: string, candidates: string[]): string {
  const close = closestWord(word, candidates);
  return close ? ` (did you mean \`${close}\`?)` : '';
}

/** A value of the pipeline file as a message shows it: a string as it is, anything else as short JSON (never its own toString). */
function shown(value: unknown): string {
  return typeof value === 'string' ? value : quoted(value, 60);
}
