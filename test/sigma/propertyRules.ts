// Random Sigma detections for the property tests (modifiers x case x wildcards x escapes x lists/all/not/1 of), the
// Sigma YAML text a user would write for them, and documents built from their values so that many of them match.
import fc from 'fast-check';
import type { EvalDetection, EvalItem, EvalRule, RawValue } from '../support/sigmaEvaluate.js';

/** String fields of the generated documents (keyword-mapped), the numeric field and the field that is sometimes absent. */
export const STRING_FIELDS = ['s1', 's2', 's3'] as const;
export const NUMBER_FIELD = 'n';
export const OPTIONAL_FIELD = 'opt';
/** An `ip`-typed field (cidr needs one: a keyword holds no network). */
export const IP_FIELD = 'addr';
const NETWORKS = ['10.0.0.0/8', '10.1.0.0/16', '192.168.1.0/24', '192.168.1.128/25', '172.16.0.0/12', '10.1.2.3/32', 'fe80::/10', '2001:db8::/32', '2001:db8:1::/48'];
const ADDRESSES = ['10.1.2.3', '10.2.0.1', '192.168.1.5', '192.168.1.200', '172.20.1.1', '172.32.0.1', '8.8.8.8', 'fe80::1', 'fec0::1', '2001:db8:1::5', '2001:db8:2::5', '2001:db9::1'];

/** One character of a Sigma value: literal text (any case), or a wildcard. */
type Token = { lit: string } | { wild: '*' | '?' };

const LETTERS = ['a', 'B', 'c', 'D', 'x', 'é', 'É', '0', '1'];
const PUNCT = ['-', '/', ' ', '.', '\\', '*', '?', ':', '"', "'", '\n', '\u2013'];
const litChar = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...LETTERS) }, { weight: 3, arbitrary: fc.constantFrom(...PUNCT) });
const token: fc.Arbitrary<Token> = fc.oneof({ weight: 8, arbitrary: litChar.map((lit) => ({ lit })) }, { weight: 2, arbitrary: fc.constantFrom<Token>({ wild: '*' }, { wild: '?' }) });

/** A Sigma string value as tokens, and how each literal backslash is written (`\\`, or bare when that is unambiguous). */
interface ValueSpec {
  tokens: Token[];
  bareBackslash: boolean;
}

const stringValue = fc.record({ tokens: fc.array(token, { minLength: 0, maxLength: 6 }), bareBackslash: fc.boolean() });
const plainValue = fc.record({ tokens: fc.array(litChar.filter((c) => c !== '*' && c !== '?' && c !== '\\' && c !== '\n' && !/[^\x20-\x7e]/.test(c)).map((lit) => ({ lit })), { minLength: 1, maxLength: 5 }), bareBackslash: fc.constant(false) });

/** The Sigma text of a value: literal `*`, `?` escaped with a backslash, a literal backslash doubled (or bare when safe). */
export function sigmaText(value: ValueSpec): string {
  let out = '';
  value.tokens.forEach((t, i) => {
    if ('wild' in t) out += t.wild;
    else if (t.lit === '*' || t.lit === '?') out += '\\' + t.lit;
    else if (t.lit === '\\') {
      const next = value.tokens[i + 1];
      const safe = value.bareBackslash && next !== undefined && 'lit' in next && !'*?\\'.includes(next.lit);
      out += safe ? '\\' : '\\\\';
    } else out += t.lit;
  });
  return out;
}

/** A regular expression from a small, portable vocabulary (JS, PCRE and Lucene agree on it once translated). */
const regexValue = fc
  .array(
    fc.oneof(
      fc.constantFrom('a', 'B', 'c', 'x', '0', ' ', '-'),
      fc.constantFrom('\\.', '\\\\', '\\/', '.', '.*', '[a-c]', '[0-9]+', 'x?', '(a|B)', 'c+', '\\d', '\\s', '\\w'),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .chain((pieces) => fc.record({ start: fc.boolean(), end: fc.boolean() }).map(({ start, end }) => `${start ? '^' : ''}${pieces.join('')}${end ? '$' : ''}`));

const STRING_CHAINS: string[][] = [
  [],
  ['contains'],
  ['startswith'],
  ['endswith'],
  ['contains', 'all'],
  ['cased'],
  ['contains', 'cased'],
  ['windash'],
  ['contains', 'windash'],
];
const ENCODING_CHAINS: string[][] = [['base64'], ['base64', 'contains'], ['base64offset', 'contains'], ['wide', 'base64offset', 'contains'], ['utf16le', 'base64', 'contains']];

const stringItem: fc.Arbitrary<EvalItem & { specs: ValueSpec[] }> = fc
  .record({ field: fc.constantFrom(...STRING_FIELDS), modifiers: fc.constantFrom(...STRING_CHAINS), specs: fc.array(stringValue, { minLength: 1, maxLength: 3 }) })
  .map(({ field, modifiers, specs }) => ({ field, modifiers, specs, values: specs.map(sigmaText) }));

const encodedItem: fc.Arbitrary<EvalItem & { specs: ValueSpec[] }> = fc
  .record({ field: fc.constantFrom(...STRING_FIELDS), modifiers: fc.constantFrom(...ENCODING_CHAINS), specs: fc.array(plainValue, { minLength: 1, maxLength: 2 }) })
  .map(({ field, modifiers, specs }) => ({ field, modifiers, specs, values: specs.map(sigmaText) }));

const regexItem: fc.Arbitrary<EvalItem> = fc
  .record({ field: fc.constantFrom(...STRING_FIELDS), flags: fc.subarray(['i', 'm', 's']), pattern: regexValue })
  .map(({ field, flags, pattern }) => ({ field, modifiers: ['re', ...flags], values: [pattern] }));

const numberItem: fc.Arbitrary<EvalItem> = fc.oneof(
  fc.array(fc.integer({ min: -3, max: 12 }), { minLength: 1, maxLength: 3 }).map((values) => ({ field: NUMBER_FIELD, modifiers: [], values })),
  fc.record({ op: fc.constantFrom('gt', 'gte', 'lt', 'lte'), value: fc.integer({ min: -3, max: 12 }) }).map(({ op, value }) => ({ field: NUMBER_FIELD, modifiers: [op], values: [value] })),
);

const presenceItem: fc.Arbitrary<EvalItem> = fc.oneof(
  fc.constant<EvalItem>({ field: OPTIONAL_FIELD, modifiers: [], values: [null] }),
  fc.boolean().map((b): EvalItem => ({ field: OPTIONAL_FIELD, modifiers: ['exists'], values: [b] })),
);

const cidrItem: fc.Arbitrary<EvalItem> = fc.subarray(NETWORKS, { minLength: 1, maxLength: 2 }).map((values) => ({ field: IP_FIELD, modifiers: ['cidr'], values }));

const item: fc.Arbitrary<EvalItem> = fc.oneof({ weight: 8, arbitrary: stringItem }, { weight: 2, arbitrary: encodedItem }, { weight: 2, arbitrary: regexItem }, { weight: 2, arbitrary: numberItem }, { weight: 1, arbitrary: presenceItem }, { weight: 1, arbitrary: cidrItem });

/** A map's items, each field at most once per map (as YAML keys must be unique). */
const itemMap = fc.uniqueArray(item, { minLength: 1, maxLength: 3, selector: (i) => `${i.field}|${i.modifiers.join('|')}` });

const detection: fc.Arbitrary<EvalDetection> = fc.oneof(
  { weight: 6, arbitrary: itemMap.map((items): EvalDetection => ({ kind: 'map', items })) },
  { weight: 2, arbitrary: fc.array(itemMap, { minLength: 2, maxLength: 3 }).map((maps): EvalDetection => ({ kind: 'maps', maps })) },
  { weight: 1, arbitrary: fc.array(plainValue.map(sigmaText), { minLength: 1, maxLength: 2 }).map((values): EvalDetection => ({ kind: 'keywords', values })) },
);

/** A condition over the detection names: and/or/not/parentheses, `1 of`/`all of` a glob, `1 of them`. */
function conditionOver(names: string[]): fc.Arbitrary<string> {
  const leaf = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: fc.constantFrom('1 of sel*', 'all of sel*', '1 of them', 'all of them') },
  );
  const tree = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.tuple(tie('expr'), fc.constantFrom('and', 'or'), tie('expr')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      tie('expr').map((a) => `not ${a}`),
    ),
  }));
  return tree.expr.map((expr) => expr.replace(/^\((.*)\)$/, '$1'));
}

/** A random rule: 1 to 4 detections (one sometimes `_`-prefixed, which `them` leaves out) and a condition over them. */
export const randomRule: fc.Arbitrary<EvalRule> = fc
  .array(detection, { minLength: 1, maxLength: 4 })
  .chain((detections) => {
    const names = detections.map((_, i) => (i === 3 ? '_filter' : `sel${i + 1}`));
    return conditionOver(names).map((condition): EvalRule => ({ detections: Object.fromEntries(names.map((n, i) => [n, detections[i] as EvalDetection])), condition }));
  });

/** The Sigma YAML text of a rule (values written as YAML double-quoted strings, which keep backslashes as they are). */
export function ruleYaml(rule: EvalRule, id: string): string {
  const scalar = (v: RawValue): string => (typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : String(v));
  const itemLines = (items: EvalItem[], indent: string, first: string): string[] =>
    items.map((it, i) => {
      const key = [it.field, ...it.modifiers].join('|');
      const head = `${i === 0 ? first : indent}${key}:`;
      return it.values.length === 1 ? `${head} ${scalar(it.values[0] ?? null)}` : `${head}\n${it.values.map((v) => `${indent}  - ${scalar(v)}`).join('\n')}`;
    });
  const lines = [`title: property rule ${id}`, `id: ${id}`, 'status: test', 'logsource:', '  product: test', 'detection:'];
  for (const [name, d] of Object.entries(rule.detections)) {
    lines.push(`  ${name}:`);
    if (d.kind === 'map') lines.push(...itemLines(d.items, '    ', '    '));
    else if (d.kind === 'maps') for (const items of d.maps) lines.push(...itemLines(items, '      ', '    - '));
    else lines.push(...d.values.map((v) => `    - ${scalar(v)}`));
  }
  lines.push(`  condition: ${rule.condition}`, 'level: low', '');
  return lines.join('\n');
}

/** Texts that a rule's string values could match: wildcards filled, case flipped, dashes swapped, encoded, cut. */
export function candidateTexts(rule: EvalRule): string[] {
  const out: string[] = [];
  const items = Object.values(rule.detections).flatMap((d) => (d.kind === 'map' ? d.items : d.kind === 'maps' ? d.maps.flat() : d.values.map((v) => ({ field: '', modifiers: [], values: [v] }))));
  for (const it of items) {
    for (const v of it.values) {
      if (typeof v !== 'string' || it.modifiers.includes('re')) continue;
      const literal = v.replace(/\\([*?\\])/g, '$1');
      const filled = v.replace(/\\([*?\\])|\*|\?/g, (m, esc: string | undefined) => esc ?? (m === '*' ? 'xé' : 'B'));
      out.push(literal, filled, flipCase(filled), `a ${filled} c`, filled.replace(/-/g, '/'), filled.replace(/-/g, '\u2013'), filled.slice(1));
      if (it.modifiers.some((m) => m.startsWith('base64'))) {
        const text = it.modifiers.includes('wide') || it.modifiers.includes('utf16le') ? [...literal].map((c) => c + '\u0000').join('') : literal;
        for (const pad of ['', ' ', '  ']) out.push(Buffer.from(`${pad}${text} tail`, 'utf8').toString('base64'), flipCase(Buffer.from(pad + text, 'utf8').toString('base64')));
      }
    }
  }
  return out;
}

function flipCase(text: string): string {
  return [...text].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');
}

/** Documents for a batch of rules: each field drawn from the rules' candidate texts or random text; s3 sometimes an array; n, opt, addr sometimes absent. */
export function documentsFor(rules: EvalRule[], count: number, seed: number): Record<string, unknown>[] {
  const pool = rules.flatMap(candidateTexts);
  let state = seed >>> 0 || 1;
  const rand = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const random = (): string => Array.from({ length: rand(6) }, () => [...LETTERS, ...PUNCT][rand(LETTERS.length + PUNCT.length)]).join('');
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const doc: Record<string, unknown> = { i };
    for (const f of STRING_FIELDS) doc[f] = pool.length && rand(4) ? pool[rand(pool.length)] : random();
    // A multi-valued field (Sigma: it matches when any of its values does): s3 is sometimes an array, now and then empty.
    if (!rand(4)) doc.s3 = Array.from({ length: rand(3) }, () => (pool.length && rand(4) ? pool[rand(pool.length)] : random()));
    if (rand(5)) doc[NUMBER_FIELD] = rand(16) - 3;
    if (rand(2)) doc[OPTIONAL_FIELD] = random() || 'x';
    if (rand(4)) doc[IP_FIELD] = ADDRESSES[rand(ADDRESSES.length)];
    docs.push(doc);
  }
  return docs;
}
