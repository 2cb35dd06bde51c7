import type { ChannelKind } from '../types.js';
import type { LogChannelConfig } from './types.js';

/** ElastAlert2's `debug` alerter: each notice as one line on stdout and a notice_logged record in the audit log. */
export const logChannel: ChannelKind<LogChannelConfig> = {
  type: 'log',
  secretKeys: [],
  complete: (raw) => ({ type: 'log', format: raw.format === 'json' ? 'json' : 'text' }),
  destinations: async () => ['stdout and the audit log'],
  notifier: async (name, config) => (await import('./notifier.js')).createLogNotifier(name, config),
};
