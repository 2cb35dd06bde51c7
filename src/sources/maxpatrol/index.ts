import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AlertBase } from '../../model/alert.js';
import { parseDuration } from '../../util/duration.js';
import type { SourceDefinition, SourceProblem } from '../types.js';
import type { MaxPatrolAlertDef, MaxPatrolConfig } from './types.js';

/** The default title and message of an incident notice: its key, name and severity; its details, events, link and commands. */
const MP_TITLE = 'MaxPatrol {{key}}: {{name}} ({{severity}})';
const MP_MESSAGE =
  'Status {{status}}, {{category}} / {{type}}, created {{created_local}}, assigned to {{assigned}}\n\nEvents:\n{{events_text}}\n\nOpen: {{link}}\nConfirm: {{confirm}}\nClose: {{close}}';

interface RawFilter {
  status?: string[];
  severity?: string[];
  type?: string[];
  max_age?: string;
  max_events?: number;
}

/** Whether Intl knows a time zone name (e.g. Europe/Moscow, UTC). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The token endpoint by default: the core's host on the management console's port 3334. */
function defaultTokenUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}:3334/connect/token`;
}

/** The MaxPatrol SIEM source: new incidents of the core, each one a key (INC-123), with confirm and close actions. */
export const maxPatrolSource: SourceDefinition<MaxPatrolAlertDef, MaxPatrolConfig> = {
  name: 'maxpatrol',
  alertKeys: ['maxpatrol'],
  windowed: true,
  completeConfig(raw, dir) {
    const url = String(raw.url).replace(/\/+$/, '');
    const caFile = raw.ca_file ? resolve(dir, String(raw.ca_file)) : undefined;
    let ca: string | undefined;
    try {
      ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
    } catch {
      ca = undefined; // validate reports it (checkAlert); a run then fails with the certificate error
    }
    return {
      url,
      token_url: raw.token_url ? String(raw.token_url) : defaultTokenUrl(url),
      username: String(raw.username ?? ''),
      password: String(raw.password ?? ''),
      client_id: String(raw.client_id ?? 'mpx'),
      client_secret: String(raw.client_secret ?? ''),
      scope: String(raw.scope ?? 'authorization offline_access mpx.api'),
      ca,
      ca_file: caFile,
      insecure_skip_tls_verify: raw.insecure_skip_tls_verify === true,
      timeout: parseDuration((raw.timeout as string | undefined) ?? '30s'),
      page_size: (raw.page_size as number | undefined) ?? 100,
      max_items: (raw.max_items as number | undefined) ?? 10_000,
      time_zone: String(raw.time_zone ?? 'UTC'),
    };
  },
  checkAlert(_raw, context) {
    const section = context.section as MaxPatrolConfig | undefined;
    if (!section && !context.sectionUnknown) return { problems: [{ path: ['source'], message: 'alertcron.yaml has no maxpatrol: section to read incidents from' }] };
    const problems: SourceProblem[] = [];
    if (section && !isTimeZone(section.time_zone)) problems.push({ path: ['source'], message: `maxpatrol.time_zone in alertcron.yaml is not a time zone: ${JSON.stringify(section.time_zone)} (write an IANA name such as Europe/Moscow or UTC)` });
    if (section?.ca_file && section.ca === undefined) problems.push({ path: ['source'], message: `maxpatrol.ca_file in alertcron.yaml cannot be read: ${context.display(section.ca_file)}` });
    return { problems };
  },
  completeAlert(rawAlert, base: AlertBase) {
    const raw = rawAlert as { maxpatrol?: RawFilter; throttle?: string; title?: string; message?: string };
    const filter = raw.maxpatrol ?? {};
    return {
      ...base,
      source: 'maxpatrol',
      maxpatrol: {
        status: filter.status ?? ['New'],
        ...(filter.severity ? { severity: filter.severity } : {}),
        ...(filter.type ? { type: filter.type } : {}),
        max_age: parseDuration(filter.max_age ?? '7d'),
        max_events: filter.max_events ?? 5,
      },
      // Each incident is its own key: told once, then the escalation ladder takes over.
      throttle: raw.throttle === undefined ? 'once' : base.throttle,
      title: raw.title ?? MP_TITLE,
      message: raw.message ?? MP_MESSAGE,
    };
  },
  // The buttons of an incident's notice: Confirm and Close while it is New (what `maxpatrol confirm|close` do), and
  // Refresh (re-read it and its events, and edit the message) always. After an action, what the incident's new
  // status allows is offered.
  chatActions: [
    { name: 'confirm', label: 'Confirm', op: 'act', action: 'confirm', appliesTo: (labels) => labels.status === 'New' },
    { name: 'close', label: 'Close', op: 'act', action: 'close', appliesTo: (labels) => labels.status === 'New' },
    { name: 'refresh', label: 'Refresh', op: 'act', action: 'refresh' },
  ],
  async load(section, context) {
    const { MaxPatrolSource } = await import('./source.js');
    return new MaxPatrolSource(section, context);
  },
};
