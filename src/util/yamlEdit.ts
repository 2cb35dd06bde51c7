import { isDeepStrictEqual } from 'node:util';
import { loadPackage } from './loadPackage.js';

/**
 * Sets a plain value at a path of keys in a YAML text by editing only the text that changes, so every comment, blank
 * line, flow list and alignment stays as the person wrote it: an existing value is replaced in place, a missing key
 * is added as a line above the first key of its block map (a missing top-level section at the end). Falls back to
 * the yaml package's Document (which keeps comments, not every detail of layout) for shapes this does not edit,
 * and checks that the result reads as the original with only that value set.
 */
export function setYamlValue(text: string, path: readonly string[], value: string): string {
  const yaml = loadPackage<typeof import('yaml')>('yaml');
  const expected = yaml.parseDocument(text);
  // An empty section (`state:` with nothing under it) reads as null: it becomes a map to set the value in.
  for (let depth = 1; depth < path.length; depth++) {
    const prefix = path.slice(0, depth);
    if (expected.hasIn(prefix) && expected.getIn(prefix) == null) expected.setIn(prefix, expected.createNode({}));
  }
  expected.setIn(path, value);
  const edited = editText(yaml, text, path, value);
  if (edited !== undefined && readsAs(yaml, edited, expected.toJS())) return edited;
  return expected.toString();
}

/** Whether a YAML text parses to the value given (false where it does not parse at all). */
function readsAs(yaml: typeof import('yaml'), text: string, value: unknown): boolean {
  try {
    return isDeepStrictEqual(yaml.parse(text), value);
  } catch {
    return false;
  }
}

/** The text with the value set, or undefined where the place is not a plain block map. */
function editText(yaml: typeof import('yaml'), text: string, path: readonly string[], value: string): string | undefined {
  const written = /^[A-Za-z0-9_./-]+$/.test(value) ? value : JSON.stringify(value);
  const document = yaml.parseDocument(text);
  if (document.errors.length) return undefined;
  let node: unknown = document.contents;
  // Only comments or nothing: the section goes at the end.
  if (node === null) return atEnd(text, keyLines('', path, written));
  for (let depth = 0; depth < path.length; depth++) {
    if (!yaml.isMap(node) || node.flow) return undefined;
    const key = path[depth]!;
    const pair = node.items.find((item) => yaml.isScalar(item.key) && String(item.key.value) === key);
    if (!pair) return addLines(text, node, depth === 0, path.slice(depth), written, yaml);
    if (depth < path.length - 1 && yaml.isScalar(pair.value) && pair.value.value === null && pair.value.source === '') return underKey(text, pair.key, path.slice(depth + 1), written, yaml);
    if (depth === path.length - 1) {
      // Only a one-line scalar is replaced in the text: a block scalar's range (`>-`, `|`) runs over line breaks.
      const plain = [yaml.Scalar.PLAIN, yaml.Scalar.QUOTE_DOUBLE, yaml.Scalar.QUOTE_SINGLE] as unknown[];
      if (!yaml.isScalar(pair.value) || !pair.value.range || !plain.includes(pair.value.type)) return undefined;
      const [start, end] = pair.value.range;
      return `${text.slice(0, start)}${written}${text.slice(end)}`;
    }
    node = pair.value;
  }
  return undefined;
}

/** Adds `rest` (keys nested in that order, the last one set to the value) to a block map, at its indentation. */
function addLines(text: string, map: import('yaml').YAMLMap, atRoot: boolean, rest: readonly string[], written: string, yaml: typeof import('yaml')): string | undefined {
  const first = map.items[0]?.key;
  if (!yaml.isScalar(first) || !first.range) return undefined;
  let lineStart = text.lastIndexOf('\n', first.range[0] - 1) + 1;
  const indent = text.slice(lineStart, first.range[0]);
  if (!/^ *$/.test(indent) || rest.some((key) => !/^[A-Za-z0-9_.-]+$/.test(key))) return undefined;
  // Above the comment lines that belong to the first key, not between them and it.
  for (let above = text.lastIndexOf('\n', lineStart - 2) + 1; lineStart > 0 && /^ *#/.test(text.slice(above, lineStart)); above = text.lastIndexOf('\n', above - 2) + 1) lineStart = above;
  const lines = keyLines(indent, rest, written);
  if (atRoot) return atEnd(text, lines);
  return `${text.slice(0, lineStart)}${lines}${text.slice(lineStart)}`;
}

/** The text with `rest` added on the lines under a key that has no value yet (`state:` and nothing under it). */
function underKey(text: string, key: unknown, rest: readonly string[], written: string, yaml: typeof import('yaml')): string | undefined {
  if (!yaml.isScalar(key) || !key.range || rest.some((name) => !/^[A-Za-z0-9_.-]+$/.test(name))) return undefined;
  const lineStart = text.lastIndexOf('\n', key.range[0] - 1) + 1;
  const indent = text.slice(lineStart, key.range[0]);
  if (!/^ *$/.test(indent)) return undefined;
  const lines = keyLines(`${indent}  `, rest, written);
  const lineEnd = text.indexOf('\n', key.range[1]);
  return lineEnd < 0 ? atEnd(text, lines) : `${text.slice(0, lineEnd + 1)}${lines}${text.slice(lineEnd + 1)}`;
}

/** The lines of `keys` nested in that order at `indent`, the last one with the value. */
function keyLines(indent: string, keys: readonly string[], written: string): string {
  return keys.map((key, i) => `${indent}${'  '.repeat(i)}${key}:${i === keys.length - 1 ? ` ${written}` : ''}\n`).join('');
}

/** The text with lines added at its end, on a line of their own. */
function atEnd(text: string, lines: string): string {
  return `${text}${text.endsWith('\n') || !text ? '' : '\n'}${lines}`;
}
