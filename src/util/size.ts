const UNIT_BYTES: Record<string, number> = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Parses a size such as `512KB`, `10MB` or `1GB` (powers of 1024) into bytes; throws on anything else. */
export function parseSize(text: string): number {
  const match = /^([1-9][0-9]*)(KB|MB|GB)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a size: write it as 512KB, 10MB or 1GB`);
  return Number(match[1]) * UNIT_BYTES[match[2]!]!;
}
