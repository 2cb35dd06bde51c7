/** Escapes text for HTML element content and attribute values (quoted with " or '). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A value as JSON to put inside `<script type="application/json">`: `<`, `>`, `&` and the two line separators are
 * written as \u escapes, so no string in it (a log value holding `</script>` or `<!--`) can end the element.
 * Read back with `JSON.parse(element.textContent)`.
 */
export function jsonInScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
