// Every key a JSON Schema accepts, with where it is: for the check that each configuration key is documented.

/** A key the schema accepts: its path in the file (`channels.*.token_file`; `*` any name, `[]` a list's item) and its place in the schema. */
export interface SchemaKey {
  name: string;
  path: string;
  /** JSON pointer of the key's schema in the schema file. */
  pointer: string;
}

type Schema = Record<string, unknown>;

/**
 * Walks a schema (draft-07 as the built schemas are: properties, $ref to #/definitions, allOf/anyOf/oneOf,
 * if/then/else, additionalProperties, patternProperties, items) and returns every key it accepts at every path, once
 * per path.
 */
export function schemaKeys(root: Schema): SchemaKey[] {
  const found = new Map<string, SchemaKey>();
  const walk = (schema: unknown, pointer: string, path: string[], refs: readonly string[]): void => {
    if (!schema || typeof schema !== 'object') return;
    const s = schema as Schema;
    if (typeof s.$ref === 'string') {
      if (!s.$ref.startsWith('#/') || refs.includes(s.$ref)) return;
      const target = s.$ref.slice(2).split('/').reduce<unknown>((node, part) => (node as Schema | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], root);
      walk(target, s.$ref.slice(1), path, [...refs, s.$ref]);
    }
    for (const [name, child] of Object.entries((s.properties as Schema | undefined) ?? {})) {
      const at = [...path, name];
      const key = at.join('.');
      if (!found.has(key)) found.set(key, { name, path: key, pointer: `${pointer}/properties/${name.replace(/~/g, '~0').replace(/\//g, '~1')}` });
      walk(child, `${pointer}/properties/${name}`, at, refs);
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${pointer}/additionalProperties`, [...path, '*'], refs);
    for (const [pattern, child] of Object.entries((s.patternProperties as Schema | undefined) ?? {})) walk(child, `${pointer}/patternProperties/${pattern}`, [...path, '*'], refs);
    const items = s.items;
    if (Array.isArray(items)) items.forEach((item, i) => walk(item, `${pointer}/items/${i}`, [...path, '[]'], refs));
    else walk(items, `${pointer}/items`, [...path, '[]'], refs);
    for (const combinator of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = s[combinator];
      if (Array.isArray(list)) list.forEach((item, i) => walk(item, `${pointer}/${combinator}/${i}`, path, refs));
    }
    for (const branch of ['if', 'then', 'else'] as const) walk(s[branch], `${pointer}/${branch}`, path, refs);
  };
  walk(root, '', [], []);
  return [...found.values()];
}

/**
 * The key names a markdown page documents: words of its code spans (`key`, `key: value`, `section.key`), and the
 * keys of the YAML in its code blocks (`key:` at a line's start, after a list's dash, in a flow mapping or a comment).
 */
export function documentedNames(markdown: string): Set<string> {
  const names = new Set<string>();
  const addWords = (text: string) => {
    for (const word of text.split(/\s+/)) {
      const bare = word.replace(/[:,]$/, '');
      if (/^[\w$.*[\]-]+$/.test(bare)) for (const part of bare.split('.')) if (part) names.add(part.replace(/\[\]$/, ''));
    }
  };
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      else {
        // A key at the line's start (after a list's dash), in a flow mapping, or in a comment (an optional key shown).
        for (const m of line.matchAll(/(?:^|[\s{,#(])(['"]?)([\w$.-]+)\1:(?=[\s;,)]|$)/g)) names.add(m[2]!);
      }
      continue;
    }
    if (marker) {
      fence = marker;
      continue;
    }
    for (const span of line.matchAll(/(`+)(.+?)\1/g)) addWords(span[2]!.trim());
  }
  return names;
}
