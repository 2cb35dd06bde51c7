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
 * Text the fast reading cannot be sure of: anchors and tags (&a, !t), explicit (?) and collection keys, merges (<<),
 * empty keys (`[:]`, seed 5: null to js-yaml, '' to the yaml package) and a list entry with nothing after its dash (js-yaml can take the next, outer entry into it: property seeds 643665228,
 * 84088804, 1990690555, 96737508).
 */
const UNSURE = /(?:^|[\s[\]{},])[&!]\S|(?:^|[\s[{,])\?(?:\s|$)|[\]}]\s*:(?:\s|$)|<<|(?:^|[ \t])-[ \t]*(?:#.*)?$|(?:^|[\s[{,]):(?:[\s,\]}]|$)/m;

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
  if (UNSURE.test(text)) return undefined;
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
