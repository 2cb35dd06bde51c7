// `state migrate` started within milliseconds of a cron run, in both directions and both orders: the run never
// starts from an empty state (no notice sent again, no stray state.json), and the next run uses the new backend.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const ROUNDS = 10;
const world = useWorld();
const stateIndices: string[] = [];
after(async () => {
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a migration racing a cron run, both ways and in both orders, never sends again, leaves no stray state.json, and the next run uses the new backend', { timeout: 600_000 }, async (t) => {
  const T = uniqueBaseTime();
  const index = await world.index('race-auth');
  const users = ['ann', 'bob', 'cid'];
  await indexDocs(world.esUrl, index, users.map((user) => logonEvent(T - 30_000, user)));
  const shared = `alertcron-state-race-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(shared);
  const project = world.project();
  project.writeConfig({
    ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
    run: { deadline: '20s' },
    state: { backend: 'file', index: shared, host_id: 'host-a', lease_ttl: '60s', max_clock_skew: '1s', lock_wait: '15s' },
  });
  // Keys stay remembered for the whole test: an empty state would find the three logons again (first_lookback 10m) and send them again.
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}', throttle: '1d' });
  let minute = 0;
  const now = () => ({ ALERTCRON_NOW: iso(T + minute++ * 20_000) });
  const first = await project.run(['run'], now());
  assert.equal(first.code, 0, first.stderr);
  assert.equal(world.smtp.messages.length, 3);
  const backend = () => parse(readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8')).state.backend as string;
  const stateJson = join(project.dir, 'state', 'state.json');
  const outcomes: string[] = [];
  let caught = 0;

  for (let round = 0; round < ROUNDS; round++) {
    for (const to of ['cluster', 'file'] as const) {
      // Even rounds: the migration starts first and the run 50-250 ms later (it reads the old alertcron.yaml, then
      // waits for the lock the migration holds: without the marker, 3 notices sent again and a stray state.json in
      // most such rounds); odd rounds: the run starts first and the migration a few milliseconds later.
      const migrateFirst = round % 2 === 0;
      const gap = migrateFirst ? 50 + ((round * 40) % 200) : (round * 7) % 20;
      const runEnv = now();
      const [ran, moved] = migrateFirst
        ? await Promise.all([sleep(gap).then(() => project.run(['run'], runEnv)), project.run(['state', 'migrate', '--to', to])])
        : await Promise.all([project.run(['run'], runEnv), sleep(gap).then(() => project.run(['state', 'migrate', '--to', to]))]);
      const what = `round ${round} --to ${to}: run exit ${ran.code} (${ran.stderr.trim()}), migrate exit ${moved.code} (${moved.stderr.trim()})`;
      outcomes.push(`${to}:${ran.code}/${moved.code}`);
      if (/the state moved to the other backend \(state migrate\) while this run waited for it/.test(ran.stderr)) caught++;
      assert.equal(moved.code, 0, what);
      assert.equal(ran.code, 0, what);
      assert.equal(backend(), to, what);
      assert.equal(world.smtp.messages.length, 3, `${what}: nothing sent again: ${world.smtp.messages.map((m) => m.subject).join(', ')}`);
      if (to === 'cluster') assert.ok(!existsSync(stateJson), `${what}: no stray state.json`);
      // The next run uses the new backend: it finds the state where the migration put it.
      const next = await project.run(['run', '--json'], now());
      assert.equal(next.code, 0, `${what}; next run: ${next.stderr}`);
      const report = JSON.parse(next.stdout);
      assert.equal(report.stateRequests?.docs !== undefined, to === 'cluster', `${what}: the next run used the ${to} backend`);
      if (to === 'cluster') assert.ok(!existsSync(stateJson), `${what}: the next run wrote no state.json`);
      else assert.ok(existsSync(stateJson), `${what}: the state is in state.json again`);
      assert.equal(world.smtp.messages.length, 3, `${what}: the next run sent nothing again`);
    }
  }
  t.diagnostic(`${ROUNDS * 2} migrations racing a run (exit codes run/migrate): ${outcomes.join(' ')}; ${caught} runs found the state moved under them and went on with the new backend`);
});
