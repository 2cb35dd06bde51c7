// Every file alertcron writes that must survive a crash is written durably (temporary file, sync, rename, folder
// sync; appends synced), seen from outside with strace; and a state folder that cannot be written is a clear error
// with its own exit code, naming the path and the fix.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { BIN, defaultConfig, type Project } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();
const stateIndices: string[] = [];
after(async () => {
  for (const index of stateIndices) await fetch(`${world.esUrl}/${index}?ignore_unavailable=true`, { method: 'DELETE' }).catch(() => undefined);
});
const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** Runs the CLI in a project under strace; returns its exit code and the file system calls it made. */
async function traced(project: Project, args: string[], env: Record<string, string>, moreCalls?: string): Promise<{ code: number | null; stderr: string; calls: string[] }> {
  const log = join(project.dir, `strace-${Math.random().toString(36).slice(2, 8)}.txt`);
  const child = spawn('strace', ['-f', '-qq', '-o', log, '-e', `trace=openat,open,fsync,fdatasync,rename,renameat,renameat2,close${moreCalls ? `,${moreCalls}` : ''}`, process.execPath, BIN, ...args], {
    cwd: project.dir,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', XDG_CACHE_HOME: join(project.dir, '.cache'), ...project.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const calls = readFileSync(log, 'utf8').split('\n');
  rmSync(log, { force: true });
  return { code, stderr, calls };
}

/** The lines of a trace, a call strace split in two (unfinished, then resumed in the same thread) put back together. */
function joinedCalls(calls: string[]): string[] {
  const unfinished = new Map<string, string>();
  const joined: string[] = [];
  for (let line of calls) {
    const pid = line.split(' ')[0]!;
    if (line.includes('<unfinished ...>')) {
      unfinished.set(pid, line.replace(/\s*<unfinished \.\.\.>$/, ''));
      continue;
    }
    const resumed = line.match(/^\d+\s+<\.\.\. \w+ resumed>(.*)$/);
    if (resumed) line = `${unfinished.get(pid) ?? ''}${resumed[1]}`;
    joined.push(line);
  }
  return joined;
}

/** What a trace shows was done to the files under `folders`: the problems of each write that would not survive a crash. */
function durabilityProblems(calls: string[], folders: string[]): { problems: string[]; written: Set<string>; dirSyncs: string[] } {
  const inside = (path: string) => folders.some((f) => path === f || path.startsWith(`${f}/`));
  const open = new Map<number, { path: string; flags: string; synced: boolean; wrote: boolean }>();
  const problems: string[] = [];
  const written = new Set<string>();
  const dirSyncs: string[] = [];
  const pendingDirSync: string[] = [];
  for (const line of joinedCalls(calls)) {
    const m = line.match(/^\d+\s+(\w+)\((.*)\)\s+=\s+(-?\d+)/);
    if (!m) continue;
    const [, call, args, ret] = m as unknown as [string, string, string, string];
    const result = Number(ret);
    if ((call === 'openat' || call === 'open') && result >= 0) {
      const path = args.match(/"([^"]*)"/)?.[1] ?? '';
      open.set(result, { path, flags: args, synced: false, wrote: /O_WRONLY|O_RDWR|O_CREAT|O_APPEND/.test(args) });
    } else if (call === 'fsync' || call === 'fdatasync') {
      const f = open.get(Number(args));
      if (f) {
        f.synced = true;
        if (!f.wrote) dirSyncs.push(f.path);
        for (let i = pendingDirSync.length - 1; i >= 0; i--) if (pendingDirSync[i] === f.path) pendingDirSync.splice(i, 1);
      }
    } else if (call === 'close') {
      const f = open.get(Number(args));
      open.delete(Number(args));
      if (!f || !f.wrote || !inside(f.path)) continue;
      written.add(f.path);
      if (/\.lock|lock-owner/.test(f.path)) continue; // the lock's own bookkeeping, not state
      // The fencing token is replaced atomically but not synced: it only has to outrank the runs alive beside it, which
      // a crash that could lose it ends too (src/state/fence.ts).
      if (!f.synced && !/\.fence\.tmp-/.test(f.path)) problems.push(`${f.path} was written and closed without a sync`);
      if (/O_TRUNC/.test(f.flags) && !/\.tmp-/.test(f.path)) problems.push(`${f.path} was rewritten in place, not through a temporary file and a rename`);
    } else if (call.startsWith('rename') && result === 0) {
      const [from, to] = [...args.matchAll(/"([^"]*)"/g)].map((x) => x[1]!);
      if (!to || !inside(to)) continue;
      written.add(to);
      // The fence's rename too, though a quiet run (one that writes nothing else to keep) deliberately leaves it
      // without a folder sync (src/state/fence.ts): the runs traced here all write state files after it, whose folder
      // sync covers it; a quiet run traced through this check would be flagged for it.
      pendingDirSync.push(dirname(to));
      void from;
    }
  }
  for (const folder of new Set(pendingDirSync)) problems.push(`a file was renamed in ${folder} but the folder was not synced afterwards`);
  return { problems, written, dirSyncs };
}

test('every state file a run, a cluster run and a migration write is synced, renamed into place and its folder synced', { skip: !hasStrace && 'strace is not installed', timeout: 180_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('durable-auth');
  await indexDocs(world.esUrl, index, ['ann', 'bob'].map((user) => logonEvent(T - 30_000, user)));
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}' });
  const stateDir = join(project.dir, 'state');

  const onFile = await traced(project, ['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(onFile.code, 0, onFile.stderr);
  const file = durabilityProblems(onFile.calls, [stateDir]);
  assert.deepEqual(file.problems, [], 'the file backend');
  for (const name of ['state.json', 'state.json.fence', 'audit.log', 'state.json.journal']) assert.ok(file.written.has(join(stateDir, name)), `${name} was written (${[...file.written].join(', ')})`);

  // The same project moved to the cluster, and a run there: the backup, alertcron.yaml, and the host's local file.
  const shared = `alertcron-state-durable-${Math.random().toString(36).slice(2, 8)}`;
  stateIndices.push(shared);
  const config = (await import('yaml')).parse(readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8'));
  project.writeConfig({ ...config, state: { ...config.state, index: shared, host_id: 'host-a', lease_ttl: '60s', max_clock_skew: '1s' } });
  const migrate = await traced(project, ['state', 'migrate', '--to', 'cluster'], {});
  assert.equal(migrate.code, 0, migrate.stderr);
  const moved = durabilityProblems(migrate.calls, [stateDir, join(project.dir, 'alertcron.yaml')]);
  assert.deepEqual(moved.problems, [], 'the migration');
  assert.ok(moved.written.has(join(project.dir, 'alertcron.yaml')));
  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'cid')]);
  const onCluster = await traced(project, ['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(onCluster.code, 0, onCluster.stderr);
  const cluster = durabilityProblems(onCluster.calls, [stateDir]);
  assert.deepEqual(cluster.problems, [], 'the cluster backend');
  const written = new Set([...moved.written, ...cluster.written]);
  for (const name of ['local.json', 'local.json.instance', 'local.json.journal']) assert.ok(written.has(join(stateDir, name)), `${name} was written (${[...written].join(', ')})`);
});

test('the set-aside file and the audit log are appended durably; the audit log\'s folder is synced only when the log is created', { skip: !hasStrace && 'strace is not installed', timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('durable-append');
  await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'ann')]);
  const project = world.project();
  project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}' });
  const auditDir = join(project.dir, 'audit');
  const config = (await import('yaml')).parse(readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8'));
  project.writeConfig({ ...config, state: { ...config.state, audit_log: join(auditDir, 'audit.log') } });
  const stateDir = join(project.dir, 'state');
  mkdirSync(stateDir);
  // A pending item of the wrong shape: set aside beside the state file.
  writeFileSync(join(stateDir, 'state.json'), JSON.stringify({ version: 1, alerts: {}, pending: [{ id: 'p-bad', createdAt: 'then' }], sent: [], silences: [], sources: {}, cursors: {}, conversations: [] }));
  const first = await traced(project, ['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(first.code, 0, first.stderr);
  const created = durabilityProblems(first.calls, [stateDir, auditDir]);
  assert.deepEqual(created.problems, []);
  assert.ok(created.written.has(join(stateDir, 'state.json.set-aside')), `the set-aside file was written (${[...created.written].join(', ')})`);
  assert.ok(created.written.has(join(auditDir, 'audit.log')));
  assert.ok(created.dirSyncs.includes(auditDir), 'the new audit log\'s folder was synced');
  await indexDocs(world.esUrl, index, [logonEvent(T + 30_000, 'bob')]);
  const second = await traced(project, ['run'], { ALERTCRON_NOW: iso(T + MIN) });
  assert.equal(second.code, 0, second.stderr);
  const appended = durabilityProblems(second.calls, [stateDir, auditDir]);
  assert.deepEqual(appended.problems, []);
  assert.ok(appended.written.has(join(auditDir, 'audit.log')), 'the audit log was appended to');
  assert.ok(!appended.dirSyncs.includes(auditDir), 'its folder was not synced again: no name in it changed');
});

/** What a trace shows of the writes to `file` and its syncs, in order: each `write` or `sync` with the fd's path. */
function journalCalls(calls: string[], file: string): ('write' | 'sync' | 'close')[] {
  const open = new Map<number, string>();
  const seen: ('write' | 'sync' | 'close')[] = [];
  for (const line of joinedCalls(calls)) {
    const m = line.match(/^\d+\s+(\w+)\((\d+|"[^"]*"|[^,]*,\s*"[^"]*")[^)]*.*=\s+(-?\d+)/);
    if (!m) continue;
    const [, call, first, ret] = m as unknown as [string, string, string, string];
    if (call === 'openat' || call === 'open') {
      if (Number(ret) >= 0) open.set(Number(ret), first.match(/"([^"]*)"/)?.[1] ?? '');
      continue;
    }
    const path = open.get(Number(first));
    if (call === 'close') open.delete(Number(first));
    if (path !== file) continue;
    if (call === 'write' || call === 'pwrite64' || call === 'writev') seen.push('write');
    else if (call === 'fsync' || call === 'fdatasync') seen.push('sync');
    else if (call === 'close') seen.push('close');
  }
  return seen;
}

test('accepted deliveries are journalled in groups: every journal write is synced before the next one and before the file is closed, with fewer syncs than deliveries', { skip: !hasStrace && 'strace is not installed', timeout: 120_000 }, async () => {
  const T = uniqueBaseTime();
  const index = await world.index('durable-group');
  const users = Array.from({ length: 24 }, (_, k) => `user${k}`);
  await indexDocs(world.esUrl, index, users.map((user) => logonEvent(T - 30_000, user)));
  const project = world.project({ extraConfig: { delivery: { deadline: '30s', attempt_timeout: '10s', retries: 0, concurrency: 8 } } });
  project.writeAlert('users', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], title: '{{key}}', samples: 0 });
  const before = world.slack.accepted().length;
  // The answers of the sends in flight come back together, while the journal is syncing the first of them.
  world.slack.delayMs = 100;
  try {
    const run = await traced(project, ['run'], { ALERTCRON_NOW: iso(T) }, 'write,pwrite64,writev');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(world.slack.accepted().length - before, users.length, 'every notice was sent once');
    const journal = journalCalls(run.calls, join(project.dir, 'state', 'state.json.journal'));
    const writes = journal.filter((c) => c === 'write').length;
    const syncs = journal.filter((c) => c === 'sync').length;
    assert.ok(writes >= 1, `the journal was written (${journal.join(' ')})`);
    // Each write is followed by its sync before anything else is written to the journal or it is closed.
    for (const [i, call] of journal.entries()) if (call === 'write') assert.equal(journal[i + 1], 'sync', `write ${i} of the journal is synced at once (${journal.join(' ')})`);
    assert.ok(syncs < users.length, `the ${users.length} accepted deliveries were synced in groups, not one sync each (${syncs} syncs: ${journal.join(' ')})`);
  } finally {
    world.slack.delayMs = 0;
  }
});

test('new state files are private (0600), a replaced file keeps its mode, and temporary files a killed write left behind are removed', { timeout: 60_000 }, async () => {
  const project = world.project();
  project.writeAlert('quiet', { index: 'nothing-here-*', condition: { type: 'any' }, notify: ['soc-email'], title: 'x' });
  const stateDir = join(project.dir, 'state');
  const first = await project.run(['run']);
  assert.equal(first.code, 0, first.stderr);
  const modeOf = (name: string) => (statSync(join(stateDir, name)).mode & 0o777).toString(8);
  for (const name of ['state.json', 'state.json.fence']) assert.equal(modeOf(name), '600', name);
  chmodSync(join(stateDir, 'state.json'), 0o640);
  // Left by writes killed between open and rename: by a process gone (pid 2^22 + 1 is above any pid_max), and by
  // a live one (this test) long ago; and one a live process is writing right now.
  const dead = 'state.json.tmp-4194305-1';
  const old = `state.json.tmp-${process.pid}-1`;
  const live = `state.json.tmp-${process.pid}-2`;
  const fence = 'state.json.fence.tmp-4194305-7';
  for (const name of [dead, old, live, fence]) writeFileSync(join(stateDir, name), '{"half":');
  utimesSync(join(stateDir, old), new Date(Date.now() - 5 * MIN), new Date(Date.now() - 5 * MIN));
  const second = await project.run(['run']);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(modeOf('state.json'), '640', 'the mode people gave state.json is kept');
  const left = readdirSync(stateDir).filter((name) => name.includes('.tmp-'));
  assert.deepEqual(left, [live], 'only the temporary file of a write still under way is left');
  assert.ok(existsSync(join(stateDir, 'state.json')));
});

/** A folder that cannot be written: a read-only tmpfs when this process may mount one, else a path under a file. */
function unwritableFolder(): { folder: string; how: string; cleanup: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'alertcron-ro-'));
  const mount = join(base, 'ro');
  mkdirSync(mount);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', mount]).status === 0) {
    return { folder: join(mount, 'state'), how: 'read-only', cleanup: () => (spawnSync('umount', [mount]), rmSync(base, { recursive: true, force: true })) };
  }
  writeFileSync(join(base, 'afile'), '');
  return { folder: join(base, 'afile', 'state'), how: 'not a folder', cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

test('a state folder that cannot be written is a clear error naming the path and the fix, exit 6, for every command that writes it', { timeout: 120_000 }, async () => {
  const ro = unwritableFolder();
  try {
    const T = uniqueBaseTime();
    const index = await world.index('ro-auth');
    await indexDocs(world.esUrl, index, [logonEvent(T - 30_000, 'ann')]);
    for (const backend of ['file', 'cluster'] as const) {
      const project = world.project();
      const shared = `alertcron-state-ro-${Math.random().toString(36).slice(2, 8)}`;
      stateIndices.push(shared);
      project.writeConfig({
        ...defaultConfig({ esUrl: world.esUrl, smtpPort: world.smtp.port, slackUrl: world.slack.url }),
        state: { backend, file: join(ro.folder, 'state.json'), audit_log: join(ro.folder, 'audit.log'), local_file: join(ro.folder, 'local.json'), index: shared, host_id: 'h', lock_wait: '2s' },
      });
      project.writeAlert('admins', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-email'], title: 'Admin {{key}}' });
      for (const args of [['run'], ['silence', 'add', 'admins', '--for', '30m', '--comment', 'maintenance'], ['ack', 'admins']]) {
        const r = await project.run(args, { ALERTCRON_NOW: iso(T) });
        const what = `${backend} ${args[0]} (${ro.how}): exit ${r.code}: ${r.stderr}`;
        assert.doesNotMatch(r.stderr, /internal error/, what);
        assert.equal(r.code, 6, what);
        assert.ok(r.stderr.includes(ro.folder.split('/state')[0]!), `the path is named: ${what}`);
        assert.match(r.stderr, /Fix: make .* writable by the user that runs alertcron .* or point state\.file, state\.audit_log and state\.local_file in alertcron\.yaml at a folder that is/, what);
      }
    }
    assert.equal(world.smtp.messages.length, 0, 'nothing is sent by a run that cannot record it');
  } finally {
    ro.cleanup();
  }
});

test('a state file that cannot be replaced (immutable) in a writable folder is the same clear error, exit 6, not an internal error', { timeout: 60_000 }, async (t) => {
  const project = world.project();
  project.writeAlert('quiet', { index: 'nothing-here-*', condition: { type: 'any' }, notify: ['soc-email'], title: 'x' });
  const first = await project.run(['run']);
  assert.equal(first.code, 0, first.stderr);
  const fence = join(project.dir, 'state', 'state.json.fence');
  if (spawnSync('chattr', ['+i', fence]).status !== 0) return t.skip('chattr +i is not available here');
  try {
    const r = await project.run(['run']);
    assert.doesNotMatch(r.stderr, /internal error/, r.stderr);
    assert.equal(r.code, 6, r.stderr);
    assert.ok(r.stderr.includes(join(project.dir, 'state')), r.stderr);
    assert.match(r.stderr, /operation not permitted \(permissions, or an immutable file\) \(EPERM\).*Fix: make /, r.stderr);
  } finally {
    spawnSync('chattr', ['-i', fence]);
  }
});

/** Runs the CLI in a project as a user that cannot read root's private files (nobody, when the tests run as root). */
function runUnprivileged(project: Project, args: string[], privateFiles: string[]): Promise<{ code: number | null; stderr: string }> {
  const asRoot = process.getuid?.() === 0;
  // nobody must be able to work in the project: its folder, state folder and cache are opened up, but for the files
  // the test makes private.
  if (asRoot) spawnSync('chmod', ['-R', 'a+rwX', project.dir]);
  for (const file of privateFiles) chmodSync(file, 0o600);
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: project.dir,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', XDG_CACHE_HOME: join(project.dir, '.cache'), ...project.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

test('a file alertcron only reads (a CA file, a *_file secret) that it may not open is a configuration error at its key, not exit 6 "cannot write"', { timeout: 60_000 }, async () => {
  for (const backend of ['file', 'cluster'] as const) {
    const project = world.project();
    project.writeAlert('quiet', { index: 'nothing-here-*', condition: { type: 'any' }, notify: ['soc-email'], title: 'x' });
    const shared = `alertcron-state-ca-${Math.random().toString(36).slice(2, 8)}`;
    stateIndices.push(shared);
    const config = (await import('yaml')).parse(readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8'));
    const ca = join(project.dir, 'ca.pem');
    project.writeConfig({ ...config, elasticsearch: { ...config.elasticsearch, ca_file: ca }, state: { ...config.state, backend, index: shared, host_id: 'h' } });
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    const refused = await runUnprivileged(project, ['run'], [ca]);
    const what = `${backend}: exit ${refused.code}: ${refused.stderr}`;
    assert.doesNotMatch(refused.stderr, /internal error|cannot write|Fix: make/, what);
    assert.equal(refused.code, 2, what);
    assert.match(refused.stderr, new RegExp(`cannot read elasticsearch\\.ca_file: ${ca.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*permission denied`, 'i'), what);
  }

  const project = world.project();
  project.writeAlert('quiet', { index: 'nothing-here-*', condition: { type: 'any' }, notify: ['soc-email'], title: 'x' });
  const config = (await import('yaml')).parse(readFileSync(join(project.dir, 'alertcron.yaml'), 'utf8'));
  // The cluster's own password: a run needs it (a channel's is needed only by that channel's deliveries).
  const secret = join(project.dir, 'es.password');
  writeFileSync(secret, 'hunter2\n');
  project.writeConfig({ ...config, elasticsearch: { ...config.elasticsearch, username: 'alertcron', password_file: secret } });
  const r = await runUnprivileged(project, ['run'], [secret]);
  const what = `secret: exit ${r.code}: ${r.stderr}`;
  assert.doesNotMatch(r.stderr, /internal error|cannot write|Fix: make/, what);
  assert.equal(r.code, 2, what);
  assert.match(r.stderr, /alertcron\.yaml:\d+:\d+ .*cannot read password_file: .*es\.password/, what);
});
