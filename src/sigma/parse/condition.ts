// The `condition:` grammar of a Sigma rule (`and`, `or`, `not`, parentheses, `1 of x*`, `all of them`) and its
// resolution against the rule's detections, shaped as pySigma's parser shapes it: `not` binds tighter than `and`,
// `and` tighter than `or`; a run of one operator is one node; parentheses nest without flattening.
import { SigmaRefused } from '../refused.js';
import type { SigmaNode } from '../types.js';
import { SigmaRuleError } from './ruleError.js';

type Path = (string | number)[];
type Ast = { kind: 'id'; name: string; at: number } | { kind: 'of'; quantifier: 'any' | 'all'; pattern: string; at: number } | { kind: 'and' | 'or'; items: Ast[] } | { kind: 'not'; item: Ast };

interface Token {
  text: string;
  at: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', '(', ')']);

/** How deep parentheses and `not`s may nest in a condition (SigmaHQ's rules nest a few levels): deeper is refused at its place, not left to overflow the stack. */
export const MAX_CONDITION_DEPTH = 100;

/**
 * Parses one condition and resolves it against the detections (in their order of definition); `at` is its path.
 * A detection that is a SigmaRefused (fieldref, a placeholder) refuses the rule only when the condition uses it, as
 * in pySigma. `used` (shared by a rule's conditions) holds the trees already placed: a second use gets a copy.
 */
export function conditionTree(condition: unknown, detections: ReadonlyMap<string, SigmaNode | SigmaRefused>, at: Path, used = new Set<SigmaNode>()): SigmaNode {
  if (typeof condition !== 'string' || !condition.trim()) throw new SigmaRuleError('a condition must be a non-empty string such as "selection and not filter"', at);
  // Every node of a tree is its own object, so that a pipeline may rewrite one place without touching another.
  const take = (name: string): SigmaNode => {
    const tree = detections.get(name)!;
    if (tree instanceof SigmaRefused) throw tree;
    if (used.has(tree)) return structuredClone(tree);
    used.add(tree);
    return tree;
  };
  return resolve(parseCondition(condition, at), detections, take, condition, at);
}

function parseCondition(text: string, at: Path): Ast {
  const aggregation = /\|\s*(count|min|max|avg|sum|near)\b/.exec(text);
  if (aggregation)
    throw new SigmaRuleError(
      `'| ${aggregation[1]}...' in a condition is the deprecated Sigma 1 aggregation syntax: keep the condition a plain search and write a correlation rule (a second YAML document with 'correlation: {type: event_count, rules: [...], group-by: [...], timespan: 5m, condition: {gte: N}}') for the count`,
      at,
      false,
      aggregation.index,
    );
  const tokens: Token[] = [];
  const word = /\s*(?:([()])|([A-Za-z0-9_*-]+)|(\S))/y;
  let m: RegExpExecArray | null;
  while ((m = word.exec(text)) && m[0].length) {
    const at0 = m.index + m[0].length - (m[1] ?? m[2] ?? m[3] ?? '').length;
    if (m[3]) throw new SigmaRuleError(`unexpected ${describeChar(m[3])} at character ${at0 + 1} of the condition "${text}": a condition uses detection names, and, or, not, parentheses, '1 of x*' and 'all of x*'`, at, false, at0);
    tokens.push({ text: m[1] ?? m[2]!, at: at0 });
  }
  let pos = 0;
  const peek = () => tokens[pos]?.text;
  const fail = (what: string): never => {
    const token = tokens[pos];
    throw new SigmaRuleError(
      `${what} ${token ? `at '${token.text}' (character ${token.at + 1})` : 'at the end'} of the condition "${text}"${token && /^(AND|OR|NOT)$/i.test(token.text) && token.text !== token.text.toLowerCase() ? ': write and, or, not in lower case' : ''}`,
      at,
      false,
      token ? token.at : text.length,
    );
  };
  const binary = (kind: 'and' | 'or', next: () => Ast): Ast => {
    const items = [next()];
    while (peek() === kind) {
      pos++;
      items.push(next());
    }
    return items.length === 1 ? items[0]! : { kind, items };
  };
  const orExpr = (): Ast => binary('or', andExpr);
  const andExpr = (): Ast => binary('and', notExpr);
  let depth = 0;
  const deeper = () => {
    if (++depth > MAX_CONDITION_DEPTH) fail(`parentheses and 'not' nest more than ${MAX_CONDITION_DEPTH} deep`);
  };
  const notExpr = (): Ast => {
    if (peek() === 'not') {
      deeper();
      pos++;
      const item = notExpr();
      depth--;
      return { kind: 'not', item };
    }
    return primary();
  };
  const primary = (): Ast => {
    const token = tokens[pos];
    if (!token) return fail('a detection name is missing');
    if (token.text === '(') {
      deeper();
      pos++;
      const inner = orExpr();
      if (peek() !== ')') fail("a ')' is missing");
      pos++;
      depth--;
      return inner;
    }
    if ((token.text === '1' || token.text === 'any' || token.text === 'all') && tokens[pos + 1]?.text === 'of') {
      const pattern = tokens[pos + 2];
      if (!pattern || KEYWORDS.has(pattern.text) || !/^[A-Za-z0-9_*]+$/.test(pattern.text)) {
        pos += 2;
        return fail(`'${token.text} of' needs a detection name, a pattern such as selection_* or 'them'`);
      }
      pos += 3;
      return { kind: 'of', quantifier: token.text === 'all' ? 'all' : 'any', pattern: pattern.text, at: token.at };
    }
    if (KEYWORDS.has(token.text) || token.text.includes('*')) return fail(token.text.includes('*') ? "a pattern needs '1 of' or 'all of' before it" : 'a detection name is missing');
    pos++;
    return { kind: 'id', name: token.text, at: token.at };
  };
  const ast = orExpr();
  if (pos < tokens.length) fail(`'and' or 'or' is missing`);
  return ast;
}

function resolve(ast: Ast, detections: ReadonlyMap<string, SigmaNode | SigmaRefused>, take: (name: string) => SigmaNode, text: string, at: Path): SigmaNode {
  const names = () => [...detections.keys()].join(', ');
  switch (ast.kind) {
    case 'id': {
      if (!detections.has(ast.name)) throw new SigmaRuleError(`the condition "${text}" names '${ast.name}', which is not a detection of this rule: the detections are ${names()}`, at, false, ast.at);
      return take(ast.name);
    }
    case 'of': {
      const glob = new RegExp(`^${ast.pattern === 'them' ? '.*' : ast.pattern.replace(/\*/g, '.*')}$`);
      const own = ast.pattern.startsWith('_');
      const matched = [...detections.keys()].filter((name) => glob.test(name) && (own || !name.startsWith('_')));
      if (!matched.length) throw new SigmaRuleError(`'${ast.quantifier === 'all' ? 'all' : '1'} of ${ast.pattern}' in the condition "${text}" matches no detection: the detections are ${names()}`, at, false, ast.at);
      const items = matched.map(take);
      return items.length === 1 ? items[0]! : { type: ast.quantifier === 'all' ? 'and' : 'or', items };
    }
    case 'not':
      return { type: 'not', item: resolve(ast.item, detections, take, text, at) };
    default:
      return { type: ast.kind, items: ast.items.map((item) => resolve(item, detections, take, text, at)) };
  }
}

/** A character for a message: itself in quotes, or its code point when it is invisible or a control character. */
function describeChar(c: string): string {
  return /[\p{C}\p{Z}]/u.test(c) ? `character U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : `'${c}'`;
}
