// The v1 query API of a fake TheHive: ScalliGraph's filter, sort and page semantics (protocols-wave2.md section 6).

/** A query the fake refuses: answered with HTTP 400 {type: "BadRequest", message}. */
export class BadQuery extends Error {}

type Row = Record<string, unknown>;
type Filter = Record<string, unknown>;

/** A property's value for filters: `imported` (TheHive 4.1) is computed from caseId. */
function valueOf(row: Row, field: string): unknown {
  return field === 'imported' ? row.caseId !== undefined : row[field];
}

/** ScalliGraph's `_like`: `*` only as a leading and/or trailing wildcard, otherwise an exact match; case-sensitive. */
function like(actual: unknown, pattern: string): boolean {
  const text = String(actual ?? '');
  const lead = pattern.startsWith('*');
  const trail = pattern.length > 1 && pattern.endsWith('*');
  const core = pattern.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (lead && trail) return text.includes(core);
  if (lead) return text.endsWith(core);
  if (trail) return text.startsWith(core);
  return text === pattern;
}

function matches(row: Row, filter: Filter, known: Set<string>, type: string): boolean {
  const [op, arg] = Object.entries(filter)[0] ?? [];
  const field = (a: unknown) => {
    const name = (a as { _field: string })._field;
    if (!known.has(name) && !name.startsWith('customFields.')) throw new BadQuery(`Property ${name} for type ${type} not found`);
    return name;
  };
  const value = (a: unknown) => (a as { _value: unknown })._value;
  const actual = (a: unknown) => valueOf(row, field(a));
  const has = (v: unknown, wanted: unknown) => (Array.isArray(v) ? v.includes(wanted) : v === wanted);
  switch (op) {
    case '_and':
      return (arg as Filter[]).every((f) => matches(row, f, known, type));
    case '_or':
      return (arg as Filter[]).some((f) => matches(row, f, known, type));
    case '_not':
      return !matches(row, arg as Filter, known, type);
    case '_eq':
      return has(actual(arg), value(arg));
    case '_ne':
      return !has(actual(arg), value(arg));
    case '_gt':
      return (actual(arg) as number) > (value(arg) as number);
    case '_gte':
      return (actual(arg) as number) >= (value(arg) as number);
    case '_lt':
      return (actual(arg) as number) < (value(arg) as number);
    case '_lte':
      return (actual(arg) as number) <= (value(arg) as number);
    case '_in':
      return ((arg as { _values: unknown[] })._values ?? []).some((v) => has(actual(arg), v));
    case '_like':
      return like(actual(arg), String(value(arg)));
    default:
      throw new BadQuery(`Invalid filter: ${String(op)}`);
  }
}

/** Sorts on every field given, in order, strings and numbers alike. */
function sort(rows: Row[], fields: Record<string, string>[], known: Set<string>, type: string): Row[] {
  const keys = fields.map((f) => Object.entries(f)[0]!);
  for (const [name] of keys) if (!known.has(name)) throw new BadQuery(`Property ${name} for type ${type} not found`);
  const compare = (a: unknown, b: unknown) => (a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : (a as number) < (b as number) ? -1 : 1);
  return [...rows].sort((a, b) => {
    for (const [name, order] of keys) {
      const c = compare(a[name], b[name]) * (order === 'desc' ? -1 : 1);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** Runs a v1 query over the alerts and cases an organisation sees: a list, or a number for `count`. */
export function runQuery(steps: Record<string, unknown>[], lists: { Alert: Row[]; Case: Row[] }, known: (type: 'Alert' | 'Case') => Set<string>): unknown {
  let rows: unknown = [];
  let type: 'Alert' | 'Case' = 'Alert';
  for (const step of steps) {
    const list = rows as Row[];
    switch (step._name) {
      case 'listAlert':
      case 'listCase':
        type = step._name === 'listAlert' ? 'Alert' : 'Case';
        rows = lists[type].map((row) => structuredClone(row));
        break;
      case 'filter': {
        const { _name, ...filter } = step;
        void _name;
        rows = list.filter((row) => Object.entries(filter).every(([op, arg]) => matches(row, { [op]: arg }, known(type), type)));
        break;
      }
      case 'sort':
        rows = sort(list, (step._fields as Record<string, string>[] | undefined) ?? [], known(type), type);
        break;
      case 'page':
        rows = list.slice(Number(step.from ?? 0), Number(step.to ?? list.length));
        break;
      case 'count':
        rows = list.length;
        break;
      default:
        throw new BadQuery(`Unknown query operation: ${String(step._name)}`);
    }
  }
  return rows;
}
