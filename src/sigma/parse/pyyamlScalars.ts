// How PyYAML reads a plain (unquoted) YAML scalar, as the yaml package's YAML 1.1 schema computes each value and
// pySigma's PyYAML decides which forms are numbers and booleans: the one definition both YAML readers share.

/** PyYAML's YAML 1.1 int and float forms (its resolver's regular expressions): other plain scalars are strings. */
export const PYYAML_NUMBER = new RegExp(
  [
    '[-+]?0b[0-1_]+',
    '[-+]?0[0-7_]+',
    '[-+]?(?:0|[1-9][0-9_]*)',
    '[-+]?0x[0-9a-fA-F_]+',
    '[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+',
    '[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?',
    '\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?',
    '[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*',
    '[-+]?\\.(?:inf|Inf|INF)',
    '\\.(?:nan|NaN|NAN)',
  ]
    .map((form) => `(?:${form})`)
    .join('|')
    .replace(/^/, '^(?:')
    .replace(/$/, ')$'),
);

/** PyYAML's YAML 1.1 booleans (`y` and `n` are text to it). */
export const PYYAML_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const TIMESTAMP = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/;

function int(src: string, offset: number, radix: number): number {
  const sign = src[0];
  const digits = src.substring(sign === '-' || sign === '+' ? offset + 1 : offset).replace(/_/g, '');
  const n = parseInt(digits, radix);
  return sign === '-' ? -1 * n : n;
}

function sexagesimal(src: string): number {
  const sign = src[0];
  const parts = sign === '-' || sign === '+' ? src.substring(1) : src;
  const n = parts.replace(/_/g, '').split(':').reduce((sum, p) => sum * 60 + Number(p), 0);
  return sign === '-' ? -1 * n : n;
}

/**
 * A decimal integer as written, when a JavaScript number cannot hold it exactly (above 2^53 and not a multiple of a
 * large power of two): the exact value, which the detection reader refuses rather than compare a rounded number.
 */
export function inexactInteger(src: string): bigint | undefined {
  if (!/^[-+]?[0-9][0-9_]*$/.test(src)) return undefined;
  const exact = BigInt(src.replace(/[_+]/g, ''));
  return BigInt(Number(exact)) === exact ? undefined : exact;
}

/** The yaml package's YAML 1.1 number forms, in its schema's order, each with how it computes the value. */
const NUMBER_FORMS: [RegExp, (src: string) => number | bigint][] = [
  [/^[-+]?0b[0-1_]+$/, (s) => int(s, 2, 2)],
  [/^[-+]?0[0-7_]+$/, (s) => int(s, 1, 8)],
  [/^[-+]?[0-9][0-9_]*$/, (s) => inexactInteger(s) ?? int(s, 0, 10)],
  [/^[-+]?0x[0-9a-fA-F_]+$/, (s) => int(s, 2, 16)],
  [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY)],
  [/^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/, (s) => parseFloat(s.replace(/_/g, ''))],
  [/^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/, (s) => parseFloat(s.replace(/_/g, ''))],
  [/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/, sexagesimal],
  [/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/, sexagesimal],
];

/** A YAML 1.1 timestamp as the yaml package reads it (UTC when no zone is written). */
function timestamp(match: RegExpMatchArray): Date {
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const millisec = match[7] ? Number((match[7] + '00').substr(1, 3)) : 0;
  let date = Date.UTC(year!, month! - 1, day!, hour || 0, minute || 0, second || 0, millisec);
  const tz = match[8];
  if (tz && tz !== 'Z') {
    let d = sexagesimal(tz);
    if (Math.abs(d) < 30) d *= 60;
    date -= 60000 * d;
  }
  return new Date(date);
}

/**
 * A plain scalar's value: `{ value }` for null, a boolean, a number or a date as the current reading yields them, and
 * `{ text: true }` when it is text although the yaml package's YAML 1.1 schema reads it as a number or boolean (`y`,
 * `0429`, `1e3`); undefined for any other text.
 */
export function plainScalar(src: string): { value: null | boolean | number | bigint | Date } | { text: true } | undefined {
  if (NULL.test(src)) return { value: null };
  if (TRUE.test(src) || FALSE.test(src)) return PYYAML_BOOL.test(src) ? { value: TRUE.test(src) } : { text: true };
  for (const [form, value] of NUMBER_FORMS) if (form.test(src)) return PYYAML_NUMBER.test(src) ? { value: value(src) } : { text: true };
  const date = src.match(TIMESTAMP);
  return date ? { value: timestamp(date) } : undefined;
}
