// A Sigma file's YAML documents, each with the line:col of any path inside it (the yaml package, YAML 1.1 as PyYAML
// reads it, so `yes`, octal numbers and dates mean what they mean to pySigma).
import type { Document, Node } from 'yaml';
import { loadPackage } from '../../util/loadPackage.js';

/** One YAML document of a file: its value (undefined when it is unreadable), its syntax problems and a locator. */
export interface YamlDocument {
  value: unknown;
  /** The first line of the document's content (1-based). */
  line: number;
  problems: { line: number; col: number; message: string }[];
  /** The position of the value at `path` (or of its key), or of its nearest existing parent. */
  locate(path: readonly (string | number)[], key?: boolean): { line: number; col: number };
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

/** The most alias expansions a document may make before it is refused as an alias bomb (the yaml package's default). */
const MAX_ALIAS_COUNT = 100;

/** Splits YAML text into its documents; a syntax error makes only its own document unusable. */
export function yamlDocuments(text: string): YamlDocument[] {
  const { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit } = loadPackage<typeof import('yaml')>('yaml');
  const lineCounter = new LineCounter();
  const position = (offset: number | undefined) => lineCounter.linePos(offset ?? 0);
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.1' });
    docs = Array.from(parsed as Document.Parsed[]);
  } catch (error) {
    return [{ value: undefined, line: 1, problems: [{ line: 1, col: 1, message: `cannot be parsed as YAML: ${firstLine((error as Error).message)}` }], locate: () => ({ line: 1, col: 1 }) }];
  }
  return docs.map((doc) => {
    const problems = doc.errors.map((error) => ({ ...position(error.pos[0]), message: firstLine(error.message) }));
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
            ? `its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies, as in a "billion laughs" attack: write the values out instead`
            : `cannot be read as data: ${firstLine((error as Error).message)}`,
        });
      }
    }
    const start = position((doc.contents as Node | null)?.range?.[0] ?? doc.range[0]);
    return {
      value,
      line: start.line,
      problems,
      locate(path, key = false) {
        let node: unknown = doc.contents;
        let keyNode: unknown;
        for (const segment of path) {
          let found: { key?: unknown; value: unknown } | undefined;
          if (isMap(node)) {
            const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
            found = pair ? { key: pair.key, value: pair.value ?? pair.key } : undefined;
          } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) found = { value: node.items[segment] };
          if (!found) break;
          node = found.value;
          keyNode = found.key;
        }
        const target = (key && keyNode ? keyNode : node) as Node | null;
        return position(target?.range?.[0] ?? doc.range[0]);
      },
    };
  });
}

function firstLine(message: string): string {
  if (/call stack/i.test(message)) return 'its values are nested too deeply to read';
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
