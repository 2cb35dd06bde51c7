import type { DigestTable } from '../../model/digest.js';
import { cleanText, cutText, oneLine } from '../../util/text.js';
import { digestCaption, mostRowsThatFit, notListed } from './caption.js';

// Slack's table block (docs.slack.dev/reference/block-kit/blocks/table-block): at most 100 rows of at most 20 cells,
// each cell `raw_text` (shown as given: no mrkdwn, no mentions, no links) or rich_text; one table per message, shown
// at its bottom. The cells of a table together stay within 10,000 characters (the limit Slack documents for its
// data_table block, kept here too), and a section's plain_text within 3,000.
const TABLE_ROWS = 100;
const TABLE_COLUMNS = 20;
const TABLE_CHARS = 10_000;
const CELL_CHARS = 200;
const SECTION_CHARS = 3000;
/** Most characters of the title in the section, so that what is not listed always fits after it. */
const TITLE_CHARS = 1000;

/** Widest value of a column in the plain-text table (the fallback when a table block is refused). */
const TEXT_COLUMN_CHARS = 40;

/** A Block Kit block as alertcron builds it (a section, a table, a context). */
export interface SlackBlock {
  type: string;
  [field: string]: unknown;
}

/** A table cell: raw_text, one clean line, cut; never empty (Slack refuses an empty text). */
function cell(value: string): { type: 'raw_text'; text: string } {
  return { type: 'raw_text', text: cutText(oneLine(value), CELL_CHARS) || '-' };
}

/**
 * The blocks of a digest notice: a plain_text section with the title, the caption (findings, period) and what is
 * not listed, then a table block whose header row is `count` and the columns, with as many rows as Slack's limits
 * allow (the rest counted in the section). Values are raw_text, which Slack shows literally.
 */
export function slackDigestBlocks(title: string, table: DigestTable): SlackBlock[] {
  const columns = table.columns.slice(0, TABLE_COLUMNS - 1);
  const header = [cell('count'), ...columns.map(cell)];
  const rows = [header];
  let chars = header.reduce((sum, c) => sum + c.text.length, 0);
  for (const row of table.rows) {
    if (rows.length >= TABLE_ROWS) break;
    const cells = [cell(String(row.count)), ...columns.map((_, i) => cell(row.cells[i] ?? ''))];
    const size = cells.reduce((sum, c) => sum + c.text.length, 0);
    if (chars + size > TABLE_CHARS) break;
    rows.push(cells);
    chars += size;
  }
  const hiddenColumns = table.columns.length - columns.length;
  const lines = [
    cutText(cleanText(title), TITLE_CHARS),
    digestCaption(table),
    notListed(table, table.rows.length - (rows.length - 1)),
    hiddenColumns > 0 ? `${hiddenColumns} more column${hiddenColumns === 1 ? '' : 's'} not shown` : '',
  ].filter(Boolean);
  const section = { type: 'section', text: { type: 'plain_text', text: cutText(lines.join('\n'), SECTION_CHARS), emoji: false } };
  if (rows.length === 1) return [section];
  return [section, { type: 'table', column_settings: [{ align: 'right' }], rows }];
}

/**
 * The blocks of a digest notice for a Slack that refuses table blocks (invalid_blocks): one plain_text section with
 * the title, the caption, the table as aligned text (`count` right-aligned, values cut to 40 characters) with as many
 * rows as fit Slack's 3,000 characters, and what is not listed.
 */
export function slackDigestTextBlocks(title: string, table: DigestTable): SlackBlock[] {
  const head = ['count', ...table.columns.map((c) => cutText(oneLine(c), TEXT_COLUMN_CHARS))];
  const body = table.rows.map((row) => [String(row.count), ...table.columns.map((_, i) => cutText(oneLine(row.cells[i] ?? ''), TEXT_COLUMN_CHARS) || '-')]);
  const render = (shown: number) => {
    const rows = [head, ...body.slice(0, shown)];
    const widths = head.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padStart(widths[0]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
    const lines = [cutText(cleanText(title), TITLE_CHARS), digestCaption(table), ...(shown ? rows.map(line) : []), notListed(table, body.length - shown)];
    return lines.filter(Boolean).join('\n');
  };
  const shown = mostRowsThatFit(body.length, (k) => render(k).length <= SECTION_CHARS);
  return [{ type: 'section', text: { type: 'plain_text', text: cutText(render(shown), SECTION_CHARS), emoji: false } }];
}

/** Whether blocks carry a table block (which a workspace or webhook may refuse with invalid_blocks). */
export function hasTableBlock(blocks: readonly SlackBlock[]): boolean {
  return blocks.some((block) => block.type === 'table');
}
