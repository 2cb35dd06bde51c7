/** Reads a dotted path (`winlog.event_data.User`) from a document, also accepting keys that themselves contain dots. */
export function getField(doc: unknown, path: string): unknown {
  if (doc === null || typeof doc !== 'object') return undefined;
  const record = doc as Record<string, unknown>;
  if (path in record) return record[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const head = parts.slice(0, i).join('.');
    if (head in record) return getField(record[head], parts.slice(i).join('.'));
  }
  return undefined;
}
