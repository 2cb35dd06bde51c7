// A Sigma file's YAML documents, each with the line:col of any path inside it (YAML 1.1 as PyYAML reads it, so `yes`,
// octal numbers and dates mean what they mean to pySigma): js-yaml reads it fast, the yaml package where it must.
import type { Document, Node } from 'yaml';
import { loadPackage } from '../../util/loadPackage.js';
import { ALIAS_BOMB_MESSAGE, MAX_ALIAS_COUNT, yamlErrorText, yamlNodeAt } from '../../util/yamlPlaces.js';
import { fastYamlDocuments } from './fastYaml.js';
import { inexactInteger, PYYAML_BOOL, PYYAML_NUMBER } from './pyyamlScalars.js';

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

/**
 * Splits YAML text into its documents; a syntax error makes only its own document unusable. The values come from the
 * fast reading (js-yaml) when it can read the file exactly; the yaml package reads it when it cannot, and when a
 * position is asked for (`locate`), so every problem keeps its line:col.
 */
export function yamlDocuments(text: string): YamlDocument[] {
  const fast = fastYamlDocuments(text);
  if (!fast) return carefulYamlDocuments(text);
  let careful: YamlDocument[] | undefined;
  return fast.map(({ value, line }, i) => ({
    value,
    line,
    problems: [],
    locate(path, key, offset) {
      careful ??= carefulYamlDocuments(text);
      return careful[i]?.locate(path, key, offset) ?? { line, col: 1 };
    },
  }));
}

/** The yaml package's reading of every document, with its problems and a locator over its syntax tree. */
export function carefulYamlDocuments(text: string): YamlDocument[] {
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
          // An integer a number would round is kept exact, as the fast reading keeps it.
          else if (typeof node.value === 'number') node.value = inexactInteger(node.source) ?? node.value;
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
