import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileStateStore } from '../../src/state/fileStore.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { runOkAt, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** The headers of the key files' sections of `alert`, in the order the files are read (key file, then its files of changes). */
function sectionsOf(stateDir: string, alert: string): { full: boolean; count: number; body: number }[] {
  const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as { keyFile: string; keyDeltas?: string[] };
  const headers: { full: boolean; count: number; body: number }[] = [];
  for (const name of [state.keyFile, ...(state.keyDeltas ?? [])]) {
    for (const line of readFileSync(join(stateDir, name), 'utf8').split('\n')) {
      const [kind, named, summary, length] = line.split('\t');
      if ((kind === 'A' || kind === 'U') && named === JSON.stringify(alert)) headers.push({ full: kind === 'A', count: (JSON.parse(summary!) as { count?: number }).count ?? -1, body: Number(length) });
    }
  }
  return headers;
}

test('a key told, resolved, then pruned after prune_after reads back gone: the next runs see no key and tell nothing again', { timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('auth-pruned');
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }), state: { prune_after: '3m' } });
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', throttle: '1m', resolve_after: 1, notify: ['soc-email'], title: 'Logon {{key}}' });
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'root')]);
  const stateDir = join(project.dir, 'state');

  await runOkAt(project, T);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Logon root']);
  assert.deepEqual(Object.keys(project.state().alerts.logons.keys), ['root'], 'the key is stored');
  await runOkAt(project, T + MIN);
  assert.deepEqual(world.smtp.messages.map((m) => m.subject), ['Logon root', 'Resolved: Logon root']);
  assert.deepEqual(Object.keys(project.state().alerts.logons.keys), ['root'], 'kept, resolved, until prune_after');

  // prune_after (3 minutes) after it was last seen, the run forgets the key.
  await runOkAt(project, T + 5 * MIN);
  assert.deepEqual(project.state().alerts.logons.keys, {}, 'no key read back');
  const peeked = await new FileStateStore(join(stateDir, 'state.json'), 1_000).peek();
  assert.deepEqual(Object.keys(peeked.data.alerts.logons!.keys), [], 'alertcron itself reads no key back');
  const last = sectionsOf(stateDir, 'logons').at(-1)!;
  assert.equal(last.count, 0, "the alert's last section counts no key");

  // Later runs: still no key, no section that brings it back, nothing told again.
  await runOkAt(project, T + 6 * MIN);
  await runOkAt(project, T + 7 * MIN);
  assert.deepEqual(project.state().alerts.logons.keys, {});
  assert.equal(sectionsOf(stateDir, 'logons').at(-1)!.count, 0, JSON.stringify(sectionsOf(stateDir, 'logons')));
  assert.equal(world.smtp.messages.length, 2);
});
