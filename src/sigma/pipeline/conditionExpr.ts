import type { ConditionExpr } from './types.js';

/** Parses a `*_cond_expr` ("a and not (b or c)") over the given condition names; `not` binds tightest, then `and`. */
export function parseConditionExpr(text: string, names: string[]): { expr: ConditionExpr } | { problem: string } {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let at = 0;
  const fail = (message: string) => {
    throw new Error(message);
  };
  const peek = () => tokens[at]?.toLowerCase();
  const orExpr = (): ConditionExpr => {
    const items = [andExpr()];
    while (peek() === 'or') (at++, items.push(andExpr()));
    return items.length === 1 ? items[0]! : { or: items };
  };
  const andExpr = (): ConditionExpr => {
    const items = [notExpr()];
    while (peek() === 'and') (at++, items.push(notExpr()));
    return items.length === 1 ? items[0]! : { and: items };
  };
  const notExpr = (): ConditionExpr => {
    if (peek() === 'not') return (at++, { not: notExpr() });
    const token = tokens[at++];
    if (token === undefined) return fail('ends too early: a condition name or `(` is missing');
    if (token === '(') {
      const inner = orExpr();
      if (tokens[at++] !== ')') fail('has a `(` without its `)`');
      return inner;
    }
    if (!names.includes(token)) fail(`names \`${token}\`, which is not one of its conditions (${names.join(', ')})`);
    return { ref: token };
  };
  try {
    const expr = orExpr();
    if (at < tokens.length) fail(`has \`${tokens[at]}\` where \`and\`, \`or\` or the end was expected`);
    const unused = names.filter((name) => !JSON.stringify(expr).includes(JSON.stringify({ ref: name })));
    if (unused.length) fail(`does not use the conditions ${unused.join(', ')}`);
    return { expr };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** Evaluates a parsed expression given each named condition's result. */
export function evalConditionExpr(expr: ConditionExpr, value: (name: string) => boolean): boolean {
  if ('ref' in expr) return value(expr.ref);
  if ('not' in expr) return !evalConditionExpr(expr.not, value);
  if ('and' in expr) return expr.and.every((e) => evalConditionExpr(e, value));
  return expr.or.some((e) => evalConditionExpr(e, value));
}
