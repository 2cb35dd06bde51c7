/** Most keys a rule type remembers in the state per alert: beyond it the least recently seen are forgotten. */
export const MAX_REMEMBERED_KEYS = 10_000;

/**
 * Keeps at most `max` keys of a per-key memory, forgetting the least recently seen (by `seenAt`); returns a warning
 * naming what was forgotten and its effect, or undefined when nothing was.
 */
export function capKeys<V>(keys: Record<string, V>, seenAt: (value: V) => number, effect: string, max = MAX_REMEMBERED_KEYS): string | undefined {
  const names = Object.keys(keys);
  if (names.length <= max) return undefined;
  names.sort((a, b) => seenAt(keys[a]!) - seenAt(keys[b]!));
  const dropped = names.length - max;
  for (const name of names.slice(0, dropped)) delete keys[name];
  return `${dropped} key(s) beyond the ${max} remembered were forgotten (the least recently seen): ${effect}`;
}

/** Joins the warnings of a run that are set. */
export function joinWarnings(...warnings: (string | undefined)[]): string | undefined {
  const set = warnings.filter((w): w is string => Boolean(w));
  return set.length ? set.join('; ') : undefined;
}
