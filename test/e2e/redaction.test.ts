// No secret in an echoed error: a cluster that echoes the credentials it received cannot make alertcron write them
// anywhere, whatever form they take; and Slack's fallback text carries no mrkdwn styling from log data.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startHttpRecorder, type RecordedRequest } from '../support/httpRecorder.js';
import { defaultConfig } from '../support/project.js';
import { indexDocs, logonEvent, uniqueBaseTime } from '../support/seed.js';
import { iso, useWorld } from '../support/world.js';

const MIN = 60_000;
const world = useWorld();

/** Every piece of a secret long enough to identify it: the whole, and each 16-character window of it. */
function pieces(secret: string): string[] {
  const out = [secret];
  for (let i = 0; i + 16 <= secret.length; i++) out.push(secret.slice(i, i + 16));
  return out;
}

/** A fake cluster answering 401 with the Authorization header it received in the body, as JSON or as text cut by alertcron at 200 characters. */
async function echoingCluster(format: { mode: 'json' | 'text' }, extra: (auth: string) => string = () => '') {
  return startHttpRecorder((request: RecordedRequest) => {
    const auth = String(request.headers.authorization ?? '');
    if (format.mode === 'json') {
      return { status: 401, body: { error: { type: 'security_exception', reason: `unable to authenticate with credentials [Authorization: ${auth}]${extra(auth)} for REST request [/_msearch]` }, status: 401 } };
    }
    // The header starts 150 characters in: a cut at 200 falls inside its base64.
    return { status: 401, body: `${'p'.repeat(150)}${auth} was refused${extra(auth)}` };
  });
}

/** Everything alertcron wrote: outputs of the commands, the state file, the audit log, and the notices the channels received. */
function everything(project: { dir: string }, outputs: string[]): Record<string, string> {
  const file = (name: string) => (existsSync(join(project.dir, 'state', name)) ? readFileSync(join(project.dir, 'state', name), 'utf8') : '');
  return {
    outputs: outputs.join('\n'),
    state: file('state.json'),
    keys: (existsSync(join(project.dir, 'state')) ? readdirSync(join(project.dir, 'state')) : []).filter((f) => f.startsWith('state.json.keys-')).map(file).join('\n'),
    audit: file('audit.log'),
    slack: JSON.stringify(world.slack.requests.map((r) => r.body)),
    email: world.smtp.messages.map((m) => m.raw).join('\n'),
  };
}

function assertNoSecret(written: Record<string, string>, secrets: string[]): void {
  for (const [where, text] of Object.entries(written)) {
    for (const secret of secrets) for (const piece of pieces(secret)) assert.ok(!text.includes(piece), `${where} contains a piece of a secret: ${piece}`);
  }
}

test('a cluster echoing the Basic Authorization header in its 401 body leaks the credentials nowhere: stdout, stderr, --json, state, audit log, the notices', async () => {
  const format = { mode: 'json' as 'json' | 'text' };
  const cluster = await echoingCluster(format);
  try {
    const password = 'correct-horse-battery-staple-42';
    const heartbeat = 'http://127.0.0.1:9/ping/6f1c2a9e-0b7d-4e55-9a1e-secret';
    const project = world.project();
    Object.assign(project.env, { ES_PASSWORD: password, HEARTBEAT_URL: heartbeat });
    project.writeConfig({
      ...defaultConfig({ esUrl: cluster.base, smtpPort: world.smtp.port }),
      elasticsearch: { url: cluster.base, username: 'alertcron', password: '${ES_PASSWORD}', timeout: '3s' },
      monitoring: { notify: ['soc-slack', 'soc-email'], after_failures: 1, heartbeat_url: '${HEARTBEAT_URL}' },
    });
    project.writeAlert('logons', { index: 'winlogbeat-*', condition: { type: 'any' }, notify: ['soc-slack'] });
    const T = uniqueBaseTime();
    const outputs: string[] = [];
    const run = async (args: string[], minute: number) => {
      const result = await project.run(args, { ALERTCRON_NOW: iso(T + minute * MIN) });
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    const json = await run(['run', '--json'], 0);
    assert.equal(json.code, 3, json.stderr);
    assert.match(JSON.parse(json.stdout).alerts[0].error, /answered HTTP 401: security_exception: unable to authenticate with credentials \[Authorization: Basic \*\*\*\]/);
    format.mode = 'text';
    const verbose = await run(['run', '--verbose'], 1);
    assert.equal(verbose.code, 3);
    assert.match(verbose.stdout, /logons .*: ERROR .* answered HTTP 401: p{150}Basic \*\*\* was refused/);
    await run(['test', 'logons', '--json'], 2);
    await run(['status'], 2);
    await run(['status', '--json'], 2);
    await run(['list', '--json'], 2);

    const auth = String(cluster.requests[0]!.headers.authorization);
    const encoded = auth.slice('Basic '.length);
    assert.equal(Buffer.from(encoded, 'base64').toString(), `alertcron:${password}`, 'the cluster did get the credentials');
    assert.ok(world.slack.accepted().some((p) => JSON.stringify(p).includes('alertcron cannot search the cluster')), 'the notice went to Slack');
    assert.ok(world.smtp.messages.some((m) => m.subject === 'alertcron cannot search the cluster'), 'and by email');
    // Whatever follows the username's own 12 base64 characters encodes the password.
    assertNoSecret(everything(project, outputs), [password, `alertcron:${password}`, encoded.slice(12), '6f1c2a9e-0b7d-4e55-9a1e-secret']);
  } finally {
    await cluster.close();
  }
});

test('an API key echoed by the cluster, as sent and decoded, is redacted too', async () => {
  const key = Buffer.from('VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw').toString('base64');
  const cluster = await echoingCluster({ mode: 'json' }, (auth) => ` (decoded: ${Buffer.from(auth.replace(/^ApiKey /, ''), 'base64').toString()})`);
  try {
    const project = world.project();
    project.env.ES_API_KEY = key;
    project.writeConfig({ ...defaultConfig({ esUrl: cluster.base }), elasticsearch: { url: cluster.base, api_key: '${ES_API_KEY}', timeout: '3s' } });
    project.writeAlert('logons', { index: 'winlogbeat-*', condition: { type: 'any' }, notify: ['soc-slack'] });
    const result = await project.run(['run', '--json']);
    assert.equal(result.code, 3);
    assert.equal(cluster.requests[0]!.headers.authorization, `ApiKey ${key}`);
    assert.match(JSON.parse(result.stdout).alerts[0].error, /\[Authorization: ApiKey \*\*\*\] \(decoded: \*\*\*\)/);
    assertNoSecret(everything(project, [result.stdout, result.stderr]), [key, 'VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw', 'ui2lp2axTNmsyakw9tvNnw']);
  } finally {
    await cluster.close();
  }
});

test('the heartbeat URL is a secret: written inline it is a configuration error at its key', async () => {
  const project = world.project();
  project.writeConfig({ ...defaultConfig({ esUrl: world.esUrl }), monitoring: { heartbeat_url: 'https://hc-ping.com/6f1c2a9e-0b7d-4e55-9a1e-0123456789ab' } });
  const result = await project.run(['validate']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^alertcron\.yaml:\d+:\d+ \/monitoring\/heartbeat_url: secrets must not be written inline: use heartbeat_url: \$\{SOME_ENV_VAR\} or heartbeat_url_file: \/path\/to\/file$/m);
  assert.ok(!result.stderr.includes('6f1c2a9e'), 'the error does not repeat it');
});

test('Slack\'s fallback text carries no mrkdwn styling from log data; the message blocks keep the text as it was', async () => {
  const T = uniqueBaseTime();
  const index = await world.index('slack-mrkdwn');
  const user = '*bold* _italic_ ~strike~ `code` ```block```';
  await indexDocs(world.esUrl, index, [logonEvent(T - MIN, user)]);
  const project = world.project();
  project.writeAlert('logons', { index, condition: { type: 'any' }, group_by: 'winlog.event_data.TargetUserName', notify: ['soc-slack'], title: 'Logon: {{key}}', samples: 0 });
  const result = await project.run(['run'], { ALERTCRON_NOW: iso(T) });
  assert.equal(result.code, 0, result.stderr);
  const [payload] = world.slack.accepted() as { text: string; blocks: { text: { type: string; text: string } }[] }[];
  assert.doesNotMatch(payload!.text, /[*_~`]/);
  assert.equal(payload!.text, 'Logon: \u2217bold\u2217 \u02cditalic\u02cd \u223cstrike\u223c \u02cbcode\u02cb \u02cb\u02cb\u02cbblock\u02cb\u02cb\u02cb');
  assert.equal(payload!.blocks[0]!.text.type, 'plain_text');
  assert.ok(payload!.blocks[0]!.text.text.startsWith(`Logon: ${user}\n`));
});
