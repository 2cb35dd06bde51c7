/** Creates an index whose string fields are keywords (like the Beats templates), whose @timestamp is a date, and whose other mapped fields are `properties`. */
export async function createIndex(esUrl: string, index: string, properties: Record<string, unknown> = {}): Promise<void> {
  const response = await fetch(`${esUrl}/${index}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }],
        properties: { '@timestamp': { type: 'date' }, ...properties },
      },
    }),
  });
  const text = response.ok ? '' : await response.text();
  if (!response.ok && !text.includes('resource_already_exists_exception')) {
    throw new Error(`cannot create index ${index}: HTTP ${response.status} ${text.slice(0, 300)}`);
  }
}

/** Indexes documents with the bulk API and makes them searchable at once. */
export async function indexDocs(esUrl: string, index: string, docs: Record<string, unknown>[]): Promise<void> {
  if (!docs.length) return;
  const body = docs.map((doc) => `${JSON.stringify({ index: { _index: index } })}\n${JSON.stringify(doc)}\n`).join('');
  const response = await fetch(`${esUrl}/_bulk?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
  const result = (await response.json()) as { errors?: boolean; items?: unknown[] };
  if (!response.ok || result.errors) throw new Error(`bulk indexing into ${index} failed: ${JSON.stringify(result).slice(0, 500)}`);
}

/** A Windows logon event like winlogbeat ships: 4624 success or 4625 failure. */
export function logonEvent(at: number, user: string, options: { code?: '4624' | '4625'; host?: string; ip?: string } = {}): Record<string, unknown> {
  return {
    '@timestamp': new Date(at).toISOString(),
    event: { code: options.code ?? '4624' },
    host: { name: options.host ?? 'dc01' },
    source: { ip: options.ip ?? '10.0.0.5' },
    winlog: { event_data: { TargetUserName: user } },
  };
}

/** A time far from every other test's, so that test files sharing an index pattern never see each other's events. */
export function uniqueBaseTime(): number {
  const day = 86_400_000;
  return Date.UTC(2025, 0, 1) + Math.floor(Math.random() * 300) * day + Math.floor(Math.random() * 1000) * 60_000;
}

/** Deletes indices a test file created, so that a long-lived engine does not reach its shard limit. */
export async function deleteIndices(esUrl: string, indices: readonly string[]): Promise<void> {
  for (let i = 0; i < indices.length; i += 50) {
    await fetch(`${esUrl}/${indices.slice(i, i + 50).join(',')}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
  }
}
