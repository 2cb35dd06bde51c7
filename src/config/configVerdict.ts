import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { statOrUndefined } from './parseCache.js';
import { SECRET_KEYS } from './secrets.js';

/**
 * The proof, kept in the parse cache beside alertcron.yaml's parsed value, that the schema passed it with its
 * secrets and `${ENV}` values as they were then: a salted digest of the resolved document in which each secret is
 * replaced by its shape (what the schema checks of it), so the digest holds nothing a secret could be guessed from.
 */
export interface ConfigVerdict {
  salt: string;
  digest: string;
}

/** What the parse cache holds for alertcron.yaml: its parsed value (secrets unresolved) and, once checked, the verdict. */
export interface CachedConfig {
  raw: unknown;
  verdict?: ConfigVerdict;
}

/** The key under which the cached entry keeps its verdict: not a valid alertcron.yaml key, so never a file's own value. */
const VERDICT_KEY = '#checked';

/** This build of alertcron: a schema of another build must check the file again. */
const build = (): string => String(statOrUndefined(fileURLToPath(import.meta.url))?.mtimeMs ?? '');

/** The pattern of the schema's `url` definition, the only check it makes of a secret beyond being a string. */
const URL_SHAPE = /^https?:\/\/[^\s]+$/;

/** What the schema checks of a secret value (its type, whether it is empty, whether it is a URL), and nothing else. */
function secretShape(value: unknown): string {
  return typeof value === 'string' ? `\0secret:string:${value === '' ? 'empty' : 'set'}:${URL_SHAPE.test(value) ? 'url' : 'text'}` : `\0secret:${typeof value}`;
}

/** A copy of a resolved alertcron.yaml with every secret (secret keys, `headers` and `env` values) replaced by its shape. */
export function withoutSecrets(node: unknown, key = ''): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutSecrets(item));
  if (!node || typeof node !== 'object') return SECRET_KEYS.has(key) ? secretShape(node) : node;
  if (key === 'headers' || key === 'env') return Object.fromEntries(Object.entries(node).map(([name, value]) => [name, secretShape(value)]));
  return Object.fromEntries(Object.entries(node).map(([name, value]) => [name, withoutSecrets(value, name)]));
}

/** A digest of a resolved alertcron.yaml without its secrets: what alerts completed against it depend on. */
export function configDigest(resolved: unknown): string {
  return createHash('sha256').update(JSON.stringify(withoutSecrets(resolved))).digest('hex');
}

function digestOf(salt: string, resolved: unknown, unsetPaths: readonly string[]): string {
  return createHash('sha256').update(salt).update('\0').update(build()).update('\0').update(JSON.stringify([withoutSecrets(resolved), unsetPaths])).digest('hex');
}

/** A verdict for a document the schema passed, resolved as it is now (the unset secrets' paths are part of it). */
export function configVerdict(resolved: unknown, unsetPaths: readonly string[]): ConfigVerdict {
  const salt = randomBytes(16).toString('hex');
  return { salt, digest: digestOf(salt, resolved, unsetPaths) };
}

/** Whether a verdict was given by this build to exactly this resolved document: then the schema need not run again. */
export function verdictHolds(verdict: ConfigVerdict | undefined, resolved: unknown, unsetPaths: readonly string[]): boolean {
  return !!verdict && typeof verdict.salt === 'string' && digestOf(verdict.salt, resolved, unsetPaths) === verdict.digest;
}

/** The parse cache's value for alertcron.yaml (an older cache holds the bare parsed value, with no verdict). */
export function readCachedConfig(value: unknown): CachedConfig | undefined {
  if (value === undefined) return undefined;
  if (value && typeof value === 'object' && !Array.isArray(value) && VERDICT_KEY in value) {
    const entry = value as Record<string, unknown>;
    const verdict = entry[VERDICT_KEY] as ConfigVerdict | undefined;
    return { raw: entry.raw, ...(verdict && typeof verdict === 'object' ? { verdict } : {}) };
  }
  return { raw: value };
}

/** The value to store in the parse cache for alertcron.yaml. */
export function cachedConfigValue(raw: unknown, verdict: ConfigVerdict): unknown {
  return { [VERDICT_KEY]: verdict, raw };
}
