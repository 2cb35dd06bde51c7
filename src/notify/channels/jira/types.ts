import type { ChannelBase } from '../../config.js';

/** A Jira channel: where Jira is, how it signs in, and what each issue gets. */
export interface JiraChannelConfig extends ChannelBase {
  type: 'jira';
  /** Jira's base URL, without a trailing slash. */
  url: string;
  username?: string;
  password?: string;
  /** A personal access token (Bearer), instead of username and password. */
  token?: string;
  project: string;
  issue_type: string;
  summary: string;
  description: string;
  labels: string[];
  components: string[];
  priority?: string;
  assignee?: string;
  watchers: string[];
  transition_to?: string;
  resolve_transition?: string;
  /** Whether Jira is Jira Cloud (*.atlassian.net): people are named by account id there. */
  cloud: boolean;
  timeout: number;
}
