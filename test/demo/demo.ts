// The newcomer's demo: a local OpenSearch node, an SMTP sink and servers that speak Slack's, Twilio's, TheHive's,
// MaxPatrol SIEM's, the Slack Web API's and Duo's protocols, seeded auth events, TheHive items and a MaxPatrol incident, then the real CLI (`alertcron validate`,
// `run --verbose`, the same a minute later, `list`, `status`) on the bundled examples, and what each server received.
// The project folder is kept afterwards, for reading its state and audit log.
import { startEngine } from '../support/engine.js';
import { BIN, createProject } from '../support/project.js';
import { createIndex, indexDocs, logonEvent } from '../support/seed.js';
import { startSlackServer } from '../support/slackServer.js';
import { startSmtpSink } from '../support/smtpSink.js';
import { exampleConfig } from '../support/exampleConfig.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxPatrolEnv, startMaxPatrolServer } from '../support/maxpatrolServer.js';
import { startTheHiveServer } from '../support/theHiveServer.js';
import { startTwilioServer } from '../support/twilioServer.js';
import { startDuoServer } from '../support/duoServer.js';
import { startSlackApiServer } from '../support/slackApiServer.js';

const MIN = 60_000;
const say = (text: string) => console.log(`\n== ${text}`);

say('starting a local OpenSearch 2.19 node (the first time, Maven downloads about 80 MB of jars)');
const engine = await startEngine();
const smtp = await startSmtpSink();
const slack = await startSlackServer();
const twilio = await startTwilioServer();
const hive = await startTheHiveServer();
const slackApi = await startSlackApiServer();
const duo = await startDuoServer();
slackApi.addUser('U0DAVE', 'dave@example.org');
const mp = await startMaxPatrolServer();
const project = createProject({ esUrl: engine.url, smtpPort: smtp.port, slackUrl: slack.url });
writeFileSync(join(project.dir, 'mp-ca.pem'), mp.ca);
const maxPatrol = { apiUrl: mp.apiUrl, tokenUrl: mp.tokenUrl, caFile: 'mp-ca.pem', username: mp.username };
project.writeConfig(exampleConfig({ esUrl: engine.url, smtpPort: smtp.port, slackUrl: slack.url, twilio, theHiveUrl: hive.base, slackApiUrl: slackApi.apiUrl, duoUrl: duo.base, maxPatrol }));
Object.assign(project.env, { TWILIO_AUTH_TOKEN: twilio.authToken, THEHIVE_API_KEY: hive.apiKey, SLACK_BOT_TOKEN: slackApi.token, DUO_IKEY: duo.ikey, DUO_SKEY: duo.skey }, maxPatrolEnv(mp));
const suffix = Date.now().toString(36);
try {
  // The first run's clock is a minute ago and the second run's the real one, as cron's next minute: every window
  // stored is then behind the clock, so status and list (now or later in the kept folder) see no clock that went back.
  const now = Date.now() - MIN;
  await createIndex(engine.url, `winlogbeat-demo-${suffix}`);
  await indexDocs(engine.url, `winlogbeat-demo-${suffix}`, [
    logonEvent(now - 2 * MIN, 'Administrator', { host: 'dc01', ip: '10.0.4.17' }),
    logonEvent(now - MIN, 'alice', { host: 'ws-22' }),
    ...Array.from({ length: 12 }, (_, i) => logonEvent(now - 3 * MIN + i * 5000, 'bob', { code: '4625', ip: '198.51.100.23' })),
    { ...logonEvent(now - MIN, 'dave', { host: 'app-7', ip: '203.0.113.7' }), winlog: { event_data: { TargetUserName: 'dave', LogonType: '10' } } },
  ]);
  const sla = hive.addAlert({ title: 'Beaconing from ws-17', severity: 3, _createdAt: now - 31 * MIN });
  hive.addCase({ title: 'Invoice 4411', _createdAt: now - 10 * MIN, tags: ['user_email:jane@example.org'], customFields: [{ name: 'classification', value: 'phishing' }] });
  mp.addIncident({ created: now - 3 * MIN, name: 'Beaconing to a rare domain', category: 'C2', type: 'Network attack', severity: 'High', events: [{ id: 'e1', date: mp.time(now - 4 * MIN), description: 'ws-17 resolved rare-domain.example 40 times' }] });
  project.copyExamples();
  console.log(`seeded 15 logon events (one an RDP logon by dave) into ${engine.url}/winlogbeat-demo-${suffix}, a 31-minute-old TheHive alert, a reported case and a new MaxPatrol incident`);
  console.log(`project folder (kept after the demo): ${project.dir}`);

  const aMinuteAgo = { ALERTCRON_NOW: new Date(now).toISOString() };
  const steps: [string[], Record<string, string>, string][] = [
    [['validate'], {}, ''],
    [['run', '--verbose'], aMinuteAgo, ' (as of a minute ago: ALERTCRON_NOW sets the run\'s clock; cron runs plain `alertcron run`, which is quiet on success; --verbose shows what fired and where it went)'],
    [['run', '--verbose'], {}, ' (now, cron\'s next minute)'],
    [['list'], {}, ''],
    [['status'], {}, ''],
  ];
  for (const [args, env, note] of steps) {
    say(`alertcron ${args.join(' ')}${note}`);
    const result = await project.run(args, env);
    process.stdout.write(result.stdout + result.stderr);
    console.log(`(exit code ${result.code})`);
  }

  say(`the SMTP server received ${smtp.messages.length} mail(s)`);
  for (const mail of smtp.messages) console.log(`  to ${mail.to.join(', ')}: ${mail.subject}`);
  say(`Slack received ${slack.accepted().length} message(s)`);
  for (const payload of slack.accepted() as { text: string }[]) console.log(`  ${payload.text}`);
  say(`Twilio received ${twilio.messages.length} SMS and ${twilio.calls.length} call(s)`);
  for (const sms of twilio.messages) console.log(`  SMS to ${sms.To}: ${sms.Body?.split('\n')[0]}`);
  for (const call of twilio.calls) console.log(`  call to ${call.To}`);
  const dm = slackApi.channels.get(slackApi.dmOf('U0DAVE')) ?? [];
  say(`the Slack app asked dave in a DM (${dm.length} message(s)); he has not answered yet, so status shows the conversation as asked`);
  for (const message of dm) console.log(`  ${message.text.split('\n')[0]}`);
  say(`TheHive: the alert is now tagged ${sla.tags.join(', ')}; the case ${hive.caseList[0]?.tags.includes('mail sent') ? 'is tagged "mail sent"' : 'is not tagged'}`);
  say(`MaxPatrol: ${mp.logins} login(s) for both runs (the token is kept in state/state.json, not logged in every minute)`);
  const confirm = await project.run(['maxpatrol', 'confirm', 'INC-1', '--by', 'demo']);
  console.log(`alertcron maxpatrol confirm INC-1 --by demo\n${confirm.stdout}${confirm.stderr}(exit code ${confirm.code}); the incident's status on the core: ${mp.incidents[0]?.status}`);
  say('the second run sent nothing new: its keys are throttled');
  const audit = project.audit();
  console.log(`The project folder stays: ${project.dir}`);
  console.log(`  alertcron.yaml, alerts/ and queries/ as the demo ran them; state/state.json; state/audit.log (${audit.length} lines: every decision and delivery)`);
  console.log(`  The demo's servers are stopped now; status and list still work there: cd ${project.dir} && node ${BIN} status`);
  console.log(`  Remove it with: rm -rf ${project.dir}`);
} finally {
  // The seeded index goes (an engine that was already running is left as it was); the project folder stays.
  await fetch(`${engine.url}/winlogbeat-demo-${suffix}`, { method: 'DELETE' }).catch(() => undefined);
  await smtp.close();
  await slack.close();
  await twilio.close();
  await hive.close();
  await slackApi.close();
  await duo.close();
  await mp.close();
  await engine.stop();
}
