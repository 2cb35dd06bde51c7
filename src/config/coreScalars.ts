// How the yaml package's YAML 1.2 core schema reads a plain scalar, written out so that the fast reading of a config
// or alert file needs no yaml package at all (its load costs more than reading a hundred alert files). The tags and
// their order are the package's (yaml 2, schema/core); test/config/coreScalars.test.ts compares the two on generated text.

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** The value of a plain scalar that the YAML 1.2 core schema reads as null, a boolean or a number; undefined for text. */
export function coreScalar(data: string): { value: unknown } | undefined {
  if (NULL.test(data)) return { value: null };
  if (BOOL.test(data)) return { value: data[0] === 't' || data[0] === 'T' };
  if (INT_OCT.test(data)) return { value: parseInt(data.substring(2), 8) };
  if (INT.test(data)) return { value: parseInt(data, 10) };
  if (INT_HEX.test(data)) return { value: parseInt(data.substring(2), 16) };
  if (FLOAT_NAN.test(data)) return { value: data.slice(-3).toLowerCase() === 'nan' ? NaN : data[0] === '-' ? -Infinity : Infinity };
  if (FLOAT_EXP.test(data) || FLOAT.test(data)) return { value: parseFloat(data) };
  return undefined;
}
