// npm run demo, as a newcomer sees it: what fired, where it went, what each server received, a folder that exists.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/project.js';

test('the demo prints the NOTIFY lines, the deliveries and what each sink received, and keeps the folder it names', async () => {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'test', 'demo', 'demo.js')], { cwd: REPO_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const folder = /^The project folder stays: (\S+)$/m.exec(out)?.[1];
  try {
    assert.equal(code, 0, out);
    assert.match(out, /^ {2}key "Administrator" count \d+: NOTIFY \(first/m);
    assert.match(out, /^delivered: admin-logins "Administrator" -> soc-email \(first\)$/m);
    assert.match(out, /^delivered: hive-sla "~\d+" -> oncall-sms \(tier-1\)$/m);
    assert.match(out, /^== the SMTP server received 3 mail\(s\)$/m);
    assert.match(out, /^ {2}to soc@test\.local: Admin logon: Administrator$/m);
    assert.match(out, /^== Slack received 4 message\(s\)$/m);
    assert.match(out, /^ {2}MaxPatrol INC-1: Beaconing to a rare domain \(High\)$/m);
    assert.match(out, /^== MaxPatrol: 1 login\(s\) for both runs/m);
    assert.match(out, /^INC-1 confirmed \(New -> Approved\) by demo: https:\/\/127\.0\.0\.1:\d+\/#\/incident\/incidents\/view\/[0-9a-f-]+\n\(exit code 0\); the incident's status on the core: Approved$/m);
    assert.match(out, /^== the Slack app asked dave in a DM \(1 message\(s\)\)/m);
    assert.match(out, /^ {2}Did you just log on to app-7 over remote desktop from 203\.0\.113\.7\?$/m);
    assert.match(out, /^ {2}rdp-logon-ask "dave" asking "dave" on soc-bot: asked, answer due /m);
    assert.match(out, /^ {2}SMS to \+15551230001: \[tier-1\] TheHive alert: Beaconing from ws-17/m);
    assert.doesNotMatch(out, /clock went back|ahead of the clock/, 'a fresh state is never ahead of the clock');
    assert.match(out, /^== alertcron status\nlast run: [^\n]*exit code 0/m);
    assert.ok(folder, 'the demo names its folder');
    assert.ok(existsSync(join(folder, 'state', 'audit.log')), 'the folder it names, with the audit log it points at, is still there');
  } finally {
    if (folder?.includes('alertcron-test-')) rmSync(folder, { recursive: true, force: true });
  }
});
