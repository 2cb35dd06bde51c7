import type { Notification, Notifier } from '../../types.js';
import { cutText } from '../../../util/text.js';
import { jsonLine, MESSAGE_MAX, textLine, TITLE_MAX } from './line.js';
import { writeLogLine } from './output.js';
import type { LogChannelConfig } from './types.js';

/** Writes each notice as one line (text or JSON) and gives the audit log a notice_logged record of it; it cannot fail. */
export async function createLogNotifier(name: string, config: LogChannelConfig): Promise<Notifier> {
  return {
    name,
    async send(notification: Notification) {
      writeLogLine(config.format === 'json' ? jsonLine(notification, Date.now()) : textLine(notification));
    },
    audit: (notification) => ({
      event: 'notice_logged',
      alert: notification.alert,
      key: notification.key,
      channel: name,
      reason: notification.reason,
      title: cutText(notification.title, TITLE_MAX),
      message: cutText(notification.message, MESSAGE_MAX),
    }),
  };
}
