// The fast reading of a Sigma file's YAML (js-yaml, about six times quicker than the yaml package) with a schema that
// gives every plain scalar the value yamlDocuments' careful reading gives it; anything it cannot read exactly so
// (a syntax error, a duplicate key, an anchor, a tag, a merge key, a complex key) is left to the careful reading.
import type * as JsYaml from 'js-yaml';
import { loadPackage } from '../../util/loadPackage.js';
import { plainScalar } from './pyyamlScalars.js';

/** A value js-yaml must not turn into a map key itself: null, a date, or text the yaml package reads otherwise. */
class Held {
  constructor(readonly value: unknown) {}
  get [Symbol.toStringTag]() {
    return 'Held';
  }
  toString(): string {
    throw new NotFast();
  }
}

/** Thrown where only the careful reading gives the right answer. */
class NotFast extends Error {}

/**
 * Text the fast reading cannot be sure of: anchors and tags (&a, !t), explicit keys (?), merges (<<),
 * empty keys (`[:]`, seed 5: null to js-yaml, '' to the yaml package) and a list entry with nothing after its dash (js-yaml can take the next, outer entry into it: property seeds 643665228,
 * 84088804, 1990690555, 96737508).
 */
const UNSURE = /(?:^|[\s[\]{},])[&!]\S|(?:^|[\s[{,])\?(?:\s|$)|<<|(?:^|[ \t])-[ \t]*(?:#.*)?$|(?:^|[\s[{,]):(?:[\s,\]}[{]|$)/m;

/**
 * Whether a flow collection may be a key: one closed right before `: `, or one with no value inside a flow mapping (`{ {a} }`, `{ x, [b] }`: the yaml package
 * makes the key '{ a }' or '[ b ]', js-yaml '[object Object]' or 'b'; property seed 1304750694). A rough scan that
 * skips comments and one-line quoted scalars, and says yes when unsure (a quote left open at the end of its line), or
 * with `oneLine` for any flow collection over several lines.
 */
function flowCollectionKey(text: string, oneLine = false): boolean {
  if (!oneLine && !/[{[]/.test(text)) return false;
  const open: string[] = [];
  // The last character that is not blank (a line break counts outside flow collections, where a new token starts).
  let last = '\n';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const before = text[i - 1] ?? '\n';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      // The yaml package wants a flow collection's next lines indented more than its parent; js-yaml does not.
      if (c === '\n' && oneLine && open.length) return true;
      if (c === '\n' && !open.length) last = '\n';
      continue;
    }
    if (c === '#' && /\s/.test(before)) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    // A quote opens a quoted scalar only where a token starts; elsewhere it is part of a plain one.
    if ((c === "'" || c === '"') && /[\s[{,]/.test(before) && '\n{[,:-?'.includes(last)) {
      const end = quotedEnd(text, i, open.length > 0);
      if (end === undefined) return true;
      i = end;
      last = c;
      continue;
    }
    if ('{[]}'.includes(c) && !open.length && !('{['.includes(c) && /[\s[{,]/.test(before) && '\n{[,:-?'.includes(last))) {
      // Outside flow collections, a bracket where no token starts is part of a plain scalar (`from {{key}}`).
      last = '.';
      continue;
    }
    if (c === '{' || c === '[') {
      if (open.at(-1) === '{' && (last === '{' || last === ',')) return true;
      open.push(c);
    } else if (c === '}' || c === ']') {
      open.pop();
      // A flow collection as a key (`[a]: b`), which the two readers read differently.
      if (/^\s*:/.test(text.slice(i + 1, i + 64))) return true;
    }
    last = c;
  }
  return false;
}

/**
 * Where the quoted scalar opening at `start` closes, or undefined when unsure. It may go on over lines (as
 * `yaml.stringify` folds a long `message:`) only in block context, when every further line is indented deeper than
 * the node that holds the scalar (its key, or the dash of its list entry), is not blank, has no tab or escaped line
 * break, and nothing but a comment follows the closing quote (not a key).
 */
function quotedEnd(text: string, start: number, inFlow: boolean): number | undefined {
  const quote = text[start]!;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let j = start + 1;
  let multiLine = false;
  for (; j < text.length; j++) {
    if (text[j] === quote) {
      // '' is a quote inside a single-quoted scalar.
      if (quote === "'" && text[j + 1] === "'") j++;
      else break;
    } else if (quote === '"' && text[j] === '\\') {
      if (text[j + 1] === '\n' || text[j + 1] === '\r') return undefined;
      j++;
    } else if (text[j] === '\r') return undefined;
    else if (text[j] === '\n') {
      if (inFlow) return undefined;
      multiLine = true;
      let k = j + 1;
      while (text[k] === ' ') k++;
      if (k - j - 1 <= holderColumn(text, lineStart, start) || k >= text.length || text[k] === '\t' || text[k] === '\n' || text[k] === '\r') return undefined;
      j = k - 1;
    }
  }
  if (j >= text.length) return undefined;
  if (multiLine && !/^[ \t]*(?:#[^\n]*)?(?:\n|$)/.test(text.slice(j + 1, j + 200))) return undefined;
  return j;
}

/** The column of the node a scalar starting at `start` belongs to: the last list dash right before it, else its line's first key. */
function holderColumn(text: string, lineStart: number, start: number): number {
  let k = lineStart;
  let dash = -1;
  for (;;) {
    while (text[k] === ' ') k++;
    if (text[k] === '-' && text[k + 1] === ' ') {
      dash = k;
      k += 2;
    } else break;
  }
  return (k === start && dash >= 0 ? dash : k) - lineStart;
}

/**
 * Whether only the careful reading can say what a text holds: an UNSURE construct, or where the yaml package finds a
 * problem and js-yaml none (so that whether a file is valid never depends on the reader): a directive (`%YAML 1.2`
 * also changes how scalars read), a key or line over 1,024 characters, the bare tag `!`, a comment right after a
 * closing quote (`"e"#f`), a quoted scalar over several lines that is not plainly indented (quotedEnd), a flow
 * collection over several lines, a flow collection as a key.
 */
function onlyCareful(text: string): boolean {
  return UNSURE.test(text) || /^%|(?:^|[\s[\]{},])!(?:\s|$)|["'\]}]#/m.test(text) || longLine(text) || flowCollectionKey(text, true);
}

/** Whether a line is longer than 1,024 characters (a scan, not a regular expression: that one costs a pass per line per character). */
function longLine(text: string): boolean {
  if (text.length <= 1024) return false;
  for (let start = 0; start <= text.length; ) {
    const end = text.indexOf('\n', start);
    if ((end < 0 ? text.length : end) - start > 1024) return true;
    if (end < 0) return false;
    start = end + 1;
  }
  return false;
}

let schema: JsYaml.Schema | undefined;

function pyyamlSchema(jsyaml: typeof JsYaml): JsYaml.Schema {
  const plain = new jsyaml.Type('tag:yaml.org,2002:pyyaml-plain', {
    kind: 'scalar',
    resolve: (data: unknown) => typeof data === 'string' && plainScalar(data) !== undefined,
    construct(data: string) {
      const read = plainScalar(data)!;
      if ('text' in read) return new Held(data);
      return read.value === null || read.value instanceof Date ? new Held(read.value) : read.value;
    },
  });
  return jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [plain] });
}

/** How a plain scalar reads when it is not text (undefined: it is text, as js-yaml's failsafe reading leaves it). */
export type PlainReader = (data: string) => { value: unknown } | undefined;

const schemas = new Map<PlainReader, JsYaml.Schema>();

/** A failsafe schema whose plain scalars `read` turns into values, each held so that none becomes a map key. */
function readerSchema(jsyaml: typeof JsYaml, read: PlainReader): JsYaml.Schema {
  // js-yaml constructs a scalar right after resolving it: the reading is kept for that, not made twice.
  let last: { data: string; read: { value: unknown } } | undefined;
  const plain = new jsyaml.Type('tag:yaml.org,2002:reader-plain', {
    kind: 'scalar',
    resolve(data: unknown) {
      const value = typeof data === 'string' ? read(data) : undefined;
      last = value && { data: data as string, read: value };
      return value !== undefined;
    },
    construct: (data: string) => new Held((last?.data === data ? last.read : read(data)!).value),
  });
  return jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [plain] });
}

/**
 * The value of a one-document YAML text read by js-yaml with plain scalars read by `read` (the yaml package's YAML
 * 1.2 reading for the config files); undefined when only a careful reading can say: an UNSURE construct, a directive,
 * an error, several documents, an empty one, or a key that is not text.
 */
export function fastYamlValue(text: string, read: PlainReader): { value: unknown } | undefined {
  if (onlyCareful(text)) return undefined;
  const jsyaml = loadPackage<typeof JsYaml>('js-yaml');
  let readerFor = schemas.get(read);
  if (!readerFor) schemas.set(read, (readerFor = readerSchema(jsyaml, read)));
  try {
    const value = jsyaml.load(text, { schema: readerFor });
    if (value === null || value === undefined || value instanceof Held) return undefined;
    return { value: unhold(value) };
  } catch {
    return undefined;
  }
}

/** Replaces every Held in a freshly read tree by its value. */
function unhold(node: unknown): unknown {
  if (node instanceof Held) return node.value;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = unhold(node[i]);
  } else if (typeof node === 'object' && node !== null) {
    const map = node as Record<string, unknown>;
    for (const key of Object.keys(map)) {
      const value = map[key];
      if (value instanceof Held) Object.defineProperty(map, key, { value: value.value, writable: true, enumerable: true, configurable: true });
      else unhold(value);
    }
  }
  return node;
}

/**
 * The values of the YAML documents in `text`, each with the first line of its content, read the way yamlDocuments
 * reads them; undefined when only the careful reading can say (any problem included).
 */
export function fastYamlDocuments(text: string): { value: unknown; line: number }[] | undefined {
  if (onlyCareful(text)) return undefined;
  const jsyaml = loadPackage<typeof JsYaml>('js-yaml');
  schema ??= pyyamlSchema(jsyaml);
  const lines: number[] = [];
  let values: unknown[];
  try {
    values = jsyaml.loadAll(text, undefined, {
      schema,
      listener(event, state) {
        // The root node of each document opens at depth 1, where its content begins.
        if (event === 'open' && (state as unknown as { depth: number }).depth === 1) lines.push((state as unknown as { line: number }).line + 1);
      },
    });
  } catch {
    return undefined;
  }
  // An empty document: js-yaml and the yaml package count them differently (a comment-only text, seed 2).
  if (!values.length || lines.length !== values.length || values.includes(null)) return undefined;
  return values.map((value, i) => ({ value: unhold(value), line: lines[i]! }));
}
