import type { ChannelBase } from '../../config.js';

/** A log channel (ElastAlert2's `debug`): each notice as one line on stdout and a record in the audit log. */
export interface LogChannelConfig extends ChannelBase {
  type: 'log';
  /** text: `alertcron notice <alert> "<key>" <reason>: <title> - <message>`; json: one JSON object per line. */
  format: 'text' | 'json';
}
