import { renderTemplate } from '../../../util/template.js';
import { cutText, oneLine } from '../../../util/text.js';
import { usableDigest } from '../../digest/usable.js';
import { noticeLookup } from '../../noticeTemplate.js';
import type { Notification } from '../../types.js';
import type { JiraChannelConfig } from './types.js';
import { wikiDigest } from './digestTable.js';
import { cutWiki, inertWiki } from './wikiText.js';

/** Jira's limit on a summary, and on a description or comment (Cloud and Server's default text field limit). */
const MAX_SUMMARY = 255;
export const MAX_WIKI_TEXT = 32_767;

/** The summary of an issue: the template over the notice's plain values, one clean line, cut to 255 characters. */
export function issueSummary(config: JiraChannelConfig, notification: Notification): string {
  return cutText(oneLine(renderTemplate(config.summary, noticeLookup(notification, (text) => text))), MAX_SUMMARY) || cutText(oneLine(notification.alert), MAX_SUMMARY) || 'alertcron';
}

/**
 * The wiki text a notice shows in Jira (an issue's description, a comment's body): the description template with
 * every value escaped (the template's own text is the operator's wiki markup), or for a digest its caption and a
 * wiki table; cut to Jira's limit.
 */
export function noticeWiki(config: JiraChannelConfig, notification: Notification): string {
  const digest = usableDigest(notification.digest);
  if (digest) return wikiDigest(digest, MAX_WIKI_TEXT);
  return cutWiki(renderTemplate(config.description, noticeLookup(notification, inertWiki)), MAX_WIKI_TEXT);
}

/** A comment on the key's open issue: the notice's title in bold, then its wiki text. */
export function commentBody(config: JiraChannelConfig, notification: Notification): string {
  const title = inertWiki(oneLine(notification.title));
  return cutWiki(`${title ? `*${title}*\n\n` : ''}${noticeWiki(config, notification)}`, MAX_WIKI_TEXT);
}

/** The fields of a new issue (POST /rest/api/2/issue): `label` is the key's incident label (none for a digest). */
export function issueFields(config: JiraChannelConfig, notification: Notification, label: string | undefined): Record<string, unknown> {
  const person = (who: string) => (config.cloud ? { accountId: who } : { name: who });
  return {
    project: { key: config.project },
    issuetype: { name: config.issue_type },
    summary: issueSummary(config, notification),
    description: noticeWiki(config, notification),
    labels: [...new Set([...config.labels, ...(label ? [label] : [])])],
    ...(config.components.length ? { components: config.components.map((name) => ({ name })) } : {}),
    ...(config.priority ? { priority: { name: config.priority } } : {}),
    ...(config.assignee ? { assignee: person(config.assignee) } : {}),
  };
}
