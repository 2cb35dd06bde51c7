import type { Node } from 'yaml';
import type { Problem } from './problems.js';

/** A parsed YAML file that can point back at the line and column of any JSON path. */
export interface YamlFile {
  file: string;
  value: unknown;
  problems: Problem[];
  /** Returns the position of the value at `path` (or of its key, when `key` is true), or of its nearest existing parent. */
  locate(path: readonly (string | number)[], key?: boolean): { line: number; col: number };
}

/** Wraps a value taken from the parse cache; it cannot locate anything, so callers re-parse a file that has problems. */
export function cachedYamlFile(file: string, value: unknown): YamlFile {
  return { file, value, problems: [], locate: () => ({ line: 0, col: 0 }) };
}

/** Parses YAML text (importing the parser only now), collecting syntax errors as problems instead of throwing. */
export async function parseYamlFile(file: string, text: string): Promise<YamlFile> {
  const { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = doc.errors.map((error) => {
    const pos = lineCounter.linePos(error.pos[0]);
    return { file, line: pos.line, col: pos.col, message: firstLine(error.message) };
  });
  const position = (offset: number | undefined) => lineCounter.linePos(offset ?? 0);
  return {
    file,
    value: problems.length ? undefined : doc.toJS({ maxAliasCount: 100 }),
    problems,
    locate(path, key = false) {
      let node: unknown = doc.contents;
      let keyNode: unknown;
      const child = (node: unknown, segment: string | number): { key?: unknown; value: unknown } | undefined => {
        if (isMap(node)) {
          const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
          return pair ? { key: pair.key, value: pair.value ?? pair.key } : undefined;
        }
        if (isSeq(node) && typeof segment === 'number') {
          const item = node.items[segment];
          return item ? { value: item } : undefined;
        }
        return undefined;
      };
      for (const segment of path) {
        const found = child(node, segment);
        if (!found) break;
        node = found.value;
        keyNode = found.key;
      }
      const target = (key && keyNode ? keyNode : node) as Node | null;
      return position(target?.range?.[0]);
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
