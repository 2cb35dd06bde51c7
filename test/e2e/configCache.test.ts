import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { useWorld } from '../support/world.js';

const world = useWorld();

/** The parse cache's text and its entry for alertcron.yaml. */
function configEntry(dir: string): { text: string; entry: { v: Record<string, unknown> } } {
  const cacheDir = join(dir, '.cache', 'alertcron');
  const [file] = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
  const text = readFileSync(join(cacheDir, file!), 'utf8');
  return { text, entry: JSON.parse(text).files[join(dir, 'alertcron.yaml')] };
}

test('the checked alertcron.yaml is cached with a verdict, never a secret; a changed ${ENV} or *_file value is checked again', async () => {
  const index = await world.index('config-cache');
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'count', gte: 1 }, notify: ['soc-slack'], title: 'Admin' });
  const secret = 'https://hooks.slack.com/services/T0/B0/d7SecretTokenValue';
  project.env.SLACK_WEBHOOK_URL = secret;
  assert.equal((await project.run(['validate'])).code, 0);
  const first = configEntry(project.dir);
  const verdict = first.entry.v['#checked'] as { salt: string; digest: string };
  assert.match(verdict.digest, /^[0-9a-f]{64}$/, 'the schema\'s verdict is kept beside the parsed file');
  assert.equal((first.entry.v.raw as { channels: Record<string, { webhook_url: string }> }).channels['soc-slack']!.webhook_url, '${SLACK_WEBHOOK_URL}', 'secrets stay unresolved');
  assert.ok(!first.text.includes('d7SecretTokenValue'), 'the secret is not in the cache');

  assert.equal((await project.run(['validate'])).code, 0);
  assert.deepEqual(configEntry(project.dir).entry.v['#checked'], verdict, 'a warm run uses the verdict and keeps it');

  // The variable's value changes to one the schema refuses: the verdict no longer holds, the file is checked again.
  project.env.SLACK_WEBHOOK_URL = 'not a url';
  const bad = await project.run(['validate']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /^alertcron\.yaml:\d+:\d+ \/channels\/soc-slack\/webhook_url: must be /m);
  project.env.SLACK_WEBHOOK_URL = secret;
  assert.equal((await project.run(['validate'])).code, 0);

  // The same for a secret read from a file.
  const config = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port }) as { channels: Record<string, Record<string, unknown>> };
  config.channels['soc-slack'] = { type: 'slack', webhook_url_file: 'hook.txt', timeout: '3s' };
  writeFileSync(join(project.dir, 'hook.txt'), `${secret}\n`);
  project.writeConfig(config);
  assert.equal((await project.run(['validate'])).code, 0);
  assert.equal((await project.run(['validate'])).code, 0);
  assert.ok(!configEntry(project.dir).text.includes('d7SecretTokenValue'), 'the file\'s secret is not in the cache');
  writeFileSync(join(project.dir, 'hook.txt'), 'nonsense\n');
  const badFile = await project.run(['validate']);
  assert.equal(badFile.code, 2, badFile.stderr);
  assert.match(badFile.stderr, /\/channels\/soc-slack\/webhook_url: must be /m);
  writeFileSync(join(project.dir, 'hook.txt'), `${secret}\n`);
  assert.equal((await project.run(['validate'])).code, 0);
});
