/**
 * A value as plain JSON data: the state's maps have no prototype (any string is a plain key), which strict deep
 * equality would count as a difference; this compares what they hold.
 */
export function contentOf<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
