// A Sigma 2 correlation document (`correlation:` with type, rules, group-by, timespan, condition, aliases, generate)
// read into SigmaCorrelation, with the checks the specification and pySigma make.
import type { SigmaCorrelation, SigmaCorrelationCondition } from '../types.js';
import { formatDuration, MAX_DURATION, MAX_DURATION_MS } from '../../util/duration.js';
import { SigmaRefused } from '../refused.js';
import { readMeta } from './meta.js';
import { SigmaRuleError } from './ruleError.js';

const TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered'] as const;
const UNSUPPORTED_TYPES = ['value_sum', 'value_avg', 'value_percentile', 'value_median'];
const OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
/** Seconds per timespan unit, as the specification (and pySigma) counts them: a month is 1/12 of a Gregorian year. */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2629746, y: 31556952 };

/** Reads a correlation document (`line`: its first line); throws SigmaRuleError naming the key and the fix. */
export function readCorrelation(doc: Record<string, unknown>, line: number): SigmaCorrelation {
  const meta = readMeta(doc);
  const body = doc.correlation;
  if (!isMap(body)) throw new SigmaRuleError('`correlation:` must be a map with type, rules, group-by, timespan and condition', ['correlation']);
  const at = (key: string): (string | number)[] => ['correlation', key];
  const type = body.type;
  if (typeof type !== 'string') throw new SigmaRuleError(`a correlation needs \`type:\` (one of ${TYPES.join(', ')})`, body.type === undefined ? ['correlation'] : at('type'));
  if (UNSUPPORTED_TYPES.includes(type)) throw new SigmaRuleError(`correlation type '${type}' is not supported: alertcron runs ${TYPES.join(', ')}`, at('type'));
  if (!(TYPES as readonly string[]).includes(type)) throw new SigmaRuleError(`'${type}' is not a correlation type: use one of ${TYPES.join(', ')}`, at('type'));
  const temporal = type === 'temporal' || type === 'temporal_ordered';

  const rules = body.rules === undefined || body.rules === null ? [] : stringList(body.rules, at('rules'), 'rules');
  if (!rules.length) throw new SigmaRuleError('a correlation needs `rules:` (the ids or names of the rules it correlates)', body.rules === undefined ? ['correlation'] : at('rules'));
  const groupBy = body['group-by'] === undefined || body['group-by'] === null ? [] : stringList(body['group-by'], at('group-by'), 'group-by');

  const timespan = timespanMs(body.timespan, at('timespan'));

  let condition: SigmaCorrelationCondition | undefined;
  if (body.condition === undefined || body.condition === null) {
    if (!temporal) throw new SigmaRuleError(`a ${type} correlation needs \`condition:\` (e.g. {gte: 10})`, ['correlation']);
  } else if (typeof body.condition === 'string') {
    throw new SigmaRuleError(
      temporal
        ? `an extended (string) condition "${body.condition}" on a temporal correlation is not supported: list the rules under \`rules:\` and leave \`condition:\` out (all of them must match)`
        : 'a string condition is only for temporal correlations: write a map such as {gte: 10}',
      at('condition'),
    );
  } else condition = readCondition(body.condition, type, at('condition'));

  const aliases: Record<string, Record<string, string>> = {};
  if (body.aliases !== undefined && body.aliases !== null) {
    if (!isMap(body.aliases)) throw new SigmaRuleError('`aliases:` must map each alias to {rule id or name: field}', at('aliases'));
    for (const [alias, mapping] of Object.entries(body.aliases)) {
      if (!isMap(mapping)) throw new SigmaRuleError(`alias '${alias}' must map rule ids or names to field names`, [...at('aliases'), alias]);
      aliases[alias] = {};
      for (const [rule, field] of Object.entries(mapping)) {
        if (typeof field !== 'string') throw new SigmaRuleError(`alias '${alias}' must give a field name (a string) for rule '${rule}'`, [...at('aliases'), alias, rule]);
        aliases[alias][rule] = field;
      }
    }
  }
  const generate = body.generate ?? false;
  if (typeof generate !== 'boolean') throw new SigmaRuleError('`generate:` must be true or false', at('generate'));
  return { kind: 'correlation', meta, type: type as SigmaCorrelation['type'], rules, groupBy, timespan, ...(condition ? { condition } : {}), aliases, generate, line };
}

function readCondition(value: unknown, type: string, at: (string | number)[]): SigmaCorrelationCondition {
  if (!isMap(value)) throw new SigmaRuleError('`condition:` must be a map such as {gte: 10}', at);
  const condition: SigmaCorrelationCondition = {};
  for (const [key, bound] of Object.entries(value)) {
    if (key === 'field') {
      if (typeof bound !== 'string') throw new SigmaRuleError('`field:` of a condition must be a field name', [...at, key]);
      condition.field = bound;
    } else if ((OPERATORS as readonly string[]).includes(key)) {
      const n = typeof bound === 'string' && /^-?\d+$/.test(bound.trim()) ? Number(bound) : bound;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw new SigmaRuleError(`'${String(bound)}' is not a count: \`${key}:\` takes a whole number`, [...at, key]);
      condition[key as (typeof OPERATORS)[number]] = n;
    } else throw new SigmaRuleError(`'${key}' is not part of a correlation condition: use ${OPERATORS.join(', ')} (and field for value_count)`, [...at, key]);
  }
  if (!OPERATORS.some((op) => condition[op] !== undefined)) throw new SigmaRuleError(`a correlation condition needs a comparison: one or more of ${OPERATORS.join(', ')}`, at);
  if (type === 'value_count' && !condition.field) throw new SigmaRuleError('a value_count condition needs `field:` (the field whose distinct values are counted)', at);
  return condition;
}

/** `<count><unit>` (s, m, h, d, w, M, y) in milliseconds. */
function timespanMs(value: unknown, at: (string | number)[]): number {
  const m = typeof value === 'string' ? /^(\d+)([smhdwMy])$/.exec(value) : null;
  if (!m) throw new SigmaRuleError(`${value === undefined ? 'a correlation needs `timespan:`' : `timespan '${String(value)}' is not valid`}: write a whole number and a unit (s, m, h, d, w, M for months, y), e.g. 5m`, value === undefined ? at.slice(0, 1) : at);
  const count = Number(m[1]);
  if (count <= 0) throw new SigmaRuleError(`timespan '${value as string}' must be greater than zero`, at);
  const ms = count * UNIT_SECONDS[m[2]!]! * 1000;
  // Valid Sigma, but no rule type's timeframe can be that long: refused here, where the key's line is known.
  if (ms > MAX_DURATION_MS) {
    throw new SigmaRefused(
      `timespan '${value as string}' (${formatDuration(ms)}) is longer than a rule type's timeframe can be (at most ${MAX_DURATION}): write at most ${MAX_DURATION} (1y and 12M are 365.2425 days, a little longer; 52w fits)`,
      at,
    );
  }
  return ms;
}

function stringList(value: unknown, at: (string | number)[], key: string): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) throw new SigmaRuleError(`\`${key}:\` must be a string or a list of strings`, at);
  return value.map((item, i) => {
    if (typeof item === 'string' || typeof item === 'number') return String(item);
    throw new SigmaRuleError(`\`${key}:\` must list strings`, [...at, i]);
  });
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
