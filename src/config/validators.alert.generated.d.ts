// Type of the validator that buildValidators.ts generates into dist/ at build time.
import type { ValidateFunction } from 'ajv';

/** Validates one alert file. */
export declare const alert: ValidateFunction;
