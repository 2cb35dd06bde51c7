// Build step (with buildValidators.ts): the `maxDuration` schema keyword, compiled into the standalone validators.
import { _, type Ajv, type KeywordCxt } from 'ajv';
import { parseDuration } from '../util/duration.js';

/**
 * Adds `maxDuration: "<duration>"` to ajv: a duration string whose total is longer fails (other types are left to `type`) with the limit in its
 * params. The check is generated code (no helper to import), so the standalone validators keep no runtime link to it.
 */
export function addDurationKeyword(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'maxDuration',
    schemaType: 'string',
    code(cxt: KeywordCxt) {
      const limit = parseDuration(cxt.schema as string, Number.MAX_SAFE_INTEGER);
      const total = _`(${cxt.data}.match(/\\d+(?:ms|s|m|h|d|w)/g) || []).reduce((t, p) => t + Number(p.replace(/\\D+$/, "")) * ({ ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 })[p.replace(/^\\d+/, "")], 0)`;
      cxt.fail(_`typeof ${cxt.data} == "string" && !(${total} <= ${limit})`);
    },
    error: { message: (cxt) => _`"must be at most " + ${cxt.schemaCode}`, params: (cxt) => _`{limit: ${cxt.schemaCode}}` },
  });
}
