import { parseDuration } from '../../../util/duration.js';
import { optionalText, originOf, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';
import type { AlertmanagerChannelConfig } from './types.js';

/** Alerts in Prometheus Alertmanager (API v2), sent to every url, ended (endsAt) when the key resolves. */
export const alertmanagerChannel: ChannelKind<AlertmanagerChannelConfig> = {
  type: 'alertmanager',
  secretKeys: ['password'],
  complete: (raw) => ({
    type: 'alertmanager',
    urls: ((raw.urls as string[] | undefined) ?? []).map((url) => String(url).replace(/\/+$/, '')),
    labels: (raw.labels as Record<string, string> | undefined) ?? {},
    annotations: (raw.annotations as Record<string, string> | undefined) ?? { summary: '{{title}}', description: '{{message}}' },
    username: optionalText(raw, 'username'),
    password: optionalText(raw, 'password'),
    resolve_timeout: raw.resolve_timeout === undefined ? undefined : parseDuration(String(raw.resolve_timeout)),
    timeout: timeoutOf(raw),
  }),
  problems(raw) {
    const urls = Array.isArray(raw.urls) ? raw.urls.map(String) : [];
    const problems: string[] = [];
    if (urls.some((url) => /^[a-z]+:\/\/[^/?#]*@/i.test(url))) problems.push('credentials must not be part of an Alertmanager url: use username and password beside urls');
    if (new Set(urls.map((url) => url.replace(/\/+$/, ''))).size !== urls.length) problems.push('urls lists the same Alertmanager twice: list each once');
    if ((raw.password !== undefined || raw.password_file !== undefined) !== (raw.username !== undefined)) problems.push('Basic auth needs both username and password: set both, or neither');
    return problems;
  },
  sentCredentials: (config) => (config.password ? [{ pair: [config.username ?? '', config.password] }] : []),
  destinations: async (_name, config) => config.urls.map((url) => `Alertmanager ${originOf(url)}`),
  notifier: async (name, config) => (await import('./notifier.js')).createAlertmanagerNotifier(name, config),
};
