import type { Problem } from './problems.js';
import { loadPackage } from '../util/loadPackage.js';
import { fastYamlValue } from '../sigma/parse/fastYaml.js';
import { coreScalar } from './coreScalars.js';
import { simpleYamlValue } from './simpleYaml.js';
import { ALIAS_BOMB_MESSAGE, MAX_ALIAS_COUNT, yamlErrorText, yamlNodeAt } from '../util/yamlPlaces.js';

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

/** Whether parseYamlFile reads `text` a fast way (line by line, or js-yaml), for tests. */
export function readsFast(text: string): boolean {
  return simpleYamlValue(text) !== undefined || fastYamlValue(text, coreScalar) !== undefined;
}

/** Whether parseYamlFile reads `text` the quickest way (line by line, no YAML library), for tests. */
export function readsSimply(text: string): boolean {
  return simpleYamlValue(text) !== undefined;
}

/**
 * Parses YAML text (importing the parser only now), collecting syntax errors as problems instead of throwing. A file
 * of simple block mappings and lists is read line by line (simpleYaml.ts, no library), another that js-yaml reads
 * exactly as the yaml package does by js-yaml (several times quicker); the yaml package then parses it only if
 * something asks where a value is.
 */
export async function parseYamlFile(file: string, text: string): Promise<YamlFile> {
  const fast = simpleYamlValue(text) ?? fastYamlValue(text, coreScalar);
  if (!fast) return carefulYamlFile(file, text);
  let careful: YamlFile | undefined;
  return { file, value: fast.value, problems: [], locate: (path, key) => (careful ??= carefulYamlFile(file, text)).locate(path, key) };
}

/** Parses YAML text with the yaml package alone, which places every value and every problem. */
export function carefulYamlFile(file: string, text: string): YamlFile {
  const { LineCounter, parseDocument, visit } = loadPackage<typeof import('yaml')>('yaml');
  const lineCounter = new LineCounter();
  const position = (offset: number | undefined) => lineCounter.linePos(offset ?? 0);
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    // The parser itself gave up (e.g. nesting too deep for the stack): the file is unusable, the run goes on.
    return { file, value: undefined, problems: [{ file, message: `cannot be parsed as YAML: ${yamlErrorText(String((error as Error).message))}` }], locate: () => ({ line: 0, col: 0 }) };
  }
  const problems: Problem[] = doc.errors.map((error) => {
    const pos = lineCounter.linePos(error.pos[0]);
    return { file, line: pos.line, col: pos.col, message: yamlErrorText(error.message) };
  });
  let value: unknown;
  if (!problems.length) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      let alias: number | undefined;
      visit(doc, { Alias: (_, node) => ((alias = node.range?.[0]), visit.BREAK) });
      const { line, col } = position(alias);
      const bomb = /alias count/i.test(String((error as Error).message));
      const message = bomb
        ? ALIAS_BOMB_MESSAGE
        : `cannot be read as data: ${yamlErrorText(String((error as Error).message))}`;
      problems.push({ file, line, col, message });
    }
  }
  return {
    file,
    value,
    problems,
    locate(path, key = false) {
      return position(yamlNodeAt(doc.contents, path, key)?.range?.[0]);
    },
  };
}
