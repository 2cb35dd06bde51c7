/** Thrown where a rule uses what a search cannot express (fieldref, an unresolved placeholder, a regex feature): the reason is for the user. */
export class SigmaRefused extends Error {
  constructor(
    message: string,
    /** Where in the rule's YAML document the refused part is, when known. */
    readonly path: (string | number)[] = [],
  ) {
    super(message);
    this.name = 'SigmaRefused';
  }
}
