import type { EscalationTier } from '../model/alert.js';

/**
 * The tier due now for an alert of this age and severity: the highest applicable tier whose age has
 * passed, or the top applicable tier at once when the alert is high-risk. Pure.
 */
export function dueTier(tiers: readonly EscalationTier[], ageMs: number, severity: number | undefined, highRisk: boolean): number | undefined {
  let due: number | undefined;
  tiers.forEach((tier, i) => {
    const applies = !tier.severity || (severity !== undefined && tier.severity.includes(severity));
    if (applies && (highRisk || ageMs >= tier.after)) due = i;
  });
  return due;
}

/** Whether a text mentions any of the high-risk words, in any case. */
export function isHighRisk(words: readonly string[], texts: readonly unknown[]): boolean {
  if (!words.length) return false;
  const haystack = texts.map((t) => (Array.isArray(t) ? t.join(' ') : String(t ?? ''))).join('\n').toLowerCase();
  return words.some((word) => haystack.includes(word.toLowerCase()));
}
