import { incidentId } from '../../incidentId.js';
import { DeliveryError, type Notification, type Notifier } from '../../types.js';
import type { Receipt } from '../../../model/receipt.js';
import { jiraFailure, jiraRequest, jsonOf } from './client.js';
import { commentBody, issueFields } from './issueBody.js';
import type { JiraChannelConfig } from './types.js';

/** Jira Cloud's search (GET /rest/api/2/search/jql), and Server/Data Center's (GET /rest/api/2/search), which Cloud removed. */
const SEARCH_PATHS = ['/rest/api/2/search/jql', '/rest/api/2/search'];

/**
 * Creates a Jira notifier: the first notice of a key creates an issue labelled with the key's incident id (then its
 * transition_to and watchers); while that issue is open (its status not in the Done category) every later notice of
 * the key comments on it instead, found by its label (so a lost state makes no duplicate either). A resolved notice
 * comments on the issue it opened and applies resolve_transition. A digest always creates an issue of its own.
 */
export async function createJiraNotifier(name: string, config: JiraChannelConfig): Promise<Notifier> {
  let searchPath = 0;
  // Notices of one key are sent one after the other (a first notice and its tier in the same run), and an issue
  // created in this run is remembered: Jira Cloud's search may not show a new issue at once.
  const lanes = new Map<string, Promise<unknown>>();
  const created = new Map<string, string>();
  // Keys whose create got no clear answer in this run (a 5xx, a timeout, a lost connection): Jira may have stored the
  // issue, and its search may not show it yet, so no other notice of the key creates one before the next run.
  const unsure = new Set<string>();

  /** The key of the newest open issue with this label in the channel's project, if any. */
  const openIssue = async (label: string, signal: AbortSignal): Promise<string | undefined> => {
    const jql = `project = "${config.project}" AND labels = "${label}" AND statusCategory != Done ORDER BY created DESC`;
    for (;;) {
      const query = new URLSearchParams({ jql, fields: 'status', maxResults: '1' });
      const answer = await jiraRequest(config, 'GET', `${SEARCH_PATHS[searchPath]}?${query}`, undefined, signal);
      // Jira Server/Data Center has no /search/jql: its own /search answers there.
      if (answer.status === 404 && searchPath === 0) {
        searchPath = 1;
        continue;
      }
      if (answer.status !== 200) throw jiraFailure(config, 'a search for the open issue', answer);
      const issues = (jsonOf(answer.text) as { issues?: { key?: unknown }[] } | undefined)?.issues;
      const key = Array.isArray(issues) ? issues[0]?.key : undefined;
      return typeof key === 'string' ? key : undefined;
    }
  };

  const comment = async (key: string, notification: Notification, signal: AbortSignal) => {
    const answer = await jiraRequest(config, 'POST', `/rest/api/2/issue/${encodeURIComponent(key)}/comment`, { body: commentBody(config, notification) }, signal);
    if (answer.status !== 201 && answer.status !== 200) throw jiraFailure(config, `a comment on ${key}`, answer);
  };

  /** Applies the transition named `wanted` (its name or its target status's name); an issue already in the Done category needs none to close. */
  const transition = async (key: string, wanted: string, closing: boolean, signal: AbortSignal) => {
    const path = `/rest/api/2/issue/${encodeURIComponent(key)}/transitions`;
    const list = await jiraRequest(config, 'GET', path, undefined, signal);
    if (list.status !== 200) throw jiraFailure(config, `the transitions of ${key}`, list);
    type Transition = { id?: unknown; name?: unknown; to?: { name?: unknown; statusCategory?: { key?: unknown } } };
    const transitions = ((jsonOf(list.text) as { transitions?: Transition[] } | undefined)?.transitions ?? []).filter((t) => t && typeof t === 'object');
    const lower = wanted.toLowerCase();
    const found = transitions.find((t) => String(t.name).toLowerCase() === lower) ?? transitions.find((t) => String(t.to?.name).toLowerCase() === lower);
    if (!found) {
      if (closing && (await isDone(key, signal))) return;
      const offered = transitions.map((t) => `"${String(t.name)}"`).join(', ') || 'none';
      throw new DeliveryError(`Jira has no transition "${wanted}" for ${key} in its current status (it offers ${offered}): set ${closing ? 'resolve_transition' : 'transition_to'} to one of them`, false);
    }
    const done = await jiraRequest(config, 'POST', path, { transition: { id: String(found.id) } }, signal);
    if (done.status !== 204 && done.status !== 200) throw jiraFailure(config, `the transition "${wanted}" of ${key}`, done);
  };

  const isDone = async (key: string, signal: AbortSignal): Promise<boolean> => {
    const answer = await jiraRequest(config, 'GET', `/rest/api/2/issue/${encodeURIComponent(key)}?fields=status`, undefined, signal);
    if (answer.status !== 200) return false;
    const issue = jsonOf(answer.text) as { fields?: { status?: { statusCategory?: { key?: unknown } } } } | undefined;
    return issue?.fields?.status?.statusCategory?.key === 'done';
  };

  /** Creates an issue, then applies transition_to and adds the watchers; a failure after the create still delivers (the receipt names the issue). */
  const create = async (notification: Notification, label: string | undefined, signal: AbortSignal): Promise<Receipt> => {
    let answer;
    try {
      answer = await jiraRequest(config, 'POST', '/rest/api/2/issue', { fields: issueFields(config, notification, label) }, signal);
    } catch (error) {
      throw unknownOutcome(error as DeliveryError, label);
    }
    if (answer.status >= 500) throw unknownOutcome(jiraFailure(config, 'the new issue', answer), label);
    if (answer.status !== 201 && answer.status !== 200) throw jiraFailure(config, 'the new issue', answer);
    const key = (jsonOf(answer.text) as { key?: unknown } | undefined)?.key;
    if (typeof key !== 'string') throw new DeliveryError(`Jira at ${config.url} created an issue but its answer names no key`, false);
    try {
      if (config.transition_to) await transition(key, config.transition_to, false, signal);
      for (const watcher of config.watchers) {
        const added = await jiraRequest(config, 'POST', `/rest/api/2/issue/${encodeURIComponent(key)}/watchers`, watcher, signal);
        if (added.status !== 204 && added.status !== 200) throw jiraFailure(config, `the watcher ${watcher} of ${key}`, added);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DeliveryError(`created ${key}, but ${message}`, false, undefined, false, undefined, { id: key });
    }
    return { id: key };
  };

  /**
   * A create that got no answer or a 5xx may have stored the issue: retrying it within the run (Jira's search lags)
   * could open a second one, so it and the key's later notices wait for the next run, whose search finds it.
   */
  const unknownOutcome = (failure: DeliveryError, label: string | undefined): DeliveryError => {
    if (label) unsure.add(label);
    return new DeliveryError(`${failure.message} (Jira may have created the issue: the next run looks for it before creating one)`, true, undefined, true);
  };

  const sendOne = async (notification: Notification, label: string, signal: AbortSignal): Promise<Receipt | undefined> => {
    // Only a resolve uses the issue its receipt names; a repeat or tier searches, and could create a second one.
    if (unsure.has(label) && !created.has(label) && !(notification.reason === 'resolved' && notification.opened?.id)) {
      throw new DeliveryError(`waits for the next run: the create of this key's issue got no clear answer from Jira at ${config.url}`, true, undefined, true);
    }
    if (notification.reason === 'resolved') {
      const key = notification.opened?.id ?? created.get(label) ?? (await openIssue(label, signal));
      // Nothing open for the key (people closed it, or it was never created): nothing to close.
      if (!key) return undefined;
      await comment(key, notification, signal);
      if (config.resolve_transition) {
        await transition(key, config.resolve_transition, true, signal);
        created.delete(label);
      }
      return { id: key };
    }
    const open = created.get(label) ?? (await openIssue(label, signal));
    if (open) {
      await comment(open, notification, signal);
      return { id: open };
    }
    try {
      const receipt = await create(notification, label, signal);
      created.set(label, receipt.id!);
      return receipt;
    } catch (error) {
      if (error instanceof DeliveryError && error.partial?.id) created.set(label, error.partial.id);
      throw error;
    }
  };

  return {
    name,
    async send(notification, signal) {
      if (notification.digest) return create(notification, undefined, signal);
      const label = incidentId(notification.alert, notification.key);
      const before = lanes.get(label) ?? Promise.resolve();
      const mine = before.catch(() => undefined).then(() => sendOne(notification, label, signal));
      lanes.set(label, mine);
      return mine;
    },
  };
}
