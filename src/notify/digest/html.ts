import type { DigestTable } from '../../model/digest.js';
import { cutText, oneLine } from '../../util/text.js';
import { inertForChat } from '../text.js';
import { digestCaption, notListed } from './caption.js';
import { escapeHtml } from '../../render/html/escape.js';

/** Most characters of one value in a mail's table (a 10,000-character log value is cut, marked with an ellipsis). */
const CELL_CHARS = 500;


/**
 * One value as inert HTML: one clean line, cut, with a word joiner inside `://`, after a `@` or `/` that starts a
 * word and between the letters of a dotted name (the same joiners that keep Telegram from linking), so that mail
 * clients that turn addresses and URLs in text into links find none; then escaped.
 */
function cell(value: string): string {
  return escapeHtml(inertForChat(cutText(oneLine(value), CELL_CHARS)));
}

/**
 * The HTML alternative of a digest mail: the title, then a real table (a header row of `count` and the columns,
 * one row per line of the digest) under a caption with the period, the number of findings and what is not listed.
 * Every value is escaped; there are no links, no images, no scripts and no remote content.
 */
export function digestHtml(title: string, table: DigestTable): string {
  const left = 'style="text-align:left;padding:2px 8px"';
  const right = 'style="text-align:right;padding:2px 8px"';
  const more = notListed(table);
  const caption = `${digestCaption(table)}${more ? `; ${more}` : ''}`;
  const head = `<tr><th ${right}>count</th>${table.columns.map((c) => `<th ${left}>${cell(c)}</th>`).join('')}</tr>`;
  const rows = table.rows.map((row) => `<tr><td ${right}>${row.count}</td>${row.cells.map((c) => `<td ${left}>${cell(c)}</td>`).join('')}</tr>`);
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8">',
    // Asks Apple Mail and mobile clients not to turn numbers, dates, addresses and URLs into links.
    '<meta name="format-detection" content="telephone=no, date=no, address=no, email=no, url=no">',
    `<title>${cell(title)}</title></head>`,
    '<body style="font-family:sans-serif">',
    `<p><strong>${cell(title)}</strong></p>`,
    '<table cellspacing="0" cellpadding="0" border="1" style="border-collapse:collapse">',
    `<caption style="text-align:left;padding:4px 0">${escapeHtml(inertForChat(caption))}</caption>`,
    `<thead>${head}</thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    '</body></html>',
    '',
  ].join('\n');
}
