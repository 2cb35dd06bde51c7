/**
 * Makes log text safe to show anywhere: removes control characters (but newline and tab), bidirectional
 * overrides that can disguise text, and lone surrogates left by broken encodings (replaced with U+FFFD).
 */
export function sanitizeText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ')
    .replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
