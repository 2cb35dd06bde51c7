// The chaos test of hosts sharing the alerts through the cluster state (issue 28): several deployments run the same
// alerts minute after minute against the real engine while runs are killed (at random moments, or once they hold
// leases or have notices in flight; the killed host then sits out a minute), one host is stopped past its lease and
// continued, a host joins, one leaves, and their clocks are a second apart. Nothing may be lost, nothing sent twice
// but what was in flight at a kill, no alert's windows may have a gap or an overlap, a killed host's leases are taken
// over by another host within lease + skew + a minute, the leaving host's at the next minute, and no two runs that
// worked held a partition at the same time (their --json) while every lease has one holder at a time (its tokens).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';
import { evaluatedWindows, hostDeployments, startGateProxy, hostOf, inFlightTitles, LeasePoller, sleep, spawnAt, stateDocs, waitFor, windowBreaks, type Host, type SeenWindow, type SpawnedRun } from '../support/hosts.js';
import type { CliResult } from '../support/project.js';
import { rng } from '../bench/data.js';

const MIN = 60_000;
const ALERTS = 12;
/** Minutes of alert time with new findings, run back to back; then quiet minutes until everything is delivered. */
const MINUTES = 18;
const MAX_DRAIN = 10;
/** host-4 starts running at this minute; host-3 leaves after this one; host-2 is stopped during this one (or the next where it searches holding leases). */
const JOIN_AT = 5;
const LEAVE_AFTER = 10;
const STOP_AT = 3;
const KILLS = 6;
/**
 * How each kill picks its moment, shuffled per seed: `leases` waits until a run holds leases, `claims` until a run has
 * claimed a notice and not marked it sent, `random` kills at a random moment (often before any lease is held).
 */
const KILL_MODES = ['leases', 'claims', 'leases', 'claims', 'random', 'random'] as const;
/** The lease times of the hosts (short, so a takeover takes seconds). */
const LEASE_MS = 5_000;
const SKEW_MS = 1_000;
/** The most two hosts' clocks differ (host-2 is a second ahead of host-1 and host-4). */
const MAX_OFFSET_MS = 1_000;

const world = useWorld();
const stateIndex = `alertcron-state-chaos-${Math.random().toString(36).slice(2, 8)}`;
after(async () => {
  await fetch(`${world.esUrl}/${stateIndex}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});

/** The alert names: a00 ... a11 (spread over the partitions, so over the hosts). */
const alertNames = Array.from({ length: ALERTS }, (_, i) => `chaos-a${String(i).padStart(2, '0')}`);

/** Whether alert i has a finding in minute m: every third minute, shifted per alert. */
const findsAt = (i: number, m: number) => (m + i) % 3 === 0;

test('hosts killed, stopped, joining and leaving: no notice lost or repeated beyond those in flight, windows without gap or overlap, one holder per lease', { timeout: 300_000 }, async (t) => {
  const seed = Number(process.env.CHAOS_SEED) || Math.floor(Math.random() * 2 ** 31);
  const random = rng(seed);
  const T = uniqueBaseTime();
  const events = await world.index('chaos-auth');
  const expected: string[] = [];
  const docs = [];
  for (let i = 0; i < ALERTS; i++) {
    for (let m = 1; m <= MINUTES; m++) {
      if (!findsAt(i, m)) continue;
      const key = `a${i}-m${m}`;
      expected.push(key);
      docs.push(logonEvent(T + (m - 1) * MIN + 20_000, key, { host: alertNames[i]! }));
    }
  }
  await indexDocs(world.esUrl, events, docs);
  const alerts = Object.fromEntries(
    alertNames.map((name, i) => [
      name,
      { index: events, query: { query: { term: { 'host.name': name } } }, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: [i % 2 ? 'soc-slack' : 'soc-email'], title: '{{key}}', message: '{{count}}', samples: 0 },
    ]),
  );
  // Clocks a second apart: host-2 a second ahead of host-1, host-3 half a second (within max_clock_skew of 1 s).
  // host-2 reaches the engine through a gate: its search can be held while it holds its leases, to stop it there.
  const proxy = await startGateProxy(world.esUrl);
  t.after(() => proxy.close());
  const hosts = hostDeployments(world, 4, { esUrlOf: (id) => (id === 'host-2' ? proxy.url : world.esUrl), index: stateIndex, alerts, offsetsMs: [0, 1_000, 500, 0], partitionLease: `${LEASE_MS / 1000}s`, hostTtl: '30s', deadline: '20s' });
  const [, host2, host3, host4] = hosts as [Host, Host, Host, Host];
  // Deliveries take a while, so that kills land while notices are in flight.
  world.smtp.acceptDelayMs = 600;
  world.slack.delayMs = 600;

  const poller = new LeasePoller(world.esUrl, stateIndex, alertNames).start();
  // No kill in the minutes around host-3's leaving: a killed host-3 sitting out its last minute would leave it no
  // lease to release, and a host killed at the minute it leaves (sitting out the next) or at the next (killed before
  // it took them) would keep host-3's leases from being taken at the next minute, which is what that minute checks.
  const mayKill = (m: number) => m !== STOP_AT && m !== LEAVE_AFTER - 1 && m !== LEAVE_AFTER && m !== LEAVE_AFTER + 1;
  const killMinutes = new Set<number>();
  while (killMinutes.size < KILLS) {
    const m = 2 + Math.floor(random() * (MINUTES - 1));
    if (mayKill(m)) killMinutes.add(m);
  }
  const killModes: string[] = [...KILL_MODES];
  for (let i = killModes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [killModes[i], killModes[j]] = [killModes[j]!, killModes[i]!];
  }
  /** The host whose run was killed holding leases sits out the next minute, so that another host must take them over. */
  let sittingOut: { host: Host; minute: number } | undefined;
  let killsTried = 0;
  /** Each finished run's report: its partitions held, its wall start and end, its exit code. */
  const held: { host: string; minute: number; pid: number; code: number | null; start: number; end: number; partitions: string[] }[] = [];
  const story: string[] = [];
  const inFlight = new Set<string>();
  const runWindows = new Map<string, SeenWindow[]>();
  const exits: { host: string; minute: number; code: number | null; stderr: string }[] = [];
  let stoppedOnce = false;
  let stopped: { run: SpawnedRun; leases: Map<string, number>; at: number } | undefined;
  let stoppedResult: CliResult | undefined;
  /** The stop, kept after host-2 was continued. */
  let stopped0: typeof stopped;
  let rejoined: CliResult | undefined;
  let leaveCommand: CliResult | undefined;
  /** The leases each killed run held (with their token), when it was killed; and host-3's when it left. */
  const killedHeld: { pid: number; host: string; minute: number; mode: string; at: number; leases: Map<string, number>; claimed: number; nextMinuteEnd?: number }[] = [];
  let leftHeld: Map<string, number> | undefined;
  let leftTakenAfterOneMinute: string[] | undefined;
  /** The leases whose latest holder is a run of `host` (released or not), with their token. */
  const latestOf = (host: string) => new Map([...poller.leases].filter(([lease, h]) => lease.startsWith('part:') && hostOf(h.at(-1)!.holder) === host).map(([lease, h]) => [lease, h.at(-1)!.token]));
  /** Those of `leases` that nobody took since (their token did not go up). */
  const notTaken = (leases: Map<string, number>) => [...leases].filter(([lease, token]) => !(poller.leases.get(lease) ?? []).some((seen) => seen.token > token)).map(([lease]) => lease);
  const context = () => `seed ${seed} (CHAOS_SEED=${seed} repeats it); ${story.join('; ')}`;

  /** What a finished run evaluated and how it ended. */
  const record = (run: SpawnedRun, result: CliResult) => {
    exits.push({ host: run.host.id, minute: run.minute, code: result.code, stderr: result.stderr.trim().slice(0, 300) });
    held.push({ host: run.host.id, minute: run.minute, pid: run.pid, code: result.code, start: run.startedAt, end: Date.now(), partitions: partitionsHeld(result) });
    if (result.code !== 0 && result.code !== 4) return;
    for (const [alert, window] of evaluatedWindows(result)) runWindows.set(alert, [...(runWindows.get(alert) ?? []), window]);
  };

  /** The stopped host is continued once every lease it held has a newer holder: its late commit must be refused. */
  const maybeContinue = async (force = false) => {
    if (!stopped) return;
    const takenOver = [...stopped.leases].every(([lease, token]) => {
      const history = poller.leases.get(lease) ?? [];
      return history.some((seen) => seen.token > token);
    });
    if (!takenOver && !force) return;
    story.push(`host-2 continued after ${((Date.now() - stopped.at) / 1000).toFixed(1)} s${takenOver ? '' : ' (its leases not taken over)'}`);
    stopped.run.child.kill('SIGCONT');
    stoppedResult = await stopped.run.done;
    record(stopped.run, stoppedResult);
    stopped = undefined;
  };

  const liveAt = (minute: number) => hosts.filter((h) => (h !== host4 || minute >= JOIN_AT) && (h !== host3 || minute <= LEAVE_AFTER) && !(h === host2 && stopped) && !(sittingOut?.host === h && sittingOut.minute === minute));

  let lastMinute = 0;
  for (let minute = 1; minute <= MINUTES + MAX_DRAIN; minute++) {
    // (Not before the minute a killed run's host sits out: the others must take its leases over.)
    if (minute > MINUTES && !stopped && (!stoppedResult || rejoined) && sittingOut?.minute !== minute && (await settled(minute - 1))) break;
    lastMinute = minute;
    const live = liveAt(minute);
    const gated = minute >= STOP_AT && !stoppedOnce && live.includes(host2) ? proxy.hold(/_msearch/) : undefined;
    const runs = live.map((host) => spawnAt(host, T, minute));
    const killed = new Set<SpawnedRun>();
    const wasStopped = !!stopped;
    if (killMinutes.has(minute) && sittingOut?.minute === minute) {
      // The minute another host must take the last victim's leases: no kill now, the next free minute instead.
      const next = Array.from({ length: MINUTES }, (_, i) => i + 1).find((m) => m > minute && !killMinutes.has(m) && mayKill(m));
      if (next) killMinutes.add(next);
      story.push(`minute ${minute}: kill moved to minute ${next ?? 'none'}`);
    } else if (killMinutes.has(minute)) {
      // A run still going, picked by the kill's mode: at a random moment, or once it holds leases, or once it has
      // notices claimed and not marked sent (host-2 only after it was stopped once: its stop needs it whole).
      const mode = killModes[killsTried++] ?? 'random';
      const started = Date.now();
      const going = () => runs.filter((r) => r.child.exitCode === null && (r.host !== host2 || stoppedOnce));
      let victim: SpawnedRun | undefined;
      let claimed: string[] = [];
      if (mode === 'random') {
        const delay = Math.floor(random() * 1_500);
        const pick = random();
        await sleep(delay);
        victim = going()[Math.floor(pick * going().length)];
      } else {
        while (!victim && going().length && Date.now() - started < 20_000) {
          if (mode === 'leases') {
            await poller.poll();
            const holding = going().filter((r) => poller.heldBy(r.pid).length);
            victim = holding[Math.floor(random() * holding.length)];
          } else {
            for (const run of going()) {
              const titles = await inFlightTitles(world.esUrl, stateIndex, run.pid);
              if (titles.length) [victim, claimed] = [run, titles];
              if (victim) break;
            }
          }
          if (!victim) await sleep(20);
        }
      }
      if (victim && victim.child.kill('SIGKILL')) {
        const at = Date.now();
        await victim.done;
        killed.add(victim);
        await poller.poll();
        const leases = new Map(poller.heldBy(victim.pid).map((lease) => [lease, poller.leases.get(lease)!.at(-1)!.token]));
        const titles = [...new Set([...claimed, ...(await inFlightTitles(world.esUrl, stateIndex, victim.pid))])];
        titles.forEach((title) => inFlight.add(title));
        killedHeld.push({ pid: victim.pid, host: victim.host.id, minute, mode, at, leases, claimed: titles.length });
        story.push(`minute ${minute}: ${victim.host.id} killed (${mode}) after ${at - started} ms holding ${leases.size} leases (${titles.length} claimed, not marked sent)`);
      } else story.push(`minute ${minute}: every run ended before the kill (${mode}) at ${Date.now() - started} ms`);
    }
    // host-2 is stopped in the middle of a run: when it holds its leases and waits for its search, before its commit.
    if (minute >= STOP_AT && !stoppedOnce && gated) {
      const run = runs.find((r) => r.host === host2)!;
      const gate = await Promise.race([gated, run.done.then(() => undefined)]);
      await poller.poll();
      const held = poller.heldBy(run.pid);
      if (gate && held.length) {
        run.child.kill('SIGSTOP');
        gate.open();
        const leases = new Map(held.map((lease) => [lease, poller.leases.get(lease)!.at(-1)!.token]));
        const titles = await inFlightTitles(world.esUrl, stateIndex, run.pid);
        titles.forEach((title) => inFlight.add(title));
        stopped = { run, leases, at: Date.now() };
        stopped0 = stopped;
        stoppedOnce = true;
        story.push(`minute ${minute}: host-2 stopped holding ${leases.size} leases (${titles.length} claimed)`);
      } else {
        proxy.disarm();
        gate?.open();
        story.push(`minute ${minute}: host-2 not stopped (${gate ? 'it held no lease at its search' : 'it did not search'})`);
      }
    }
    for (const run of runs) {
      if (killed.has(run) || run === stopped?.run) continue;
      const result = await run.done;
      record(run, result);
      if (wasStopped === false && run.host === host2 && stoppedResult && !rejoined) rejoined = result;
    }
    if (killedHeld.some((k) => k.minute === minute - 1)) await poller.poll();
    for (const kill of killedHeld) if (kill.minute === minute - 1) kill.nextMinuteEnd = Date.now();
    const victim = killedHeld.at(-1);
    if (victim?.minute === minute && victim.leases.size) {
      // Its leases run out (lease, skew and the clocks' second apart) before the next minute, which its host sits out.
      await sleep(Math.max(0, victim.at + LEASE_MS + SKEW_MS + MAX_OFFSET_MS + 200 - Date.now()));
      sittingOut = { host: hosts.find((h) => h.id === victim.host)!, minute: minute + 1 };
      story.push(`minute ${minute + 1}: ${victim.host} sits out`);
    }
    if (minute === LEAVE_AFTER + 1 && leftHeld) {
      await poller.poll();
      leftTakenAfterOneMinute = notTaken(leftHeld);
    }
    if (minute === LEAVE_AFTER) {
      await poller.poll();
      leftHeld = latestOf('host-3');
      leaveCommand = await host3.project.run(['host', 'leave'], { ALERTCRON_CLOCK_OFFSET_MS: String(host3.offsetMs) });
      story.push(`minute ${minute}: host-3 left (${leaveCommand.code === 0 ? 'alertcron host leave' : `no host leave command: exit ${leaveCommand.code}, it just stops running`})`);
    }
    // Past its lease (and the clock skew) and taken over by others: the stopped host goes on.
    if (stopped && Date.now() - stopped.at > LEASE_MS + SKEW_MS) await maybeContinue(Date.now() - stopped.at > 40_000);
  }
  await maybeContinue(true);
  await poller.stop();
  world.smtp.acceptDelayMs = undefined;
  world.slack.delayMs = 0;

  /** Whether, after `minute`, every notice went out, nothing is pending, and every alert was evaluated up to that minute. */
  async function settled(minute: number): Promise<boolean> {
    if (!minute) return false;
    const delivered = new Set(titlesDelivered());
    if (expected.some((title) => !delivered.has(title))) return false;
    const state = await stateDocs(world.esUrl, stateIndex);
    if ([...state.keys()].some((id) => id.startsWith('pending:'))) return false;
    await poller.poll();
    return alertNames.every((alert) => (poller.windows.get(alert)?.at(-1)?.to ?? 0) >= T + minute * MIN);
  }

  // What was delivered: no notice lost, none repeated unless a killed or stopped run had claimed it and not marked it sent.
  const titles = titlesDelivered();
  const counts = new Map<string, number>();
  for (const title of titles) counts.set(title, (counts.get(title) ?? 0) + 1);
  const missing = expected.filter((title) => !counts.has(title));
  const repeated = [...counts].filter(([title, n]) => n > 1 && !inFlight.has(title)).map(([title, n]) => `${title} x${n}`);
  const inFlightRepeats = [...counts].filter(([title, n]) => n > 1 && inFlight.has(title)).length;
  t.diagnostic(`${context()}`);
  t.diagnostic(`${lastMinute} minutes, ${expected.length} notices expected, ${titles.length} delivered, ${inFlightRepeats} repeated (in flight at a kill or stop: ${inFlight.size}); ${poller.polls} lease polls (${poller.failures} failed)`);
  t.diagnostic(`exit codes: ${JSON.stringify(countBy(exits.map((e) => `${e.code}`)))}`);
  assert.deepEqual(missing, [], `no notice lost; ${context()}`);
  assert.deepEqual(repeated, [], `no notice repeated but those in flight at a kill or stop; ${context()}`);
  for (const title of counts.keys()) assert.ok(expected.includes(title), `only expected notices: ${title}; ${context()}`);

  // The runs: each worked, or left deliveries to the next run (4), or was fenced (5); none failed otherwise.
  const odd = exits.filter((e) => ![0, 4, 5].includes(e.code!));
  assert.deepEqual(odd, [], `runs ended 0, 4 or 5; ${context()}`);

  // Each alert's windows: the committed ones (as the lease documents showed them) and those of every run that ended
  // 0 or 4, together one chain from before the first finding to the last minute, without gap or overlap.
  const breaks: string[] = [];
  for (const alert of alertNames) {
    const fromRuns = runWindows.get(alert) ?? [];
    const committed = (poller.windows.get(alert) ?? []).filter((w) => !fromRuns.some((r) => r.from === w.from && r.to === w.to));
    breaks.push(...windowBreaks(alert, [...fromRuns, ...committed], T, T + lastMinute * MIN));
  }
  assert.deepEqual(breaks, [], `every alert's windows contiguous, none evaluated twice; ${context()}`);

  // The leases: one holder at a time (a token never has two holders, a new holder always raises it).
  assert.deepEqual(poller.violations(), [], `one holder per lease at a time; ${context()}`);
  // The stopped host: its late commit refused by the fencing token, its next run clean.
  assert.ok(stoppedResult, `host-2 was stopped and continued; ${context()}`);
  assert.equal(stoppedResult.code, 5, `host-2's late commit refused: ${stoppedResult.stderr}; ${context()}`);
  assert.match(stoppedResult.stderr, /fencing token/);
  assert.ok(rejoined, `host-2 ran again after it was continued; ${context()}`);
  assert.equal(rejoined.code, 0, `host-2 rejoined cleanly: ${rejoined.stderr}; ${context()}`);

  const partitioned = [...poller.leases.keys()].some((lease) => lease.startsWith('part:'));
  assert.ok(partitioned, `part: lease documents seen: the hosts share the alerts; ${context()}`);
  // The kills: some held leases, some had notices claimed and not marked sent.
  assert.ok(killedHeld.some((k) => k.leases.size), `a kill hit a run holding leases; ${context()}`);
  assert.ok(killedHeld.some((k) => k.claimed), `a kill hit a run with notices claimed and not marked sent; ${context()}`);
  // A killed run's leases are taken over by another host (its host sat out the next minute) within the lease, the
  // clock skew, the clocks' difference and that next minute's runs.
  const takeoverMs = killedHeld.map(({ at, leases }) => Math.max(0, ...[...leases].map(([lease, token]) => ((poller.leases.get(lease) ?? []).find((seen) => seen.token > token)?.at ?? Infinity) - at)));
  t.diagnostic(`leases of killed runs taken over after (ms, wall): ${takeoverMs.map((ms) => (Number.isFinite(ms) ? ms : 'never')).join(', ')}`);
  for (const { pid, host, at, leases, nextMinuteEnd } of killedHeld) {
    assert.deepEqual(notTaken(leases), [], `the leases of the killed run ${pid} were taken over; ${context()}`);
    if (!leases.size) continue;
    const bound = (nextMinuteEnd ?? Infinity) - at + 300;
    const late = [...leases].flatMap(([lease, token]) => {
      const taker = (poller.leases.get(lease) ?? []).find((seen) => seen.token > token)!;
      return hostOf(taker.holder) === host || taker.at - at > bound ? [`${lease} by ${taker.holder} after ${taker.at - at} ms`] : [];
    });
    assert.deepEqual(late, [], `the leases of ${host}'s killed run ${pid} taken over by another host within ${bound} ms (lease ${LEASE_MS} + skew ${SKEW_MS} + clocks ${MAX_OFFSET_MS} + the next minute's runs); ${context()}`);
  }
  // The host that left cleanly: its leases were taken by the others' very next runs (not after host_ttl).
  assert.equal(leaveCommand?.code, 0, `alertcron host leave: ${leaveCommand?.stderr}; ${context()}`);
  assert.ok(leftHeld?.size, `host-3 held leases before it left; ${context()}`);
  assert.deepEqual(leftTakenAfterOneMinute, [], `host-3's leases taken at the next minute after it left; ${context()}`);
  const holders = poller.holderHosts();
  for (const host of ['host-1', 'host-2', 'host-3', 'host-4']) assert.ok(holders.has(host), `${host} held partitions at some point; ${context()}`);
  // The host that left holds nothing any more.
  const final = await stateDocs(world.esUrl, stateIndex);
  const stillHeld = [...final.values()].filter((d) => d._id.startsWith('part:') && !d._source.released && hostOf(String(d._source.holder)) === 'host-3' && d._source.until > Date.now());
  assert.deepEqual(stillHeld.map((d) => d._id), [], `host-3 left: none of its leases is held; ${context()}`);

  // What the runs say they held (run --json): no two runs that worked (0 or 4) held a partition at overlapping times.
  const worked = held.filter((r) => r.code === 0 || r.code === 4);
  const overlaps: string[] = [];
  for (const [i, a] of worked.entries()) {
    for (const b of worked.slice(i + 1)) {
      if (a.start >= b.end || b.start >= a.end) continue;
      const both = a.partitions.filter((p) => b.partitions.includes(p));
      if (both.length) overlaps.push(`${a.host} (minute ${a.minute}) and ${b.host} (minute ${b.minute}) both held ${both.join(',')}`);
    }
  }
  assert.ok(worked.some((r) => r.partitions.length), `run --json lists the partitions held; ${context()}`);
  assert.deepEqual(overlaps, [], `one run at a time holds a partition; ${context()}`);
  // The stopped run held partitions that runs which worked held while it was stopped: it ended 5 (checked above).
  const stoppedRun = held.find((r) => r.pid === stopped0?.run.pid);
  const stoppedHeld = [...(stopped0?.leases.keys() ?? [])].map((lease) => lease.slice('part:'.length));
  const meanwhile = worked.filter((r) => stoppedRun && r.start < stoppedRun.end && r.end > stoppedRun.start && r.partitions.some((p) => stoppedHeld.includes(p)));
  assert.ok(stoppedHeld.length && meanwhile.length, `while host-2 was stopped, runs that worked held partitions it held (${stoppedHeld.join(',')}); ${context()}`);
});

/** The titles delivered: email subjects and Slack texts. */
function titlesDelivered(): string[] {
  return [...world.smtp.messages.map((m) => m.subject), ...(world.slack.accepted() as { text: string }[]).map((p) => p.text)];
}

/** The partitions a run's --json says it held ("0".."63", and "coordinator"); none when its output is not a report. */
function partitionsHeld(result: CliResult): string[] {
  try {
    const report = JSON.parse(result.stdout) as { partitions?: { held?: number[]; coordinator?: boolean } };
    return [...(report.partitions?.held ?? []).map(String), ...(report.partitions?.coordinator ? ['coordinator'] : [])];
  } catch {
    return [];
  }
}

/** How many of each value. */
function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
