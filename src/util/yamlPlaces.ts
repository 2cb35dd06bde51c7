// What every reader of YAML files shares: finding the node at a JSON path (for a problem's line:col), the one-line
// text of a parser error, and the limit and message for alias bombs.
import type { Node } from 'yaml';
import { loadPackage } from './loadPackage.js';

/** The most alias expansions a document may make before it is refused as an alias bomb (the yaml package's own default). */
export const MAX_ALIAS_COUNT = 100;

/** The problem of a document whose aliases expand past MAX_ALIAS_COUNT. */
export const ALIAS_BOMB_MESSAGE = `its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies, as in a "billion laughs" attack: write the values out instead`;

/** The node at `path` below `contents` (its key's node when `key` is true), or that of its nearest existing parent. */
export function yamlNodeAt(contents: unknown, path: readonly (string | number)[], key = false): Node | null {
  const { isMap, isPair, isScalar, isSeq } = loadPackage<typeof import('yaml')>('yaml');
  let node: unknown = contents;
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
  return (key && keyNode ? keyNode : node) as Node | null;
}

/** A yaml parser error as one line, without the position the problem already carries. */
export function yamlErrorText(message: string): string {
  if (/call stack/i.test(message)) return 'its values are nested too deeply to read';
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
