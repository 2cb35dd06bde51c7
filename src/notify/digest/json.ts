import type { DigestTable } from '../../model/digest.js';

/** A digest table as a webhook's JSON carries it: times as ISO strings, values as the text they are (JSON keeps them inert). */
export function digestJson(table: DigestTable) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    from: iso(table.from),
    to: iso(table.to),
    ...(table.group !== undefined ? { group: table.group } : {}),
    columns: table.columns,
    rows: table.rows.map((row) => ({ cells: row.cells, count: row.count, first: iso(row.first), last: iso(row.last) })),
    findings: table.findings,
    omitted: table.omitted,
  };
}
