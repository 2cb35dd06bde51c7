// What Slack checks in a message's blocks before it accepts it, as documented (docs.slack.dev/reference/block-kit):
// at most 50 blocks; a section's text at most 3,000 characters; a context at most 10 elements; a table block at most
// 100 rows of at most 20 cells, each raw_text with a non-empty text or rich_text, one table per message (the cells of
// a table within 10,000 characters, as documented for data_table). The fake Slack servers refuse what breaks them.

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why Slack would refuse these blocks (`invalid_blocks`), or undefined when they are valid; `tables: false` plays a Slack that refuses table blocks. */
export function slackBlocksProblem(blocks: unknown, options: { tables?: boolean } = {}): string | undefined {
  if (blocks === undefined) return undefined;
  if (typeof blocks === 'string') {
    try {
      return slackBlocksProblem(JSON.parse(blocks), options);
    } catch {
      return 'blocks is not JSON';
    }
  }
  if (!Array.isArray(blocks)) return 'blocks is not a list';
  if (blocks.length > 50) return `${blocks.length} blocks (at most 50)`;
  let tables = 0;
  for (const [i, block] of blocks.entries()) {
    if (!isObject(block) || typeof block.type !== 'string') return `block ${i} has no type`;
    if (block.type === 'section') {
      const text = block.text;
      if (!isObject(text) || typeof text.text !== 'string' || !['plain_text', 'mrkdwn'].includes(String(text.type))) return `section ${i} has no text object`;
      if (text.text.length > 3000 || text.text.length === 0) return `section ${i}'s text has ${text.text.length} characters (1 to 3000)`;
    } else if (block.type === 'context') {
      if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) return `context ${i} has no 1 to 10 elements`;
    } else if (block.type === 'table') {
      if (options.tables === false) return 'this Slack takes no table block';
      if (++tables > 1) return 'more than one table';
      const problem = tableProblem(block);
      if (problem) return `table ${i}: ${problem}`;
    }
  }
  return undefined;
}

function tableProblem(block: Record<string, unknown>): string | undefined {
  const rows = block.rows;
  if (!Array.isArray(rows) || rows.length === 0 || rows.length > 100) return `${Array.isArray(rows) ? rows.length : 'no'} rows (1 to 100)`;
  let chars = 0;
  for (const row of rows) {
    if (!Array.isArray(row) || row.length === 0 || row.length > 20) return 'a row has no 1 to 20 cells';
    for (const cell of row) {
      if (!isObject(cell)) return 'a cell is not an object';
      if (cell.type === 'raw_text') {
        if (typeof cell.text !== 'string' || cell.text.length === 0) return 'a raw_text cell has no text';
        chars += cell.text.length;
      } else if (cell.type !== 'rich_text') return `a cell is of type ${String(cell.type)}`;
    }
  }
  if (chars > 10_000) return `its cells hold ${chars} characters (at most 10,000)`;
  if (block.column_settings !== undefined && (!Array.isArray(block.column_settings) || block.column_settings.length > 20)) return 'column_settings is not a list of at most 20';
  return undefined;
}
