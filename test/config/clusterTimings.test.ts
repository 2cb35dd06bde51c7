import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createProject, defaultConfig, type Project } from '../support/project.js';
import { testEsUrl } from '../support/world.js';

const esUrl = testEsUrl();
const projects: Project[] = [];
after(() => {
  for (const project of projects) project.cleanup();
});

/** `alertcron validate` in a project with the cluster backend and these run and state settings. */
async function validate(run: Record<string, unknown>, state: Record<string, unknown>) {
  const project = createProject({ esUrl });
  projects.push(project);
  project.writeConfig({ ...defaultConfig({ esUrl }), run, state: { backend: 'cluster', index: 'alertcron-state-timings', host_id: 'h', ...state } });
  project.writeAlert('any', { index: 'logs-*', condition: { type: 'any' }, notify: ['soc-email'] });
  return project.run(['validate']);
}

test('validate: host_ttl must outlast run.deadline + partition_lease + max_clock_skew, partition_lease is at least 3s, lease_ttl still outlasts a run', async () => {
  const short = await validate({ deadline: '50s' }, { host_ttl: '60s', partition_lease: '30s', max_clock_skew: '10s' });
  assert.equal(short.code, 2, short.stdout + short.stderr);
  assert.match(
    short.stdout + short.stderr,
    /alertcron\.yaml:\d+:\d+ \/state\/host_ttl: state\.host_ttl 1m is shorter than run\.deadline plus state\.partition_lease plus state\.max_clock_skew \(1m30s\): .*set host_ttl to 1m30s or more, or leave it out/,
  );

  const tiny = await validate({}, { partition_lease: '2s' });
  assert.equal(tiny.code, 2, tiny.stdout + tiny.stderr);
  assert.match(tiny.stdout + tiny.stderr, /\/state\/partition_lease: state\.partition_lease 2s is shorter than 3s .*set it to 3s or more/);
  assert.doesNotMatch(tiny.stdout + tiny.stderr, /host_ttl/, 'the defaults of host_ttl follow the other settings');

  const lease = await validate({ deadline: '50s' }, { lease_ttl: '30s' });
  assert.match(lease.stdout + lease.stderr, /\/state\/lease_ttl: state\.lease_ttl 30s is shorter than run\.deadline plus state\.max_clock_skew \(1m\)/);

  // Today's two-host settings (no partition settings, the old skew of a minute) stay valid: host_ttl's default grows.
  const today = await validate({ deadline: '50s' }, { max_clock_skew: '1m', lease_ttl: '3m' });
  assert.equal(today.code, 0, today.stdout + today.stderr);
  const defaults = await validate({}, {});
  assert.equal(defaults.code, 0, defaults.stdout + defaults.stderr);
  const exact = await validate({ deadline: '20s' }, { host_ttl: '35s', partition_lease: '10s', max_clock_skew: '5s' });
  assert.equal(exact.code, 0, `exactly the sum is enough: ${exact.stdout}${exact.stderr}`);
});

test('validate: partition_lease must be at least twice max_clock_skew (a run writes only with more than the skew left), and its default grows with the skew', async () => {
  const short = await validate({}, { max_clock_skew: '1m', partition_lease: '1m' });
  assert.equal(short.code, 2, short.stdout + short.stderr);
  assert.match(short.stdout + short.stderr, /\/state\/partition_lease: state\.partition_lease 1m is shorter than twice state\.max_clock_skew \(2m\): .*set partition_lease to 2m or more, or leave it out/);
  const twice = await validate({}, { max_clock_skew: '15s', partition_lease: '30s' });
  assert.equal(twice.code, 0, twice.stdout + twice.stderr);
  const unset = await validate({}, { max_clock_skew: '1m' });
  assert.equal(unset.code, 0, `an unset partition_lease follows the skew: ${unset.stdout}${unset.stderr}`);
});
