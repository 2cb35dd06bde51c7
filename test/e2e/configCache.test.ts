import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCacheContent } from '../../src/config/parseCache.js';
import { defaultConfig } from '../support/project.js';
import { iso, useWorld } from '../support/world.js';

const world = useWorld();

/** The parse cache's text and its entry for alertcron.yaml. */
function configEntry(dir: string): { text: string; entry: { v: Record<string, unknown> } } {
  const cacheDir = join(dir, '.cache', 'alertcron');
  const [file] = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
  const text = readFileSync(join(cacheDir, file!), 'utf8');
  return { text, entry: parseCacheContent(text).files[join(dir, 'alertcron.yaml')] as { v: Record<string, unknown> } };
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

test('a changed ${ENV} value of alertcron.yaml reaches the alerts kept as checked (list and run)', async () => {
  const index = await world.index('config-cache-env');
  const project = world.project();
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port }) as { defaults: Record<string, unknown> };
  project.writeConfig({ ...base, defaults: { ...base.defaults, every: '${EVERY}' } });
  project.writeAlert('admins', { index, condition: { type: 'any' }, notify: ['soc-email'], title: 'Admin' });
  const T = Date.parse('2026-03-02T10:00:00Z');

  const list = async (every: string) => (await project.run(['list'], { EVERY: every })).stdout;
  assert.match(await list('1m'), /admins\s+every 1m/);
  assert.match(await list('1m'), /admins\s+every 1m/, 'served from the cache');
  assert.match(await list('7m'), /admins\s+every 7m/, 'the changed variable reaches the cached alert');
  assert.match(await list('1m'), /admins\s+every 1m/);

  const first = await project.run(['run'], { EVERY: '1m', ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  const status = async (every: string) => {
    const dry = await project.run(['run', '--dry-run', '--json'], { EVERY: every, ALERTCRON_NOW: iso(T + 2 * 60_000) });
    assert.equal(dry.code, 0, dry.stderr);
    return (JSON.parse(dry.stdout) as { alerts: { name: string; status: string }[] }).alerts.find((a) => a.name === 'admins')?.status;
  };
  assert.equal(await status('1m'), 'ok', 'due two minutes later with every: 1m');
  assert.equal(await status('7m'), 'not-due', 'not due with every: 7m');
  assert.equal(await status('1m'), 'ok');
});

test('an unset ${ENV} in a default is a located configuration error, not a crash', async () => {
  const project = world.project();
  const base = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port }) as { defaults: Record<string, unknown>; state: Record<string, unknown> };
  project.writeConfig({ ...base, defaults: { ...base.defaults, every: '${EVERY}' }, state: { ...base.state, host_id: '${HOST_ID}' } });
  for (const command of [['validate'], ['list'], ['run']]) {
    const result = await project.run(command);
    assert.equal(result.code, 2, `${command.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /^alertcron\.yaml:\d+:\d+ \/defaults\/every: environment variable EVERY is not set/m, command.join(' '));
    assert.doesNotMatch(result.stderr, /is not a duration|internal error/);
    assert.doesNotMatch(result.stderr, /^alertcron\.yaml:\d+:\d+ \/state\/host_id: environment/m, 'an unset host_id is still only a warning');
  }
  const validate = await project.run(['validate'], { EVERY: '5m' });
  assert.equal(validate.code, 0, validate.stderr);
  assert.match(validate.stdout + validate.stderr, /\/state\/host_id: warning: environment variable HOST_ID is not set/);
});

test('the verdict on alertcron.yaml keeps only the shape of a secret: a weak one cannot be guessed from the cache', async () => {
  const project = world.project();
  const config = defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port }) as { elasticsearch: Record<string, unknown> };
  project.writeConfig({ ...config, elasticsearch: { ...config.elasticsearch, username: 'elastic', password: '${ES_PASSWORD}' } });
  const digestWith = async (password: string) => {
    const result = await project.run(['validate'], { ES_PASSWORD: password });
    assert.equal(result.code, 0, result.stderr);
    return (configEntry(project.dir).entry.v['#checked'] as { digest: string }).digest;
  };
  const first = await digestWith('hunter2');
  // Another value of the same shape: the verdict still holds, as it would for any guess of the password.
  assert.equal(await digestWith('letmein'), first, 'the digest does not depend on the secret\'s value');
  assert.ok(!configEntry(project.dir).text.includes('hunter2'));
});
