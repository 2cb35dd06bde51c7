import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readConfig } from '../../src/config/loadConfig.js';
import { ParseCache } from '../../src/config/parseCache.js';
import { formatProblem } from '../../src/config/problems.js';
import { checkProperty, fc } from '../support/property.js';

const CONFIG = [
  'elasticsearch:',
  '  url: "${ES_URL}"',
  'channels:',
  '  hook: { type: slack, webhook_url: "${HOOK}" }',
  '  filed: { type: slack, webhook_url_file: hook.txt }',
  'defaults: { every: "${EVERY}" }',
  'state: { host_id: "${HOST}" }',
].join('\n');

/** A value a variable or secret file may hold: one the schema takes, one it refuses, or (for a variable) none. */
const value = (good: string[]) => fc.oneof(fc.constantFrom(...good), fc.string({ maxLength: 12 }), fc.constantFrom('', ' ', 'not a url', '5x', '${X}'));
const variable = (good: string[]) => fc.option(value(good), { nil: undefined });
const step = fc.record({
  ES_URL: variable(['http://127.0.0.1:9200', 'https://es.example.org']),
  HOOK: variable(['https://hooks.slack.com/services/T/B/x', 'http://127.0.0.1:9/hook']),
  EVERY: variable(['1m', '30s', '2h']),
  HOST: variable(['host-a', 'b']),
  file: fc.option(value(['https://hooks.slack.com/services/T/B/file']), { nil: undefined }),
});

/** What a reading shows a user: the configuration, every problem as printed, or the error it throws. */
async function shown(read: Promise<Awaited<ReturnType<typeof readConfig>>>): Promise<unknown> {
  try {
    const reading = await read;
    return { config: reading.config, problems: reading.problems.map(formatProblem) };
  } catch (error) {
    return { thrown: (error as Error).message };
  }
}

test('property: alertcron.yaml read through the cache gives what a fresh read gives, whatever its variables and secret files hold, run after run', async () => {
  await checkProperty(
    'config verdict: cached read equals fresh read',
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
      const dir = mkdtempSync(join(tmpdir(), 'alertcron-verdict-'));
      try {
        const file = join(dir, 'alertcron.yaml');
        writeFileSync(file, CONFIG);
        const cacheEnv = { XDG_CACHE_HOME: join(dir, 'cache') };
        for (const { file: secret, ...vars } of steps) {
          if (secret === undefined) rmSync(join(dir, 'hook.txt'), { force: true });
          else writeFileSync(join(dir, 'hook.txt'), secret);
          const env = Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
          const cache = ParseCache.open(file, cacheEnv);
          const cached = await shown(readConfig(file, env, cache));
          cache.save();
          assert.deepEqual(cached, await shown(readConfig(file, env)));
        }
        // Whatever was read, no resolved value is in the cache (the literal ${...} references are).
        const cacheDir = join(dir, 'cache', 'alertcron');
        const [cacheFile] = existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.json')) : [];
        const text = cacheFile ? readFileSync(join(cacheDir, cacheFile), 'utf8') : '';
        for (const { file: secret } of steps) if (secret && secret.trim().length > 3 && !CONFIG.includes(secret.trim())) assert.ok(!text.includes(JSON.stringify(secret.trim()).slice(1, -1)), `the secret file's value ${JSON.stringify(secret)} is not in the cache`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    60,
  );
});
