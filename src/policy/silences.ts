import type { Silence } from '../model/state.js';
import { getField } from '../util/fieldPath.js';
import { stringify } from '../util/template.js';

/** True while a silence is in force. */
export function isActive(silence: Silence, now: number): boolean {
  return silence.createdAt <= now && now < silence.endsAt;
}

/** The active silence, if any, that covers a finding of an alert (or of every alert, `*`): by key, by a field's value, or all keys. */
export function findSilence(silences: readonly Silence[], alert: string, finding: { key: string; fields: Record<string, unknown> }, now: number): Silence | undefined {
  return silences.find((s) => {
    if ((s.alert !== alert && s.alert !== '*') || !isActive(s, now)) return false;
    if (s.key !== undefined) return s.key === finding.key;
    if (s.match) return stringify(getField(finding.fields, s.match.field)) === s.match.value;
    return true;
  });
}
