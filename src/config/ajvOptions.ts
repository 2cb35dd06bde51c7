/** The ajv options the schemas are compiled with: strict, every error at once, discriminated unions. */
export const AJV_OPTIONS = { allErrors: true, strict: true, strictRequired: false, discriminator: true, verbose: true } as const;
