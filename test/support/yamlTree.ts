import fc from 'fast-check';

/** What a generated YAML document is made of: the scalar tokens to mix in, the characters of other words, and whether flow maps appear. */
export interface YamlTreeParts {
  tokens: readonly string[];
  wordChars: readonly string[];
  flowMaps: boolean;
}

/**
 * Generated YAML documents as lists of lines: block maps and lists nested a few levels, flow lists (and flow maps when
 * asked), and scalars plain, single- or double-quoted, taken from the tokens (what a reader may type differently),
 * short words, integers and doubles. For property tests comparing a fast YAML reader with a careful one.
 */
export function yamlTree({ tokens, wordChars, flowMaps }: YamlTreeParts): fc.Arbitrary<string[]> {
  const word = fc.string({ unit: fc.constantFrom(...wordChars), maxLength: 8 });
  const text = fc.oneof(fc.constantFrom(...tokens), word, fc.integer().map(String), fc.double().map(String));
  const scalar = fc.tuple(text, fc.constantFrom('plain', 'single', 'double')).map(([t, style]) =>
    style === 'plain' ? t : style === 'single' ? `'${t.replace(/'/g, "''")}'` : JSON.stringify(t),
  );
  const flow = [fc.array(scalar, { maxLength: 3 }).map((items) => [`[${items.join(', ')}]`])];
  if (flowMaps) flow.push(fc.array(fc.tuple(scalar, scalar), { maxLength: 3 }).map((pairs) => [`{${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`]));
  const { tree } = fc.letrec<{ tree: string[] }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar.map((s) => [s]),
      fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((items) => items.flatMap((lines) => lines.map((l, i) => (i ? '  ' : '- ') + l))),
      fc.array(fc.tuple(scalar, tie('tree')), { minLength: 1, maxLength: 3 }).map((pairs) =>
        pairs.flatMap(([key, lines]: [string, string[]]) => (lines.length === 1 && !/^(- |\S+: |\S+:$)/.test(lines[0]!) ? [`${key}: ${lines[0]}`] : [`${key}:`, ...lines.map((l) => '  ' + l)])),
      ),
      ...flow,
    ),
  }));
  return tree;
}
