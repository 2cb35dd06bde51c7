import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

// A cluster host set up as before partitions, with the skew of a minute it had then: its partition leases must
// outlast the skew (partition_lease's default grows with it), or every run loses its leases and exits 5.

const MIN = 60_000;
const world = useWorld();
const stateIndex = `alertcron-state-skew-${Math.random().toString(36).slice(2, 8)}`;

after(async () => {
  await fetch(`${world.esUrl}/${stateIndex}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

test('one cluster host with max_clock_skew 1m and lease_ttl 3m (today\'s setting, no partition_lease) finds an event and delivers it', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('skew-auth');
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, 'skewed-ann')]);
  const project = world.project();
  project.writeConfig({
    ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
    state: { backend: 'cluster', index: stateIndex, host_id: 'solo', max_clock_skew: '1m', lease_ttl: '3m' },
  });
  project.writeAlert('skew-logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'skew-logons {{key}}' });
  const validate = await project.run(['validate']);
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  const run = await project.run(['run', '--json'], { ALERTCRON_NOW: iso(T) });
  assert.equal(run.code, 0, `the run keeps its leases and writes its state: ${run.stderr}`);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(report.alerts.map((a: { name: string }) => a.name), ['skew-logons']);
  assert.equal(world.smtp.messages.filter((m) => m.subject === 'skew-logons skewed-ann').length, 1, `delivered once: ${world.smtp.messages.map((m) => m.subject)}`);
  const again = await project.run(['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(again.code, 0, `the next minute runs too: ${again.stderr}`);
  assert.equal(world.smtp.messages.filter((m) => m.subject === 'skew-logons skewed-ann').length, 1, 'its window and throttle were written: not sent again');
});
