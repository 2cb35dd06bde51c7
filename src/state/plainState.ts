import type { StateData } from '../model/state.js';
import { asPlainMap, isPlainObject } from '../util/plainMap.js';

/**
 * Makes a parsed state's alerts and their keys maps without a prototype, in place, as a store's read makes them (e.g.
 * the JSON copy `state migrate` writes): the stores walk them with for-in, which would also see anything a dependency
 * added to Object.prototype.
 */
export function withoutPrototypes(data: StateData): void {
  data.alerts = asPlainMap(data.alerts);
  for (const name in data.alerts) {
    const alert = data.alerts[name] as unknown;
    if (isPlainObject(alert) && isPlainObject(alert.keys)) alert.keys = asPlainMap(alert.keys);
  }
}
