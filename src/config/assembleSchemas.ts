// Build step (with buildValidators.ts): assembles the published JSON Schemas in src/config/schemas/ from their
// base files, each source's own fragment (src/sources/<name>/schema.json) and each channel kind's
// (src/notify/channels/<type>/schema.json).
import { readFileSync, writeFileSync } from 'node:fs';
import { CHANNEL_KINDS } from '../notify/channels/registry.js';
import { DEFAULT_SOURCE, SOURCES } from '../sources/registry.js';

type Schema = Record<string, unknown> & { properties: Record<string, unknown> };

/** A source's parts of the schemas: its alertcron.yaml section, and its alert keys with those it requires. */
interface SourceFragment {
  config: unknown;
  alert: { properties: Record<string, unknown>; required: string[]; /** Schemas that hold for this source's alerts (e.g. a key required unless another is set). */ conditional?: unknown[] };
}

const srcUrl = (path: string) => new URL(`../../../src/${path}`, import.meta.url);
const readJson = <T>(path: string): T => JSON.parse(readFileSync(srcUrl(path), 'utf8')) as T;

/** The published schemas: alertcron.yaml's and an alert file's, each source's fragment merged in. */
export function assembleSchemas(): { alertcron: Schema; alert: Schema } {
  const alertcron = readJson<Schema>('config/schemas/alertcron.base.json');
  const alert = readJson<Schema>('config/schemas/alert.base.json');
  const names = Object.keys(SOURCES);
  (alert.properties.source as { enum: string[] }).enum = names;
  const allOf: unknown[] = [];
  const configProperties: Record<string, unknown> = {};
  for (const name of names) {
    const fragment = readJson<SourceFragment>(`sources/${name}/schema.json`);
    configProperties[name] = fragment.config;
    Object.assign(alert.properties, fragment.alert.properties);
    if (!fragment.alert.required.length) continue;
    // `properties` holds when the key is absent: the default source's keys are required when none is named.
    const isThisSource = { properties: { source: { const: name } }, ...(name === DEFAULT_SOURCE ? {} : { required: ['source'] }) };
    allOf.push({ if: isThisSource, then: { required: fragment.alert.required, ...(fragment.alert.conditional ? { allOf: fragment.alert.conditional } : {}) } });
  }
  alertcron.properties = { $schema: alertcron.properties.$schema, ...configProperties, ...alertcron.properties };
  addChannelKinds(alertcron);
  if (allOf.length) alert.allOf = allOf;
  return { alertcron, alert };
}

/**
 * Puts each channel kind's schema (one alternative of a channel, chosen by its `type:`) into alertcron.yaml's, with
 * the settings every kind takes (`definitions.commonChannelSettings`, e.g. send_resolved) added to its properties.
 */
function addChannelKinds(alertcron: Schema): void {
  const channel = (alertcron.properties.channels as { additionalProperties: { properties: { type: { description: string } }; oneOf: unknown[] } }).additionalProperties;
  const types = CHANNEL_KINDS.map((kind) => kind.type);
  channel.properties.type.description = `${types.slice(0, -1).join(', ')} or ${types.at(-1)!}`;
  channel.oneOf = types.map((type) => withCommonChannelSettings(alertcron, readJson<Schema>(`notify/channels/${type}/schema.json`)));
}

/** A kind's schema fragment with the common channel settings of alertcron.yaml's schema added to its properties (its own win). */
export function withCommonChannelSettings(alertcron: Schema, fragment: Schema): Schema {
  const common = (alertcron.definitions as { commonChannelSettings: { properties: Record<string, unknown> } }).commonChannelSettings.properties;
  return { ...fragment, properties: { ...fragment.properties, ...Object.fromEntries(Object.entries(common).filter(([key]) => !(key in fragment.properties))) } };
}

/** Writes the assembled schemas where editors and the validator compiler find them. */
export function writeSchemas(): void {
  const schemas = assembleSchemas();
  for (const [name, schema] of Object.entries(schemas)) {
    writeFileSync(srcUrl(`config/schemas/${name}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
  }
}
