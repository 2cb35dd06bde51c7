/** TheHive's severity from a number (1-4) or a name (low, medium, high, critical). */
export function severityLevel(value: unknown): number {
  return typeof value === 'number' ? value : ['low', 'medium', 'high', 'critical'].indexOf(String(value)) + 1 || 2;
}

/** The TLP number of a name or number for a TheHive version: red is 3 on TheHive 4.1 and 4 on TheHive 5 (which adds amber+strict). */
export function tlpLevel(value: unknown, version: 4 | 5): number {
  if (typeof value === 'number') return value;
  const names: Record<string, number> = { clear: 0, white: 0, green: 1, amber: 2, 'amber+strict': 3, red: version === 4 ? 3 : 4 };
  return names[String(value)] ?? 2;
}

/** The PAP number of a name or number (white 0 to red 3). */
export function papLevel(value: unknown): number {
  if (typeof value === 'number') return value;
  const index = ['white', 'green', 'amber', 'red'].indexOf(String(value));
  return index < 0 ? 2 : index;
}
