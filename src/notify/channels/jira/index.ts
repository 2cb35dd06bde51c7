import { optionalText, originOf, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';
import type { JiraChannelConfig } from './types.js';

/** Jira issues through REST API v2: one per key while it is open (later notices comment on it), closed on the key's resolve. */
export const jiraChannel: ChannelKind<JiraChannelConfig> = {
  type: 'jira',
  secretKeys: ['password', 'token'],
  complete(raw) {
    const url = String(raw.url ?? '').replace(/\/+$/, '');
    let cloud = false;
    try {
      cloud = new URL(url).hostname.endsWith('.atlassian.net');
    } catch {
      /* the schema reports a bad url */
    }
    return {
      type: 'jira',
      url,
      username: optionalText(raw, 'username'),
      password: optionalText(raw, 'password'),
      token: optionalText(raw, 'token'),
      project: String(raw.project ?? ''),
      issue_type: String(raw.issue_type ?? ''),
      summary: optionalText(raw, 'summary') ?? '{{title}}',
      description: optionalText(raw, 'description') ?? '{{message}}',
      labels: (raw.labels as string[] | undefined) ?? ['alertcron'],
      components: (raw.components as string[] | undefined) ?? [],
      priority: optionalText(raw, 'priority'),
      assignee: optionalText(raw, 'assignee'),
      watchers: (raw.watchers as string[] | undefined) ?? [],
      transition_to: optionalText(raw, 'transition_to'),
      resolve_transition: optionalText(raw, 'resolve_transition'),
      cloud,
      timeout: timeoutOf(raw),
    };
  },
  problems(raw) {
    const has = (key: string) => raw[key] !== undefined || raw[`${key}_file`] !== undefined;
    if (has('token') && (has('username') || has('password'))) return ['a jira channel signs in with token, or with username and password: set one of them, not both'];
    if (!has('token') && !(has('username') && has('password'))) return ['a jira channel needs username and password (Jira Cloud: your e-mail address and an API token), or token (a personal access token on Jira Server/Data Center)'];
    return [];
  },
  sentCredentials: (config) => (config.token ? [{ header: `Bearer ${config.token}` }] : config.password ? [{ pair: [config.username ?? '', config.password] }] : []),
  destinations: async (_name, config) => [`Jira ${originOf(config.url)} project ${config.project}`],
  receiptId: 'issue',
  notifier: async (name, config) => (await import('./notifier.js')).createJiraNotifier(name, config),
};
