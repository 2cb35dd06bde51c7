// A Sigma file's YAML documents, each with the line:col of any path inside it (the yaml package, YAML 1.1 as PyYAML
// reads it, so `yes`, octal numbers and dates mean what they mean to pySigma).
import type { Document, Node } from 'yaml';
import { loadPackage } from '../../util/loadPackage.js';
import { ALIAS_BOMB_MESSAGE, MAX_ALIAS_COUNT, yamlErrorText, yamlNodeAt } from '../../util/yamlPlaces.js';

/** One YAML document of a file: its value (undefined when it is unreadable), its syntax problems and a locator. */
export interface YamlDocument {
  value: unknown;
  /** The first line of the document's content (1-based). */
  line: number;
  problems: { line: number; col: number; message: string }[];
  /**
   * The position of the value at `path` (or of its key), or of its nearest existing parent; `offset` moves it to that
   * character of a string value written on one line.
   */
  locate(path: readonly (string | number)[], key?: boolean, offset?: number): { line: number; col: number };
}

/** PyYAML's YAML 1.1 int and float forms (its resolver's regular expressions): other plain scalars are strings. */
const PYYAML_NUMBER = new RegExp(
  [
    '[-+]?0b[0-1_]+',
    '[-+]?0[0-7_]+',
    '[-+]?(?:0|[1-9][0-9_]*)',
    '[-+]?0x[0-9a-fA-F_]+',
    '[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+',
    '[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?',
    '\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?',
    '[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*',
    '[-+]?\\.(?:inf|Inf|INF)',
    '\\.(?:nan|NaN|NAN)',
  ]
    .map((form) => `(?:${form})`)
    .join('|')
    .replace(/^/, '^(?:')
    .replace(/$/, ')$'),
);

/** PyYAML's YAML 1.1 booleans (`y` and `n` are text to it). */
const PYYAML_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

/** Splits YAML text into its documents; a syntax error makes only its own document unusable. */
export function yamlDocuments(text: string): YamlDocument[] {
  const { isScalar, LineCounter, parseAllDocuments, visit } = loadPackage<typeof import('yaml')>('yaml');
  const lineCounter = new LineCounter();
  const position = (offset: number | undefined) => lineCounter.linePos(offset ?? 0);
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.1' });
    docs = Array.from(parsed as Document.Parsed[]);
  } catch (error) {
    return [{ value: undefined, line: 1, problems: [{ line: 1, col: 1, message: `cannot be parsed as YAML: ${yamlErrorText((error as Error).message)}` }], locate: () => ({ line: 1, col: 1 }) }];
  }
  return docs.map((doc) => {
    const problems = doc.errors.map((error) => ({ ...position(error.pos[0]), message: yamlErrorText(error.message) }));
    let value: unknown;
    if (!problems.length) {
      // The yaml package reads more plain scalars as numbers or booleans than PyYAML does (0429, 1e3, y, n): those
      // stay text, as in pySigma.
      visit(doc, {
        Scalar(_, node) {
          if (node.type !== 'PLAIN' || typeof node.source !== 'string') return;
          if ((typeof node.value === 'number' && !PYYAML_NUMBER.test(node.source)) || (typeof node.value === 'boolean' && !PYYAML_BOOL.test(node.source))) node.value = node.source;
        },
      });
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (error) {
        const bomb = /alias count/i.test(String((error as Error).message));
        problems.push({
          ...position(doc.contents?.range?.[0] ?? doc.range[0]),
          message: bomb
            ? ALIAS_BOMB_MESSAGE
            : `cannot be read as data: ${yamlErrorText((error as Error).message)}`,
        });
      }
    }
    const start = position((doc.contents as Node | null)?.range?.[0] ?? doc.range[0]);
    return {
      value,
      line: start.line,
      problems,
      locate(path, key = false, offset) {
        const target = yamlNodeAt(doc.contents, path, key);
        const start = target?.range?.[0] ?? doc.range[0];
        if (offset !== undefined && !key && isScalar(target) && typeof target.value === 'string' && target.range && !text.slice(target.range[0], target.range[1]).includes('\n')) {
          const quote = target.type === 'QUOTE_SINGLE' || target.type === 'QUOTE_DOUBLE' ? 1 : 0;
          // Only where the written text is the value itself (no escapes before the fault) is the column exact.
          if (text.slice(start + quote, start + quote + offset) === target.value.slice(0, offset)) return position(start + quote + offset);
        }
        return position(start);
      },
    };
  });
}
