import type { DigestTable } from '../../../model/digest.js';
import { cutText, oneLine } from '../../../util/text.js';
import { digestCaption, mostRowsThatFit, notListed } from '../../digest/caption.js';
import { inertWiki } from './wikiText.js';

/** Most characters of one value in a Jira digest table (before escaping). */
const CELL_CHARS = 200;

/** One cell's wiki text: one clean line, cut and escaped (an empty cell holds a space, as Jira tables need). */
function cell(text: string): string {
  return inertWiki(cutText(oneLine(text), CELL_CHARS)) || ' ';
}

/**
 * A digest as Jira wiki markup within `room` characters: the caption, a wiki table (`||count||column||` then one
 * `|12|value|` row per line, every value escaped), and what is not listed; as many rows as fit.
 */
export function wikiDigest(table: DigestTable, room: number): string {
  const header = `||${['count', ...table.columns].map(cell).join('||')}||`;
  const rows = table.rows.map((row) => `|${[String(row.count), ...row.cells].map(cell).join('|')}|`);
  const render = (shown: number) => {
    const tail = notListed(table, table.rows.length - shown);
    return [inertWiki(digestCaption(table)), '', header, ...rows.slice(0, shown), ...(tail ? ['', inertWiki(tail)] : [])].join('\n');
  };
  return render(mostRowsThatFit(rows.length, (shown) => render(shown).length <= room));
}
