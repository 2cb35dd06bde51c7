const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** The pattern a duration string must match; the JSON Schemas use the same one. */
export const DURATION_PATTERN = '^(\\d+(ms|s|m|h|d|w))+$';

/** Parses a duration such as `90s`, `30m`, `1h30m` or `7d` into milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!new RegExp(DURATION_PATTERN).test(trimmed)) {
    throw new Error(`"${text}" is not a duration: write it as 30s, 5m, 1h30m, 7d`);
  }
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) {
    total += Number(amount) * (UNIT_MS[unit!] ?? 0);
  }
  return total;
}

/** Formats milliseconds as a short human duration (`1h30m`, `45s`). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || `${ms}ms`;
}
