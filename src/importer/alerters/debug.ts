import type { AlerterChannel, AlerterContext } from './context.js';

/** ElastAlert2's debug alerter (the match logged) as a `log` channel: each notice one line on stdout and in the audit log. */
export function convertDebug(_ctx: AlerterContext): AlerterChannel[] {
  return [{ config: { type: 'log' }, secrets: [] }];
}
