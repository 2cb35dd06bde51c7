// An index mapped as Elastic's ECS templates map Windows events (keywords with a lowercase `.caseless` sub-field,
// which the ecs_windows pipeline reads), and Sysmon process creation events in it, for the Sigma tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexDocs } from './seed.js';

/** The fields given a `.caseless` sub-field (a keyword with a lowercase normalizer), as in the ECS templates. */
const CASELESS = ['process.executable', 'process.command_line', 'process.name', 'process.parent.executable', 'user.name'];

/** Creates an index whose strings are keywords and whose process and user fields have ECS's `.caseless` sub-field. */
export async function createEcsIndex(esUrl: string, index: string): Promise<void> {
  const properties: Record<string, unknown> = { '@timestamp': { type: 'date' } };
  for (const field of CASELESS) properties[field] = { type: 'keyword', fields: { caseless: { type: 'keyword', normalizer: 'lowercase' } } };
  const response = await fetch(`${esUrl}/${index}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      settings: { number_of_shards: 1, number_of_replicas: 0, analysis: { normalizer: { lowercase: { type: 'custom', filter: ['lowercase'] } } } },
      mappings: { dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }], properties },
    }),
  });
  if (!response.ok) throw new Error(`cannot create index ${index}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
}

/** A Sysmon process creation event (event 1) as Winlogbeat ships it in ECS. */
export function processEvent(at: number, host: string, executable: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@timestamp': new Date(at).toISOString(),
    host: { name: host },
    winlog: { channel: 'Microsoft-Windows-Sysmon/Operational' },
    event: { code: '1' },
    process: { executable, command_line: executable },
    ...extra,
  };
}

/** Creates an ECS-mapped index and indexes the events into it. */
export async function ecsIndexWith(esUrl: string, index: string, events: Record<string, unknown>[]): Promise<void> {
  await createEcsIndex(esUrl, index);
  await indexDocs(esUrl, index, events);
}

/** A fresh ECS-mapped index (a random name after `prefix`, pushed to `created` for deletion) holding the events. */
export async function freshEcsIndex(esUrl: string, prefix: string, events: Record<string, unknown>[], created: string[]): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  created.push(name);
  await ecsIndexWith(esUrl, name, events);
  return name;
}

/** Writes a Sigma rule file `sigma/<name>` in a project folder (alerts refer to it as `../sigma/<name>`). */
export function writeSigma(dir: string, name: string, text: string): void {
  mkdirSync(join(dir, 'sigma'), { recursive: true });
  writeFileSync(join(dir, 'sigma', name), text);
}
