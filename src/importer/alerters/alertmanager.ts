import { durationOf } from '../elastalertTime.js';
import { quoteData } from '../quote.js';
import { splitUserinfo } from '../secretUrl.js';
import { convertJinja } from '../templates.js';
import { listOf, mappingOf, type AlerterChannel, type AlerterContext } from './context.js';
import { fieldRef } from '../hiveTemplates.js';
import { connectionNotes, fieldMap } from './text.js';

/** Label names Alertmanager accepts (Prometheus's data model). */
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Jinja templates of labels or annotations (`{{ host.name }}`, `{{ _data['host.name'] }}`) as the channel's
 * templates; a value with more than field references is named and left out.
 */
function jinjaMap(ctx: AlerterContext, option: string, root: string): Record<string, string> {
  const raw = ctx.take(option);
  if (raw === undefined) return {};
  const map = mappingOf(raw);
  if (!map) {
    ctx.note(option, 'not converted: must be a mapping');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(map)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      ctx.note(option, `${quoteData(name)}: not converted: not a text`);
      continue;
    }
    const converted = convertJinja(String(value), root, fieldRef);
    if (converted.template !== undefined) out[name] = converted.template;
    else ctx.note(option, `${quoteData(name)}: not converted: ${converted.problem}`);
  }
  return out;
}

/**
 * ElastAlert2's alertmanager alerter as an `alertmanager` channel on API v2: hosts, labels and annotations (Jinja
 * field references as templates), fields as labels, the title and text annotations under their label names, basic
 * auth (the password a variable) and alertmanager_resolve_time as resolve_timeout.
 */
export function convertAlertmanager(ctx: AlerterContext): AlerterChannel[] {
  const urls = listOf(ctx.take('alertmanager_hosts'));
  if (!urls.length) return ctx.refuse('alertmanager_hosts', 'alertmanager_');
  // A user:password@ part of a host is a credential: never written into a URL.
  const hosts = urls.map((u) => splitUserinfo(u));
  const config: Record<string, unknown> & { type: string } = { type: 'alertmanager', urls: hosts.map((h) => h.url.replace(/\/+$/, '')) };
  const root = typeof ctx.options.jinja_root_name === 'string' ? ctx.options.jinja_root_name : '_data';
  const labels = { ...jinjaMap(ctx, 'alertmanager_labels', root), ...fieldMap(ctx, 'alertmanager_fields', ctx.take('alertmanager_fields'), false) };
  for (const name of Object.keys(labels)) {
    if (LABEL_NAME.test(name) && name !== 'alertname' && name !== 'alertcron_id') continue;
    ctx.note('alertmanager_labels', `${quoteData(name)}: not converted: ${LABEL_NAME.test(name) ? 'the channel sets this label itself' : 'not a label name (letters, digits and _)'}`);
    delete labels[name];
  }
  // ElastAlert2 labelled each alert elastalert_rule: <rule name>; routes, inhibitions and silences may match on it.
  const ruleName = ctx.options.name;
  if (typeof ruleName === 'string' && labels.elastalert_rule === undefined) {
    if (/\{\{|\}\}|\{%/.test(ruleName)) ctx.noteAlerter('name', 'the elastalert_rule label is not written: the rule\'s name would read as a template');
    else labels.elastalert_rule = ruleName;
  }
  if (Object.keys(labels).length) config.labels = labels;
  const titleName = String(ctx.take('alertmanager_alert_subject_labelname') ?? 'summary');
  const textName = String(ctx.take('alertmanager_alert_text_labelname') ?? 'description');
  const annotations = { ...jinjaMap(ctx, 'alertmanager_annotations', root), [titleName]: '{{title}}', [textName]: '{{message}}' };
  // The default annotations are the channel's own default: written only when they differ.
  if (Object.keys(annotations).length > 2 || titleName !== 'summary' || textName !== 'description') config.annotations = annotations;
  const alertname = ctx.take('alertmanager_alertname');
  if (alertname === undefined && typeof ruleName === 'string' && !/^[a-z0-9][a-z0-9_.-]*$/.test(ruleName)) {
    ctx.noteAlerter('alertmanager_alertname', `the alertname label is the alert's name (its file name), no longer the rule's name ${quoteData(ruleName)}: routes, inhibitions and silences matching alertname must match the new name (or elastalert_rule, still the rule's name)`);
  } else if (alertname !== undefined && alertname !== ctx.options.name) ctx.note('alertmanager_alertname', `not converted: the alertname label is the alert's name (rename the alert to ${quoteData(alertname)} if receivers route on it)`);
  const version = ctx.take('alertmanager_api_version');
  if (version !== undefined && version !== 'v2') ctx.note('alertmanager_api_version', 'Alertmanager removed API v1 (0.27): the channel posts to /api/v2/alerts');
  const resolve = ctx.take('alertmanager_resolve_time');
  if (resolve !== undefined) {
    const duration = durationOf(resolve);
    if (duration) config.resolve_timeout = duration;
    else ctx.note('alertmanager_resolve_time', 'not converted: not a time such as {hours: 1}');
  }
  const timeout = ctx.take('alertmanager_timeout');
  if (typeof timeout === 'number' && timeout > 0) config.timeout = `${timeout}s`;
  const secrets = [];
  const login = ctx.take('alertmanager_basic_auth_login');
  const password = ctx.take('alertmanager_basic_auth_password');
  if (login !== undefined) {
    config.username = String(login);
    if (password !== undefined) secrets.push(ctx.secret('password', 'alertmanager_basic_auth_password', password));
  } else if (password !== undefined) {
    ctx.note('alertmanager_basic_auth_password', 'not converted: there is no alertmanager_basic_auth_login (ElastAlert2 sent basic auth only with both)');
  }
  const withUser = hosts.filter((h) => h.username !== undefined);
  if (withUser.length && login !== undefined) {
    ctx.note('alertmanager_hosts', 'its user:password@ part is left out of the URL (a credential): the channel authenticates with alertmanager_basic_auth_login and its password, as ElastAlert2 did');
  } else if (withUser.length) {
    const first = withUser[0]!;
    config.username = first.username;
    if (first.password !== undefined) secrets.push(ctx.secret('password', 'alertmanager_hosts', first.password));
    const differ = withUser.length < hosts.length || withUser.some((h) => h.username !== first.username || h.password !== first.password);
    ctx.note('alertmanager_hosts', `its user:password@ part is taken out of the URL (a credential): the user is the channel's username, the password its password variable${differ ? '; the hosts did not all have these credentials: the channel sends them to every host' : ''}`);
  }
  connectionNotes(ctx, 'alertmanager_');
  ctx.rest('alertmanager_', 'not converted: the alertmanager channel has no such setting');
  return [{ config, secrets }];
}
