/** Thrown while reading one document for what makes it unusable; `path` points at the offending value in that document. */
export class SigmaRuleError extends Error {
  constructor(
    message: string,
    /** The JSON path of the offending value inside its YAML document. */
    readonly path: (string | number)[] = [],
  ) {
    super(message);
    this.name = 'SigmaRuleError';
  }
}
