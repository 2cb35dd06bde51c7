import type { ErrorObject, ValidateFunction } from 'ajv';
import { closestWord } from '../util/closestWord.js';
import { oneLine } from '../util/text.js';
import { durationFix, parseDuration } from '../util/duration.js';
import { elastalertHint } from './elastalertHints.js';
import type { Problem } from './problems.js';
import type { YamlFile } from './yamlDocument.js';

/** The names of the published JSON Schemas in src/config/schemas/. */
export type SchemaName = 'alertcron' | 'alert';

const loaded: Partial<Record<SchemaName, ValidateFunction>> = {};

/**
 * Loads the compiled validator of a schema before checkSchema uses it. Each is a module of its own (about 195 KB
 * each), so a run whose alerts all come from the parse cache never sets up the alerts' one (in the start-up
 * bundle both are inlined, but neither is compiled nor run before it is needed).
 */
export async function loadSchema(name: SchemaName): Promise<void> {
  loaded[name] ??= name === 'alert' ? (await import('./validators.alert.generated.js')).alert : (await import('./validators.alertcron.generated.js')).alertcron;
}

function validator(name: SchemaName): ValidateFunction {
  const validate = loaded[name];
  if (!validate) throw new Error(`internal error: the ${name} schema is checked before loadSchema('${name}') loaded it`);
  return validate;
}

/** Checks a parsed YAML file against a schema (loaded first with loadSchema) and returns every problem, each with its line and column. */
export function checkSchema(name: SchemaName, yaml: YamlFile): Problem[] {
  const validate = validator(name);
  if (validate(yaml.value)) return [];
  return describeErrors(validate.errors ?? [], name, durationsWrittenOtherwise(validate.errors ?? [], yaml.value), yaml.value).map(({ path, key, message }) => {
    const { line, col } = yaml.locate(path, key);
    return { file: yaml.file, line, col, path: toPointer(path), message };
  });
}

/**
 * A value where a duration belongs but written another way (`throttle: 30`, ElastAlert2's `timeframe: {minutes: 10}`,
 * `5 min`): how to write it, by the value's place (its JSON pointer), told in place of the schema's generic messages.
 */
function durationsWrittenOtherwise(errors: ErrorObject[], value: unknown): Map<string, string> {
  const fixes = new Map<string, string>();
  for (const error of errors) {
    if (fixes.has(error.instancePath) || !/\/definitions\/(positiveDuration|duration)\//.test(error.schemaPath)) continue;
    const path = fromPointer(error.instancePath);
    const fix = durationFix(valueAt(value, path));
    if (fix) fixes.set(error.instancePath, fix);
  }
  return fixes;
}

interface Described {
  path: (string | number)[];
  key: boolean;
  message: string;
}

/** Keywords that are never one alternative of an anyOf/oneOf at the same place. */
const STANDALONE = new Set(['additionalProperties', 'discriminator', 'anyOf', 'oneOf']);

/** The errors that are branches of an anyOf/oneOf: below it in the schema, or reached from it through a $ref. */
function alternativesOf(alternative: ErrorObject, all: ErrorObject[]): ErrorObject[] {
  const own = alternative.schemaPath + '/';
  const parent = alternative.schemaPath.replace(/(anyOf|oneOf)$/, '');
  return all.filter(
    (e) =>
      e !== alternative &&
      e.instancePath === alternative.instancePath &&
      !STANDALONE.has(e.keyword) &&
      (e.schemaPath.startsWith(own) || !e.schemaPath.startsWith(parent)),
  );
}

function describeErrors(errors: ErrorObject[], schema: SchemaName, durationFixes: Map<string, string>, value: unknown): Described[] {
  const absorbed = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').flatMap((e) => alternativesOf(e, errors)));
  // A timeout past both maxima (its own 1h and every duration's 365d) is told the tighter one only.
  for (const e of errors) if (e.keyword === 'maxDuration' && errors.some((o) => o !== e && o.keyword === 'maxDuration' && o.instancePath === e.instancePath && durationLimit(o) < durationLimit(e))) absorbed.add(e);
  const out: Described[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (absorbed.has(error)) continue;
    const fix = durationFixes.get(error.instancePath);
    const described = fix ? { path: fromPointer(error.instancePath), key: false, message: `must be a duration (such as 30s, 5m, 1h30m): ${fix}` } : describe(error, errors, schema, value);
    if (!described) continue;
    const id = toPointer(described.path) + described.message;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(described);
    }
  }
  return out;
}

/** The limit of a maxDuration error, in milliseconds. */
function durationLimit(error: ErrorObject): number {
  return parseDuration(String((error.params as { limit?: unknown }).limit), Infinity);
}

function describe(error: ErrorObject, all: ErrorObject[], schema: SchemaName, value: unknown): Described | undefined {
  if (error.keyword === 'if') return undefined;
  const path = fromPointer(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {}).filter((k) => k !== '$schema');
      const guess = closestWord(extra, allowed);
      // An ElastAlert2 option's timedelta (realert: {minutes: 5}) is also said in alertcron's form.
      const timedelta = elastalertHint(extra) && durationFix(valueAt(value, [...path, extra]));
      const hint = elastalertHint(extra) ? `${elastalertHint(extra)}${timedelta?.startsWith('ElastAlert2') ? `; ${timedelta}` : ''}` : (guess ? `did you mean "${guess}"?` : allowed.length <= 8 ? `allowed keys: ${allowed.join(', ')}` : `not a setting here: src/config/schemas/${schema}.schema.json lists the allowed keys`);
      return { path: [...path, extra], key: true, message: `unknown key "${extra}" (${hint})` };
    }
    case 'required': {
      // Required only when other keys are absent (if: {not: {required: [...]}}, then: {required: [...]}): say which.
      const condition = error.schemaPath.endsWith('/then/required') ? all.find((e) => e.keyword === 'if' && e.instancePath === error.instancePath) : undefined;
      const instead = (condition?.parentSchema as { if?: { not?: { required?: string[] } } } | undefined)?.if?.not?.required;
      return { path, key: false, message: `missing required key "${String(params.missingProperty)}"${instead?.length ? ` (or set ${instead.join(' or ')})` : ''}` };
    }
    case 'discriminator': {
      const choices = alternatives(error.parentSchema).join(', ');
      if (params.error === 'tag') return { path, key: false, message: `missing required key "type" (one of ${choices})` };
      return { path: [...path, 'type'], key: false, message: `unknown type (use one of ${choices})` };
    }
    case 'anyOf':
    case 'oneOf': {
      const parts = alternativesOf(error, all);
      if (parts.length && parts.every((e) => e.keyword === 'required')) {
        const keys = parts.map((e) => String((e.params as { missingProperty: string }).missingProperty));
        return { path, key: false, message: `needs at least one of ${keys.join(', ')}` };
      }
      const phrases = [...new Set(parts.map(phrase).filter(Boolean))];
      return { path, key: false, message: `must be ${phrases.join(' or ') || 'valid'}` };
    }
    case 'propertyNames':
      // Its own message says nothing; the error below it (a pattern) names the key and what it must be.
      return undefined;
    default: {
      const name = (error as { propertyName?: string }).propertyName;
      if (name !== undefined) return { path: [...path, name], key: true, message: `the name "${oneLine(name, 64)}" must be ${phrase(error)}` };
      return { path, key: false, message: `must be ${phrase(error)}` };
    }
  }
}

function phrase(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const schema = error.parentSchema as { description?: string } | undefined;
  switch (error.keyword) {
    case 'pattern':
      return schema?.description ? lowerFirst(schema.description.replace(/\.$/, '')) : `text matching ${String(params.pattern)}`;
    case 'const':
      return JSON.stringify(params.allowedValue);
    case 'not': {
      // `not: {const: X}` (a value excluded from a range, e.g. chat id 0).
      const excluded = (error.parentSchema as { not?: { const?: unknown } } | undefined)?.not;
      return excluded && 'const' in excluded ? `other than ${JSON.stringify(excluded.const)}` : (error.message ?? 'valid');
    }
    case 'enum':
      return `one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `${/^[aeiou]/.test(String(params.type)) ? 'an' : 'a'} ${String(params.type)}`;
    case 'required':
      return `an object with key "${String(params.missingProperty)}"`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${COMPARISONS[String(params.comparison)] ?? String(params.comparison)} ${String(params.limit)}`;
    case 'minItems':
      return `a list of at least ${plural(Number(params.limit), 'item')}`;
    case 'maxItems':
      return `a list of at most ${plural(Number(params.limit), 'item')}`;
    case 'minProperties':
      return `an object with at least ${plural(Number(params.limit), 'key')}`;
    case 'minLength':
      return `at least ${plural(Number(params.limit), 'character')} long`;
    case 'maxDuration':
      return `a duration of at most ${String(params.limit)} (shorten it)`;
    default:
      return error.message ?? 'valid';
  }
}

/** The words for ajv's comparisons of a number with its limit. */
const COMPARISONS: Record<string, string> = { '>=': 'at least', '>': 'greater than', '<=': 'at most', '<': 'less than' };

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function alternatives(schema: unknown): string[] {
  const oneOf = (schema as { oneOf?: { properties?: { type?: { const?: string } } }[] })?.oneOf ?? [];
  return oneOf.map((s) => s.properties?.type?.const).filter((v): v is string => !!v);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The value at a path in a parsed file, or undefined. */
function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), value);
}

function fromPointer(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** Formats path segments as a JSON pointer (`/condition/gte`). */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
