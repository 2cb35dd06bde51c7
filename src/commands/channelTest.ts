import { randomUUID } from 'node:crypto';
import { displayPath } from '../config/loadAlerts.js';
import { loadProject } from '../config/loadProject.js';
import type { Config } from '../config/types.js';
import { SELF_ALERT } from '../model/alert.js';
import type { Receipt } from '../model/receipt.js';
import type { PendingDelivery, StateData } from '../model/state.js';
import type { ChannelConfig } from '../notify/config.js';
import { channelKind } from '../notify/channels/registry.js';
import { deliverAll, type DeliveryOutcome } from '../outbox/deliver.js';
import { createSenders } from '../outbox/senders.js';
import type { ClusterConnection } from '../state/cluster/client.js';
import { openStore } from '../state/store.js';
import { clockFromEnv } from '../util/clock.js';
import { ExitCode, UserError } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { oneLine } from '../util/text.js';
import { printJson } from './printReport.js';

/** Options of `alertcron channel test`. */
export interface ChannelTestOptions {
  config: string;
  json?: boolean;
}

/** The key a test notice is sent under (it is no alert's key, and nothing records it). */
export const TEST_NOTICE_KEY = 'channel-test';

/** The clearly marked test notice for one channel: what it is, from which host, for which channel, when. */
export function testNotice(channel: string, host: string, now: number): { title: string; message: string } {
  const at = new Date(now).toISOString();
  return {
    title: `alertcron test notice for channel ${channel}`,
    message: `This is a test from alertcron on host ${host} at ${at}, sent by "alertcron channel test ${channel}". It is not an alert: nothing needs doing. If you read this, channel ${channel} works.`,
  };
}

/** What `channel test` reports: the channel, where the notice went, and what the provider gave back or answered. */
export interface ChannelTestReport {
  channel: string;
  type: ChannelConfig['type'];
  to: string[];
  ok: boolean;
  /** What the provider accepted (message ids, SIDs, chats), also for the recipients that got it before a failure. */
  receipt?: Receipt;
  error?: string;
  /** The recipients still without it after a partial failure. */
  notReached?: string[];
}

/**
 * `alertcron channel test <name>`: sends one test notice through a configured channel, with its secrets and the
 * outbox's own sender, retry and deadline, and prints the receipt or the provider's error. It writes neither the
 * state nor the audit log and takes no lock (a Telegram bot's allowed chats are read from the state as they are).
 */
export async function channelTestCommand(name: string, options: ChannelTestOptions): Promise<number> {
  const { config } = await loadProject(options.config, process.env, { offline: true });
  const channel = Object.hasOwn(config.channels, name) ? config.channels[name] : undefined;
  if (!channel) {
    const names = Object.keys(config.channels).sort().join(', ') || 'none';
    throw new UserError(`no channel named ${JSON.stringify(oneLine(name, 64))} in ${displayPath(config, config.file)} (channels: ${names})`, ExitCode.usage);
  }
  if (channel.missingSecret) throw new UserError(`channel ${name}: ${channel.missingSecret}: nothing was sent`, ExitCode.invalidConfig);
  const now = clockFromEnv()();
  const data = await stateFor(config, channel);
  const notice = testNotice(name, config.state.host_id, now);
  const item: PendingDelivery = { id: randomUUID(), alert: SELF_ALERT, key: TEST_NOTICE_KEY, channel: name, reason: 'test', ...notice, createdAt: now, attempts: 0 };
  const senders = createSenders(config.channels, new Map(), data);
  let outcome: DeliveryOutcome | undefined;
  try {
    [outcome] = await deliverAll([item], (pending) => senders.senderFor(pending), { ...config.delivery, channelLimit: (pending) => senders.limitOf(pending) });
  } finally {
    senders.close();
  }
  const report = await reportOf(name, channel, data, outcome);
  if (options.json) printJson(report);
  else printReport(report);
  return report.ok ? ExitCode.ok : ExitCode.deliveriesPending;
}

/** The state a channel's sender needs: a Telegram bot with an administrator sends to the chats allowed in it. */
async function stateFor(config: Config, channel: ChannelConfig): Promise<StateData | undefined> {
  if (!channelKind(channel.type)?.needsState?.(channel)) return undefined;
  const store = await openStore(config.state, config.sources.elasticsearch as ClusterConnection | undefined);
  return (await store.peek()).data;
}

/** Where a test notice goes on a channel, for people: recipients, chats, the Slack channel, the webhook's origin. */
export async function destinations(name: string, channel: ChannelConfig, data: StateData | undefined): Promise<string[]> {
  return (await channelKind(channel.type)?.destinations(name, channel, data)) ?? [];
}

async function reportOf(name: string, channel: ChannelConfig, data: StateData | undefined, outcome: DeliveryOutcome | undefined): Promise<ChannelTestReport> {
  const base = { channel: name, type: channel.type, to: await destinations(name, channel, data) };
  if (outcome?.ok) return { ...base, ok: true, ...(outcome.receipt ? { receipt: outcome.receipt } : {}) };
  const error = !outcome ? 'no attempt was made' : 'muted' in outcome ? outcome.muted : outcome.error;
  const partial = outcome && !outcome.ok && 'partial' in outcome ? outcome.partial : undefined;
  const notReached = outcome && !outcome.ok && 'to' in outcome ? outcome.to : undefined;
  return { ...base, ok: false, error, ...(partial ? { receipt: partial } : {}), ...(notReached ? { notReached } : {}) };
}

/** The receipt's lines: each recipient or chat with the id the provider gave it. */
function receiptLines(report: ChannelTestReport): string[] {
  const receipt = report.receipt;
  const idName = channelKind(report.type)?.receiptId;
  if (!idName || !receipt?.id) return report.ok ? ['accepted (this kind of channel answers with a status only, no message id)'] : [];
  const messages = receipt.messages ?? [{ chat: receipt.chat, id: receipt.id }];
  return messages.map((m) => `accepted${m.chat !== undefined ? ` for ${m.chat}` : ''}: ${idName} ${m.id}`);
}

function printReport(report: ChannelTestReport): void {
  const head = `channel ${report.channel} (${report.type}) -> ${report.to.join(', ') || 'nobody'}`;
  const lines = [report.ok ? `${head}: test notice sent` : `${head}: the test notice FAILED`, ...receiptLines(report).map((line) => `  ${line}`)];
  if (!report.ok) {
    lines.push(`  error: ${oneLine(report.error ?? '')}`);
    if (report.notReached?.length) lines.push(`  not reached: ${report.notReached.join(', ')}`);
  }
  for (const line of lines) (report.ok ? console.log : console.error)(redact(line));
}
