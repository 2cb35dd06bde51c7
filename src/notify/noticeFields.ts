import { stringify } from '../util/template.js';
import type { Notification } from './types.js';

/** A finding's field in a notice: whole from its values (long values, lists), else from its labels; undefined when it has none. */
export function findingField(notification: Notification, path: string): string | string[] | undefined {
  const values = notification.values;
  if (values && Object.hasOwn(values, path)) {
    const value: unknown = values[path];
    return Array.isArray(value) ? value.map((item) => stringify(item)) : stringify(value);
  }
  return notification.labels && Object.hasOwn(notification.labels, path) ? stringify(notification.labels[path]) : undefined;
}

/**
 * A channel template's value lookup over a notice, each value passed through `escape` (the channel's format): the
 * notice's own names (alert, key, title, message, reason), then its finding's fields; `fields.<path>` is always the
 * finding's field (falling back to a field named `fields.<path>`).
 */
export function noticeLookup(notification: Notification, escape: (text: string) => string): (path: string) => string {
  const own: Record<string, string> = { alert: notification.alert, key: notification.key, title: notification.title, message: notification.message, reason: notification.reason };
  return (path) => {
    if (path.startsWith('fields.')) return escape(stringify(findingField(notification, path.slice('fields.'.length)) ?? findingField(notification, path)));
    return escape(Object.hasOwn(own, path) ? own[path]! : stringify(findingField(notification, path)));
  };
}
