import { resolve } from 'node:path';
import { CHANNEL_KINDS } from '../notify/channels/registry.js';
import { registerSecret } from '../util/redact.js';
import { isAbsentFile, readInputFile } from '../util/readInputFile.js';
import type { Problem } from './problems.js';
import type { YamlFile } from './yamlDocument.js';

/**
 * Keys whose values are secrets: they may only come from `${ENV_VAR}` or a sibling `<key>_file`. Those of the
 * sources, monitoring and Duo, and each channel kind's own.
 */
export const SECRET_KEYS = new Set(['password', 'api_key', 'heartbeat_url', 'integration_key', 'secret_key', 'client_secret', ...CHANNEL_KINDS.flatMap((kind) => kind.secretKeys)]);

/** The most bytes of a `*_file` secret read: a key or a token, never a large file. */
const SECRET_FILE_MAX_BYTES = 64 * 1024;

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const ONLY_ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** The names of a mapping whose values hold a `${VAR}` reference (before it is resolved). */
function namesWithReference(mapping: unknown): string[] {
  if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping)) return [];
  return Object.entries(mapping).filter(([, value]) => typeof value === 'string' && new RegExp(ENV_REFERENCE.source).test(value)).map(([name]) => name);
}

/** Names of variables that hold secrets (`PAGER_TOKEN`, `API_KEY`, `DB_PASSWORD` ...). */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/** The names of a command channel's env mapping that are named as secrets but hold a literal value (no `${VAR}`). */
function literalSecretNames(mapping: unknown): string[] {
  if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping)) return [];
  return Object.entries(mapping).filter(([name, value]) => SECRET_NAME.test(name) && typeof value === 'string' && value !== '' && !new RegExp(ENV_REFERENCE.source).test(value)).map(([name]) => name);
}

/** A `${VAR}` whose variable is unset, or a `<key>_file` that is absent here: a warning until a command needs it. */
export interface UnsetSecret {
  /** Where it is written and what is wrong, worded as a problem. */
  problem: Problem;
  /** The channel it belongs to, when it sits under `channels.<name>`. */
  channel?: string;
  /** The JSON pointers whose schema errors it explains (the key, and the resolved key of a `*_file`). */
  paths: string[];
}

/**
 * Resolves `${ENV_VAR}` references and `<key>_file` files in a parsed alertcron.yaml, in place. Secrets written
 * inline are problems; unset variables and unreadable files are returned apart, so that commands which do not
 * need them (validate, list, status ...) still work, and a run fails only the channel that lacks one.
 */
export function resolveSecrets(yaml: YamlFile, env: NodeJS.ProcessEnv, baseDir: string): { problems: Problem[]; unset: UnsetSecret[] } {
  const problems: Problem[] = [];
  const unset: UnsetSecret[] = [];
  const problemAt = (path: (string | number)[], message: string, key = false): Problem => {
    const { line, col } = yaml.locate(path, key);
    return { file: yaml.file, line, col, path: '/' + path.join('/'), message };
  };
  const at = (path: (string | number)[], message: string, key = false) => problems.push(problemAt(path, message, key));
  const missing = (path: (string | number)[], message: string, key = false, also?: string) => {
    const problem = problemAt(path, message, key);
    const channel = path[0] === 'channels' && typeof path[1] === 'string' ? path[1] : undefined;
    unset.push({ problem, ...(channel ? { channel } : {}), paths: also ? [problem.path!, also] : [problem.path!] });
  };

  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      for (const [key, value] of Object.entries(record)) {
        const here = [...path, key];
        if (key === 'url' && typeof value === 'string' && /^[a-z]+:\/\/[^/?#]*@/i.test(value)) {
          at(here, 'credentials must not be part of the URL: use username and password (or api_key) beside it');
          continue;
        }
        if (SECRET_KEYS.has(key) && typeof value === 'string' && !ONLY_ENV_REFERENCE.test(value)) {
          at(here, `secrets must not be written inline: use ${key}: \${SOME_ENV_VAR} or ${key}_file: /path/to/file`);
          continue;
        }
        // A command channel's env value is a secret when it comes from the environment (`${VAR}`); a literal is a setting.
        const fromEnv = key === 'env' && path[0] === 'channels' && path.length === 2 ? namesWithReference(value) : [];
        if (key === 'env' && path[0] === 'channels' && path.length === 2) {
          // A variable named as a secret must not be written inline either: the program would show it unredacted.
          for (const name of literalSecretNames(value)) at([...here, name], `${name} looks like a secret written inline: use ${name}: \${SOME_ENV_VAR} (its value is then redacted from everything alertcron writes)`);
        }
        record[key] = walk(value, here);
        if (SECRET_KEYS.has(key)) registerSecret(record[key] as string);
        for (const name of fromEnv) registerSecret((record[key] as Record<string, unknown>)[name] as string);
        if (key === 'headers' && record[key] && typeof record[key] === 'object') {
          for (const header of Object.values(record[key] as Record<string, unknown>)) if (typeof header === 'string') registerSecret(header);
        }
      }
      for (const key of Object.keys(record)) {
        const base = key.endsWith('_file') ? key.slice(0, -'_file'.length) : '';
        if (!SECRET_KEYS.has(base) || typeof record[key] !== 'string') continue;
        if (base in record) {
          at([...path, key], `set either ${base} or ${key}, not both`, true);
          continue;
        }
        const read = readInputFile(resolve(baseDir, record[key] as string), SECRET_FILE_MAX_BYTES);
        if ('problem' in read) {
          // A secret file absent here is like an unset variable (a warning until needed); one that is there but
          // unusable (a device, binary, too large) is a mistake wherever the configuration runs.
          const message = `cannot read ${key}: ${record[key] as string} ${read.problem.message}`;
          if (isAbsentFile(read.problem)) missing([...path, key], message, false, '/' + [...path, base].join('/'));
          else at([...path, key], message);
          continue;
        }
        const secret = read.text.trim();
        registerSecret(secret);
        record[base] = secret;
      }
      return record;
    }
    if (typeof node === 'string') {
      return node.replace(ENV_REFERENCE, (_, name: string) => {
        const value = env[name];
        if (value === undefined) {
          // Only a secret key has a <key>_file form; any other value (a URL, state.host_id ...) comes from the variable.
          const key = path.filter((p): p is string => typeof p === 'string').at(-1) ?? '';
          missing(path, `environment variable ${name} is not set (export it in the crontab${SECRET_KEYS.has(key) ? ' or use a *_file key' : ''})`);
          return '';
        }
        return value;
      });
    }
    return node;
  };

  walk(yaml.value, []);
  return { problems, unset };
}
