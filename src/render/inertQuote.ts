/** Longest quoted answer kept in a notice. */
const MAX_QUOTE = 300;

/**
 * Turns a chat message (written by whoever controls the account) into inert text for a notice: one line, no
 * control or direction characters, no markup characters, no mentions and no links (schemes and `www.` are
 * defanged, `@` is written `(at)`), at most 300 characters, in double quotes.
 */
export function inertQuote(text: string): string {
  const flat = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\ufeff]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/[<>`*_~|[\]{}\\]/g, ' ')
    .replace(/"/g, "'")
    .replace(/@/g, '(at)')
    .replace(/([a-z][a-z0-9+.-]*):\/\//gi, '$1[:]//')
    .replace(/\bwww\./gi, 'www[.]')
    .replace(/\s+/g, ' ')
    .trim();
  const cut = flat.length > MAX_QUOTE ? `${[...flat].slice(0, MAX_QUOTE).join('')}…` : flat;
  return `"${cut}"`;
}
