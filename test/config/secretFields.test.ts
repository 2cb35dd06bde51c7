// Every secret field of alertcron.yaml is registered for redaction: the schema is the list. A property that may come
// from a `<key>_file` is a secret, and a property whose name says credential must be one; SECRET_KEYS (what
// resolveSecrets registers and refuses inline) must name exactly those, so a new secret field cannot be forgotten.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleSchemas } from '../../src/config/assembleSchemas.js';
import { SECRET_KEYS } from '../../src/config/secrets.js';

/** Every object's property names in a schema, with where they are. */
function propertySets(node: unknown, path: string, out: { path: string; keys: string[] }[] = []): { path: string; keys: string[] }[] {
  if (Array.isArray(node)) node.forEach((item, i) => propertySets(item, `${path}/${i}`, out));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.properties && typeof record.properties === 'object') out.push({ path, keys: Object.keys(record.properties) });
    for (const [key, value] of Object.entries(record)) propertySets(value, `${path}/${key}`, out);
  }
  return out;
}

/** Names that say "credential"; the exceptions are not secrets (a URL of an API, an account id, a user name, a CA file). */
const LOOKS_SECRET = /(password|passwd|token|secret|api_?key|integration_key|auth|credential|private|signing)/i;
const NOT_SECRET = new Set(['token_url', 'account_sid', 'username', 'client_id']);

test('every property of alertcron.yaml that may come from a <key>_file is in SECRET_KEYS, and every credential-like property may', () => {
  const sets = propertySets(assembleSchemas().alertcron, '');
  const withFile = new Set<string>();
  for (const { path, keys } of sets) {
    for (const key of keys) {
      if (key.endsWith('_file') && keys.includes(key.slice(0, -'_file'.length)) && !['ca_file', 'local_file', 'audit_file'].includes(key)) withFile.add(key.slice(0, -'_file'.length));
      if (LOOKS_SECRET.test(key) && !key.endsWith('_file') && !NOT_SECRET.has(key)) assert.ok(keys.includes(`${key}_file`), `${path}: ${key} looks like a credential but has no ${key}_file: mark it a secret (a ${key}_file sibling and SECRET_KEYS)`);
    }
  }
  for (const key of withFile) assert.ok(SECRET_KEYS.has(key), `${key} may come from ${key}_file but is not in SECRET_KEYS: it would be neither refused inline nor redacted`);
  for (const key of SECRET_KEYS) assert.ok(withFile.has(key), `SECRET_KEYS names ${key}, which no section of alertcron.yaml has with a ${key}_file`);
});
