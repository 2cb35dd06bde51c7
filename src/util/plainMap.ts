/**
 * Objects used as maps keyed by outside data (finding keys, ids, channel, chat and alert names): with no prototype,
 * so that any string, `__proto__` and `constructor` included, is a plain key that is either there or not.
 */
export type PlainMap<T> = Record<string, T>;

/** A new, empty map without a prototype, optionally filled from entries. */
export function plainMap<T>(entries?: Iterable<readonly [string, T]>): PlainMap<T> {
  const map = Object.create(null) as PlainMap<T>;
  if (entries) for (const [key, value] of entries) map[key] = value;
  return map;
}

/**
 * Makes a parsed JSON object (whose own keys are already plain data) a map without a prototype, in place; anything
 * that is not an object gives a new empty map.
 */
export function asPlainMap<T>(value: unknown): PlainMap<T> {
  if (!isPlainObject(value)) return plainMap<T>();
  if (Object.getPrototypeOf(value) !== null) Object.setPrototypeOf(value, null);
  return value as PlainMap<T>;
}

/**
 * A copy of an object's own entries as a map without a prototype (anything that is not an object gives an empty
 * map); `keep` leaves out the values it rejects (e.g. a time that is not a number in a rule's stored memory).
 */
export function plainCopy<T>(value: unknown, keep: (item: unknown) => boolean = () => true): PlainMap<T> {
  const map = plainMap<T>();
  if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) if (keep(item)) map[key] = item as T;
  return map;
}

/** The value of a key the object itself holds (never one inherited from Object.prototype), else undefined. */
export function ownValue<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/** True for a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
