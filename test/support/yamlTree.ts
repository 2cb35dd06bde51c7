import fc from 'fast-check';

/** What a generated YAML document is made of: the scalar tokens to mix in, the characters of other words, and whether flow maps appear. */
export interface YamlTreeParts {
  tokens: readonly string[];
  wordChars: readonly string[];
  flowMaps: boolean;
  /** Plain keys to use instead of generated scalars (block mappings only). */
  keys?: readonly string[];
}

/**
 * Generated YAML documents as lists of lines: block maps and lists nested a few levels, flow lists (and flow maps when
 * asked), and scalars plain, single- or double-quoted, taken from the tokens (what a reader may type differently),
 * short words, integers and doubles. For property tests comparing a fast YAML reader with a careful one.
 */
export function yamlTree({ tokens, wordChars, flowMaps, keys }: YamlTreeParts): fc.Arbitrary<string[]> {
  const word = fc.string({ unit: fc.constantFrom(...wordChars), maxLength: 8 });
  const text = fc.oneof(fc.constantFrom(...tokens), word, fc.integer().map(String), fc.double().map(String));
  const quoted = (t: string, style: string) => (style === 'single' ? `'${t.replace(/'/g, "''")}'` : JSON.stringify(t));
  // A quoted scalar folded over lines, as yaml.stringify writes a long message: the break is marked \n plus a digit
  // (how deep the next line goes against its holder, from one less to two more; 9: a blank line between) and placed
  // once the whole line is known (placeFolds).
  const folded = fc.tuple(text, text, fc.constantFrom('single', 'double'), fc.constantFrom('0', '1', '2', '3', '9'), fc.constantFrom('', ' ', ' #c')).map(([a, b, style, depth, after]) => {
    const both = quoted(`${a} ${b}`, style);
    const cut = both.length - quoted(b, style).length + 1;
    return `${both.slice(0, cut).trimEnd()}\n${depth}${both.slice(cut)}${after}`;
  });
  const scalar = fc.oneof({ weight: 6, arbitrary: fc.tuple(text, fc.constantFrom('plain', 'single', 'double')).map(([t, style]) => (style === 'plain' ? t : quoted(t, style))) }, { weight: 1, arbitrary: folded });
  const flow = [fc.array(scalar, { maxLength: 3 }).map((items) => [`[${items.join(', ')}]`])];
  if (flowMaps) flow.push(fc.array(fc.tuple(scalar, scalar), { maxLength: 3 }).map((pairs) => [`{${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`]));
  const { tree } = fc.letrec<{ tree: string[] }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar.map((s) => [s]),
      fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((items) => items.flatMap((lines) => lines.map((l, i) => (i ? '  ' : '- ') + l))),
      fc.array(fc.tuple(keys ? fc.constantFrom(...keys) : scalar, tie('tree')), { minLength: 1, maxLength: 3 }).map((pairs) =>
        pairs.flatMap(([key, lines]: [string, string[]]) => (lines.length === 1 && !/^(- |\S+: |\S+:$)/.test(lines[0]!) ? [`${key}: ${lines[0]}`] : [`${key}:`, ...lines.map((l) => '  ' + l)])),
      ),
      ...flow,
    ),
  }));
  return tree.map((lines) => lines.flatMap(placeFolds));
}

/** Turns each fold mark of a generated line into a line break and the next line's indentation, measured from the line's holder (its first key, or its last dash). */
function placeFolds(line: string): string[] {
  const parts = line.split(/\n(\d)/);
  if (parts.length === 1) return [line];
  const lead = /^((?:\s*- )*)\s*/.exec(parts[0]!)!;
  const holder = lead[0].length === lead[1]!.length && lead[1] ? lead[1].length - 2 : lead[0].length;
  const out = [parts[0]!];
  for (let i = 1; i < parts.length; i += 2) {
    if (parts[i] === '9') out.push('');
    out.push(' '.repeat(Math.max(0, holder + (parts[i] === '9' ? 2 : Number(parts[i]) - 1))) + parts[i + 1]);
  }
  return out;
}
