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

/** The parent a key's path names (its nearest ancestor that is not `*` or `[]`), or '' for a top-level key. */
export function parentName(path: string): string {
  const parts = path.split('.').slice(0, -1).filter((part) => part !== '*' && part !== '[]');
  return parts.at(-1) ?? '';
}

/**
 * Where a page documents each key name: the names (lower case) around each mention, for a name several paths share
 * (`timeout`: elasticsearch.timeout, duo.timeout ...). Around a mention are: the page's folders and file name, the
 * words of the headings it is under, the code-span words of its section, the earlier parts of a dotted span
 * (`duo.timeout`), and, in a YAML block, the keys it is nested under (indentation, or a flow mapping's key).
 */
export function documentedPlaces(markdown: string, page: string): Map<string, Set<string>> {
  const places = new Map<string, Set<string>>();
  const words = (text: string) => text.toLowerCase().split(/[^\w-]+/).filter(Boolean);
  const pageWords = page.replace(/\.md$/, '').split('/').flatMap(words);
  const headings: string[][] = [];
  let mentions: { name: string; around: string[] }[] = [];
  let sectionWords: string[] = [];
  const flush = () => {
    const around = [...pageWords, ...headings.flat(), ...sectionWords];
    for (const { name, around: own } of mentions) {
      const set = places.get(name) ?? new Set<string>();
      for (const word of [...around, ...own]) set.add(word);
      places.set(name, set);
    }
    mentions = [];
    sectionWords = [];
  };
  let fence: string | undefined;
  let yamlParents: { indent: number; key: string }[] = [];
  for (const line of markdown.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      else {
        const body = line.replace(/^(\s*)(?:#\s*)?(- )?/, (_, space: string, dash: string | undefined) => space + (dash ? '  ' : ''));
        const indent = /^\s*/.exec(body)![0].length;
        if (body.trim()) yamlParents = yamlParents.filter((p) => p.indent < indent);
        const lead = /^\s*(['"]?)([\w$.-]+)\1:/.exec(body)?.[2];
        const ancestors = yamlParents.map((p) => p.key.toLowerCase());
        for (const m of line.matchAll(/(?:^|[\s{,#(])(['"]?)([\w$.-]+)\1:(?=[\s;,)]|$)/g)) {
          const name = m[2]!;
          mentions.push({ name, around: name === lead ? ancestors : [...ancestors, ...(lead ? [lead.toLowerCase()] : [])] });
        }
        if (lead) yamlParents.push({ indent, key: lead });
      }
      continue;
    }
    if (marker) {
      fence = marker;
      yamlParents = [];
      continue;
    }
    const heading = /^ {0,3}(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      headings.length = heading[1]!.length - 1;
      headings[heading[1]!.length - 1] = words(heading[2]!);
      continue;
    }
    for (const span of line.matchAll(/(`+)(.+?)\1/g)) {
      for (const word of span[2]!.trim().split(/\s+/)) {
        const bare = word.replace(/[:,]$/, '');
        if (!/^[\w$.*[\]-]+$/.test(bare)) continue;
        const parts = bare.split('.').map((part) => part.replace(/\[\]$/, '')).filter(Boolean);
        parts.forEach((part, i) => mentions.push({ name: part, around: parts.slice(0, i).map((p) => p.toLowerCase()) }));
        sectionWords.push(...parts.map((p) => p.toLowerCase()));
      }
    }
  }
  flush();
  return places;
}
