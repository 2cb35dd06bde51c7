// Type of the validator that buildValidators.ts generates into dist/ at build time.
import type { ValidateFunction } from 'ajv';

/** Validates alertcron.yaml. */
export declare const alertcron: ValidateFunction;
