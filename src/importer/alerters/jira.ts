import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { quoteData } from '../quote.js';
import { splitUserinfo } from '../secretUrl.js';
import { listOf, type AlerterChannel, type AlerterContext } from './context.js';

/** jira_ options of ElastAlert2's duplicate handling: the channel has its own (one open issue per key, commented on). */
const BUMP = ['jira_bump_tickets', 'jira_bump_only', 'jira_bump_not_in_statuses', 'jira_bump_in_statuses', 'jira_bump_after_inactivity', 'jira_max_age', 'jira_ignore_in_title'];

/**
 * Which credential an account file holds: `token` (apikey:) or `basic` (user: and password:), read from the file
 * when it sits next to the rule (as ElastAlert2 finds a relative path); undefined when it cannot be read there.
 * Only the key names are looked at; no value is kept.
 */
function accountKind(ruleFile: string, accountFile: string): 'token' | 'basic' | undefined {
  if (isAbsolute(accountFile) || accountFile.split(/[\\/]/).includes('..')) return undefined;
  let text: string;
  try {
    text = readFileSync(join(dirname(ruleFile), accountFile), 'utf8');
  } catch {
    return undefined;
  }
  if (/^\s*apikey\s*:/m.test(text)) return 'token';
  return /^\s*user\s*:/m.test(text) ? 'basic' : undefined;
}

/**
 * ElastAlert2's jira alerter as a `jira` channel: server, project, issue type, components, labels, assignee,
 * watchers and transition carried over; jira_account_file's user and password (or apikey) become the username and
 * password variables (or the token variable). ElastAlert2's bumping of an open ticket is the channel's own
 * behaviour: one open issue per alert and key, commented on by later notices.
 */
export function convertJira(ctx: AlerterContext): AlerterChannel[] {
  const server = ctx.take('jira_server');
  const project = ctx.take('jira_project');
  if (typeof server !== 'string' || !server) return ctx.refuse('jira_server', 'jira_');
  if (project === undefined) return ctx.refuse('jira_project', 'jira_');
  // A user:password@ part of the server is a credential: never written into the URL.
  const serverUrl = splitUserinfo(server);
  const config: Record<string, unknown> & { type: string } = { type: 'jira', url: serverUrl.url.replace(/\/+$/, ''), project: String(project) };
  const issueType = ctx.take('jira_issuetype');
  if (issueType !== undefined) config.issue_type = String(issueType);
  const components = listOf(ctx.take('jira_components') ?? ctx.take('jira_component'));
  ctx.use('jira_component');
  if (components.length) config.components = components;
  const labels = listOf(ctx.take('jira_labels') ?? ctx.take('jira_label'));
  ctx.use('jira_label');
  if (labels.length) config.labels = labels;
  const description = ctx.take('jira_description');
  if (typeof description === 'string' && description) {
    if (/\{\{|\}\}/.test(description)) ctx.note('jira_description', 'not converted: its {{ or }} would read as a template');
    else config.description = `${description}\n{{message}}`;
  }
  const assignee = ctx.take('jira_assignee');
  if (assignee !== undefined) config.assignee = String(assignee);
  const watchers = listOf(ctx.take('jira_watchers'));
  if (watchers.length) config.watchers = watchers;
  const transition = ctx.take('jira_transition_to');
  if (typeof transition === 'string' && transition) config.transition_to = transition;
  if (ctx.take('jira_priority') !== undefined) ctx.note('jira_priority', 'not converted: ElastAlert2 takes a position in the server\'s list of priorities; write the priority\'s name as priority: (e.g. High)');
  if (ctx.take('jira_parent') !== undefined) ctx.note('jira_parent', 'not converted: the channel creates issues, not sub-tasks');
  const bumps = BUMP.filter((key) => ctx.options[key] !== undefined);
  for (const key of bumps) ctx.take(key);
  if (bumps.length) ctx.note(bumps[0]!, 'converted as the channel\'s own behaviour: while the issue a key opened is not done, a new notice of that key comments on it instead of opening another; the channel finds it by its alertcron-<id> label, not by its title');

  const secrets = [];
  const account = ctx.take('jira_account_file');
  if (serverUrl.username !== undefined && account !== undefined) {
    ctx.note('jira_server', 'its user:password@ part is left out of the URL (a credential): the channel authenticates with jira_account_file\'s credentials, as ElastAlert2 did');
  } else if (serverUrl.username !== undefined) {
    config.username = serverUrl.username;
    if (serverUrl.password !== undefined) secrets.push(ctx.secret('password', 'jira_server', serverUrl.password));
    ctx.note('jira_server', 'its user:password@ part is taken out of the URL (a credential): the user is the channel\'s username, the password its password variable');
  } else if (account === undefined) ctx.noteAlerter('jira_account_file', 'no jira_account_file: set the channel\'s username and password (or token)');
  else {
    const kind = accountKind(ctx.ruleFile, String(account));
    if (kind === 'token') {
      secrets.push(ctx.secret('token', 'jira_account_file', `file:${String(account)}:apikey`));
      ctx.note('jira_account_file', `the apikey in ${quoteData(account)} becomes the token variable of the jira channel (a personal access token, sent as Bearer)`);
    } else {
      secrets.push(ctx.secret('username', 'jira_account_file', `file:${String(account)}:user`), ctx.secret('password', 'jira_account_file', `file:${String(account)}:password`));
      ctx.note('jira_account_file', `the user and password in ${quoteData(account)} become the username and password variables of the jira channel${kind ? '' : ' (if the file holds apikey: instead, set token: to it and remove username and password)'}`);
    }
  }
  ctx.rest('jira_', 'not converted: a Jira custom field is not set by the channel');
  return [{ config, secrets }];
}
