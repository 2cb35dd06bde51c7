import type { ChannelBase } from '../../config.js';

/** An Alertmanager channel: every Alertmanager to tell, the labels and annotations of each alert, and how long it lasts. */
export interface AlertmanagerChannelConfig extends ChannelBase {
  type: 'alertmanager';
  /** Base URLs without a trailing slash. */
  urls: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  username?: string;
  password?: string;
  /** endsAt = now + this (ms) on each notice; undefined: no endsAt (Alertmanager's own resolve_timeout). */
  resolve_timeout?: number;
  timeout: number;
}
