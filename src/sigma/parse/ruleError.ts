/** Thrown while reading one document for what makes it unusable; `path` points at the offending value in that document. */
export class SigmaRuleError extends Error {
  constructor(
    message: string,
    /** The JSON path of the offending value inside its YAML document. */
    readonly path: (string | number)[] = [],
    /** The fault is in the key at `path` (a modifier chain), not in its value: point at the key. */
    readonly atKey = false,
    /** The character of the (one-line) string value where the fault is, when known. */
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'SigmaRuleError';
  }
}
