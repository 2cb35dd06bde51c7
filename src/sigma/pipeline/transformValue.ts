// The value transformations of a pipeline (convert_type, set_value, replace_string, map_string) on one value.
import { SigmaRefused } from '../refused.js';
import type { SigmaValue } from '../types.js';
import type { ItemValue } from './conditions.js';
import type { PipelineItem } from './types.js';
import { parseSigmaString as sigmaString } from '../parse/sigmaString.js';
import { pySigmaText as plainText, scalarValue } from './values.js';

/** The values one value becomes, or undefined when the item leaves it as it is. */
export function transformValue(item: PipelineItem, value: ItemValue): ItemValue[] | undefined {
  const p = item.params;
  switch (item.type) {
    case 'convert_type':
      if (p.target_type === 'str') {
        if (value.type === 'expansion') return [{ ...value, values: value.values.map((v) => (v.type === 'number' ? sigmaString(String(v.value)) : v)) }];
        return value.type === 'number' ? [sigmaString(String(value.value))] : undefined;
      }
      if (value.type !== 'string') return undefined;
      if (!/^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(plainText(value)))
        throw new SigmaRefused(`the value '${plainText(value)}' cannot be converted to a number (pipeline item ${item.id})`);
      return [{ type: 'number', value: Number(plainText(value)) }];
    case 'set_value':
      if (p.force_type === 'str') return [sigmaString(String(p.value))];
      if (p.force_type === 'num') return [{ type: 'number', value: Number(p.value) }];
      return [scalarValue(p.value)];
    case 'replace_string': {
      if (value.type !== 'number' && value.type !== 'string') return undefined;
      const text = value.type === 'number' ? String(value.value) : undefined;
      const re = new RegExp(p.regex as string, 'gu');
      const replacement = jsReplacement(p.replacement as string);
      if (value.type === 'string' && p.skip_special === true)
        return [{ ...value, parts: value.parts.map((part) => (typeof part === 'string' ? part.replace(re, replacement) : part)) }];
      const replaced = (text ?? plainText(value as Extract<SigmaValue, { type: 'string' }>)).replace(re, replacement);
      const result = sigmaString(replaced.replace(/\\(?![*?])/g, '\\\\'));
      return [value.type === 'string' && value.cased ? { ...result, cased: true } : result];
    }
    case 'map_string': {
      if (value.type !== 'string') return undefined;
      const mapping = p.mapping as Record<string, string | string[]>;
      const key = plainText(value);
      if (!Object.hasOwn(mapping, key)) return undefined;
      return ([] as string[]).concat(mapping[key]!).map(sigmaString);
    }
    default:
      return undefined;
  }
}

/** A Python re.sub replacement (`\1`, `\g<1>`, `\g<name>`) written for String.replace (`$1`, `$<name>`). */
function jsReplacement(python: string): string {
  return python.replace(/\$/g, '$$$$').replace(/\\(?:(\d+)|g<(\w+)>|(\\))/g, (_, digit?: string, group?: string, slash?: string) =>
    slash ? '\\' : digit ? `$${digit}` : /^\d+$/.test(group!) ? `$${group}` : `$<${group}>`,
  );
}
