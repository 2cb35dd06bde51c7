// A Jira create that got no clear answer may have stored the issue: every later notice of that key in the run waits
// for the next run (whose search has caught up), a repeat or tier that carries the receipt of an earlier, closed
// issue included; only a resolve goes to the issue its receipt names. Driven against the fake Jira with a lagging search.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jiraChannel } from '../../src/notify/channels/jira/index.js';
import { createJiraNotifier } from '../../src/notify/channels/jira/notifier.js';
import { incidentId } from '../../src/notify/incidentId.js';
import { DeliveryError, type Notification } from '../../src/notify/types.js';
import { startJiraServer, type JiraServer } from '../support/jiraServer.js';

let jira: JiraServer;
before(async () => {
  jira = await startJiraServer();
});
after(async () => {
  await jira?.close();
});

test('after an unsure create, a tier carrying a closed issue\'s receipt waits for the next run instead of opening a second issue', async () => {
  const config = jiraChannel.complete({ type: 'jira', url: jira.base, username: jira.user, password: jira.apiToken, project: 'SEC', issue_type: 'Task', timeout: '3s' });
  const notice = (reason: string, opened?: string): Notification => ({ alert: 'admin-logons', key: 'root', reason, title: `Admin logon: root (${reason})`, message: 'seen', ...(opened ? { opened: { id: opened } } : {}) });
  const signal = new AbortController().signal;
  const first = await (await createJiraNotifier('jira', config)).send(notice('first'), signal);
  const openedId = (first as { id: string }).id;
  jira.setStatus(openedId, 'Done');
  jira.createFailures = 1;
  jira.searchLagMs = 60_000;
  const notifier = await createJiraNotifier('jira', config);
  await assert.rejects(notifier.send(notice('repeat', openedId), signal), (error: unknown) => error instanceof DeliveryError && error.nextRunOnly && /may have created the issue/.test(error.message));
  await assert.rejects(notifier.send(notice('tier-1', openedId), signal), (error: unknown) => error instanceof DeliveryError && error.nextRunOnly && /waits for the next run/.test(error.message));
  const label = incidentId('admin-logons', 'root');
  const open = jira.issues.filter((issue) => issue.fields.labels.includes(label) && issue.status !== 'Done');
  assert.equal(open.length, 1, `one open issue for the key, not ${open.map((issue) => issue.key).join(', ')}`);
});
