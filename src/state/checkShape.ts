/** True for a JSON object (not null, not an array). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Says what is wrong with the shape of a parsed state file (valid JSON that is not alertcron's state, e.g. an
 * array, or `alerts` that is not an object), or returns undefined when every part alertcron reads has its type.
 */
export function stateShapeProblem(data: unknown): string | undefined {
  if (!isObject(data)) return `it holds ${Array.isArray(data) ? 'an array' : data === null ? 'null' : `a ${typeof data}`}, not an object`;
  if (data.alerts !== undefined) {
    if (!isObject(data.alerts)) return '"alerts" is not an object';
    // for-in, not entries: this runs for every alert (and every key an older state file holds), every run. Parsed
    // JSON has Object.prototype: only own names are walked (anything a dependency added there is no alert or key).
    for (const name in data.alerts) {
      if (!Object.hasOwn(data.alerts, name)) continue;
      const alert = data.alerts[name];
      if (!isObject(alert)) return `"alerts.${name}" is not an object`;
      if (alert.keys === undefined) continue;
      if (!isObject(alert.keys)) return `"alerts.${name}.keys" is not an object`;
      for (const key in alert.keys) {
        if (Object.hasOwn(alert.keys, key) && !isObject(alert.keys[key])) return `"alerts.${name}.keys.${key}" is not an object`;
      }
    }
  }
  for (const list of ['pending', 'silences', 'conversations'] as const) {
    if (data[list] === undefined) continue;
    if (!Array.isArray(data[list])) return `"${list}" is not a list`;
    if (!(data[list] as unknown[]).every(isObject)) return `"${list}" has an item that is not an object`;
  }
  if (data.sources !== undefined && !isObject(data.sources)) return '"sources" is not an object';
  if (data.lastRun !== undefined && !isObject(data.lastRun)) return '"lastRun" is not an object';
  if (data.tokens !== undefined && (!isObject(data.tokens) || !Object.values(data.tokens).every(isObject))) return '"tokens" is not an object of tokens';
  return undefined;
}
