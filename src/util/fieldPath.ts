/**
 * Reads a dotted path (`winlog.event_data.User`) from a document, also accepting keys that themselves contain dots.
 * Only the document's own keys count: `__proto__`, `constructor` or `toString` find nothing unless the data has them.
 */
export function getField(doc: unknown, path: string): unknown {
  if (doc === null || typeof doc !== 'object') return undefined;
  const record = doc as Record<string, unknown>;
  if (hasOwnField(record, path)) return record[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const head = parts.slice(0, i).join('.');
    if (hasOwnField(record, head)) return getField(record[head], parts.slice(i).join('.'));
  }
  return undefined;
}

function hasOwnField(record: Record<string, unknown>, key: string): boolean {
  return key !== '__proto__' && Object.prototype.hasOwnProperty.call(record, key);
}
