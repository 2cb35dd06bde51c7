// STAND-IN (d4, temporary): replaced by d1's parser when its CONTRACT commit lands.
import { loadPackage } from '../../util/loadPackage.js';
import type { ParsedSigmaFile, SigmaDocument, SigmaNode, SigmaValue } from '../types.js';

/** Stand-in parser: maps/lists of field|modifier values, condition `a`, `a and not b`. */
export function parseSigma(text: string): ParsedSigmaFile {
  const Y = loadPackage<typeof import('yaml')>('yaml');
  const lc = new Y.LineCounter();
  const docs = Y.parseAllDocuments(text, { lineCounter: lc }) as import('yaml').Document[];
  const out: ParsedSigmaFile = { documents: [], problems: [] };
  for (const doc of docs) {
    if (doc.errors.length) {
      const p = lc.linePos(doc.errors[0]!.pos[0]);
      out.problems.push({ line: p.line, col: p.col, path: [], message: doc.errors[0]!.message.split('\n')[0]! });
      continue;
    }
    const v = doc.toJS() as Record<string, any>;
    const line = lc.linePos(doc.range?.[0] ?? 0).line;
    const det = v.detection as Record<string, any> | undefined;
    if (!det || typeof det.condition !== 'string') {
      const node = doc.getIn(['detection'], true) as { range?: number[] } | undefined;
      const p = lc.linePos(node?.range?.[0] ?? 0);
      out.problems.push({ line: p.line, col: p.col, path: ['detection'], message: 'detection needs a condition' });
      continue;
    }
    const item = (key: string, val: unknown): SigmaNode => {
      const [field, ...mods] = key.split('|');
      const vals = Array.isArray(val) ? val : [val];
      const nodes = vals.map((x): SigmaNode => ({ type: 'match', field: field!, value: str(x, mods) }));
      return nodes.length === 1 ? nodes[0]! : { type: mods.includes('all') ? 'and' : 'or', items: nodes };
    };
    const sel = (name: string): SigmaNode => {
      const d = det[name];
      if (d === undefined) throw new Error(`unknown detection ${name}`);
      const maps = Array.isArray(d) ? d : [d];
      const ors = maps.map((m: Record<string, unknown>): SigmaNode => {
        const items = Object.entries(m).map(([k, x]) => item(k, x));
        return items.length === 1 ? items[0]! : { type: 'and', items };
      });
      return ors.length === 1 ? ors[0]! : { type: 'or', items: ors };
    };
    const words: string[] = det.condition.split(/\s+/);
    let condition: SigmaNode;
    try {
      condition = sel(words[0]!);
      for (let i = 1; i < words.length; i += 2) {
        const neg = words[i + 1] === 'not';
        const next = sel((neg ? words[i + 2] : words[i + 1])!);
        const right: SigmaNode = neg ? { type: 'not', item: next } : next;
        condition = { type: words[i] === 'or' ? 'or' : 'and', items: [condition, right] };
        if (neg) i++;
      }
    } catch (e) {
      out.problems.push({ line, col: 1, path: ['detection', 'condition'], message: (e as Error).message });
      continue;
    }
    const d: SigmaDocument = { kind: 'rule', meta: { title: v.title, id: v.id, status: v.status, level: v.level, description: v.description, author: v.author, date: v.date, tags: v.tags ?? [], falsepositives: v.falsepositives ?? [], references: v.references ?? [] }, logsource: v.logsource ?? {}, condition, fields: [], line };
    out.documents.push(d);
  }
  return out;
}

function str(x: unknown, mods: string[]): SigmaValue {
  if (typeof x === 'number') return { type: 'number', value: x };
  const s = String(x);
  const parts: (string | { wildcard: '*' })[] = [];
  if (mods.includes('contains') || mods.includes('endswith')) parts.push({ wildcard: '*' });
  s.split('*').forEach((p, i) => { if (i) parts.push({ wildcard: '*' }); if (p) parts.push(p); });
  if (mods.includes('contains') || mods.includes('startswith')) parts.push({ wildcard: '*' });
  return { type: 'string', parts };
}
