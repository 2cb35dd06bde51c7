import { errorReason, indexPath, type ClusterClient } from './clusterClient.js';

/** What the cluster knows of some fields over the indices an index pattern matches. */
export interface FieldCaps {
  /** The matching indices; undefined when the cluster does not say (very old versions). */
  indices?: string[];
  /** Each field found, with each type it has across those indices and whether that type can be aggregated. */
  fields: Record<string, { type: string; aggregatable: boolean }[]>;
  /** Why the cluster refused to answer for this pattern (e.g. an invalid index name). */
  error?: string;
}

/** Asks the cluster (`_field_caps`) which indices a pattern matches and how the given fields are mapped there. */
export async function fieldCaps(client: ClusterClient, index: string, fields: string[]): Promise<FieldCaps> {
  const query = `fields=${encodeURIComponent([...new Set(fields)].join(','))}&allow_no_indices=true&ignore_unavailable=true`;
  const answer = await client.call('GET', `/${indexPath(index)}/_field_caps?${query}`);
  if (answer.status >= 300) return { fields: {}, error: errorReason(answer.body) ?? `HTTP ${answer.status}` };
  const body = answer.body as { indices?: string[]; fields?: Record<string, Record<string, { type: string; aggregatable: boolean }>> };
  const out: FieldCaps = { fields: {} };
  if (Array.isArray(body.indices)) out.indices = body.indices;
  for (const [name, byType] of Object.entries(body.fields ?? {})) {
    const types = Object.values(byType).filter((t) => t.type !== 'unmapped');
    if (types.length) out.fields[name] = types.map((t) => ({ type: t.type, aggregatable: t.aggregatable }));
  }
  return out;
}
