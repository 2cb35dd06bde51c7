// `{ ...a, ...b }` without a hidden class of its own per object: V8's optimised code for an object spread copies the
// map of each object it builds (measured in node 20: after warm-up every `{ ...base, size }` had its own map,
// descriptor array and property array, about 200 bytes each, 2-3 per alert searched); properties assigned one by one
// share the maps of one transition tree. Used where an object is built per alert or per response.

/**
 * A new plain object with the own enumerable string-keyed properties of each part in turn (a later part's value
 * wins, at the place where the key first came, as with spread); parts that are undefined, null or false add nothing.
 * Unlike spread, symbol-keyed properties are not copied (no object it builds has any). The result's type is the
 * caller's word (unchecked): where the compiler should check the keys, build a typed literal instead.
 * A `__proto__` key stays an own data property, as spread makes it, never the object's prototype.
 */
export function merged<T extends object = Record<string, unknown>>(...parts: readonly (object | undefined | null | false)[]): T {
  const out: Record<string, unknown> = {};
  for (const part of parts) if (part) copyInto(out, part);
  return out as T;
}

/** A new plain object with the own enumerable string-keyed properties of `source` but those in `keys` (`const { a, ...rest } = source` without its per-object map). */
export function omitted(source: object, keys: ReadonlySet<string>): Record<string, unknown> {
  return copyInto({}, source, keys);
}

function copyInto(out: Record<string, unknown>, part: object, except?: ReadonlySet<string>): Record<string, unknown> {
  for (const key of Object.keys(part)) {
    if (except?.has(key)) continue;
    const value = (part as Record<string, unknown>)[key];
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}
