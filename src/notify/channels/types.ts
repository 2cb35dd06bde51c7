import type { StateData } from '../../model/state.js';
import type { ChannelConfig } from '../config.js';
import type { PrivateMessage } from '../telegramAsk.js';
import type { AskChannel, InboxReader, Notifier } from '../types.js';

/** A form in which a channel sends a credential, registered for redaction beside the secret value itself. */
export type SentCredential =
  /** A Basic `user:password` pair (also as base64). */
  | { pair: [user: string, password: string] }
  /** A header value (its token after the scheme, and what a base64 token decodes to). */
  | { header: string }
  /** A URL that is itself a secret (its path and query too). */
  | { url: string }
  /** A text sent base64-encoded (SMTP AUTH). */
  | { base64: string };

/**
 * A channel kind as configuration and delivery see it: its `type:` name, its settings' schema, their completion,
 * its secret keys, and lazy loaders for its notifier (and inbox and private conversations where it has them).
 * Add a kind as one folder in src/notify/channels/<type>/ (index.ts and schema.json) plus one line in
 * src/notify/channels/registry.ts. The loaders import the code (and SDK) that talks to the provider only when called.
 */
export interface ChannelKind<C extends ChannelConfig = ChannelConfig> {
  /** The name channels give in `type:` (and the kind's folder name, where its schema.json lives). */
  type: string;
  /** The keys of its settings whose values are secrets: only `${ENV_VAR}` or a sibling `<key>_file` may set them. */
  secretKeys: readonly string[];
  /**
   * Completes a channel's settings (already schema-checked, secrets resolved) with its defaults; `sections` are the
   * project's completed source sections (thehive: ...), for a kind that takes its connection from one.
   */
  complete(raw: Record<string, unknown>, sections?: Readonly<Record<string, unknown>>): C;
  /** What is wrong with a channel's settings beyond its schema, given the project's source sections (e.g. no url anywhere). */
  problems?(raw: Record<string, unknown>, sections: Readonly<Record<string, unknown>>): string[];
  /**
   * What is wrong with a channel on this host rather than in its settings (a program that is not there), each at its
   * path under the channel: `validate` reports them as problems; a run leaves them to the channel's deliveries.
   */
  hostProblems?(config: C): { path: (string | number)[]; message: string }[];
  /** The forms in which it sends its credentials, beyond the secret values (redacted wherever they appear). */
  sentCredentials?(config: C): SentCredential[];
  /** Where its notices go, for people (no secret: a webhook's origin, not its path). */
  destinations(name: string, config: C, data: StateData | undefined): Promise<string[]>;
  /** What the provider's id in a receipt is called (a message SID, a Message-ID); unset: it answers with a status only. */
  receiptId?: string;
  /**
   * Whether its channels get resolved notices unless a channel sets `send_resolved` (unset: true). The contract a
   * resolved notice keeps (src/policy/resolveTargets.ts): every configured channel that accepted a notice of the key
   * in its current firing episode (its first notice, a repeat, an escalation tier, an ask alert's escalation) gets
   * one resolved notice of it, whatever silence or ack came since; a channel told only in an earlier episode (before
   * the key's last resolvedAt) does not. A paging channel that opens incidents closes them on this notice (its
   * `reason` is "resolved", its alert and key those of the notice that opened it).
   */
  sendResolved?: boolean;
  /**
   * The source whose items this channel creates, and where (a thehive channel creates TheHive alerts at its url): an
   * alert of that source reading that place must not notify it, or each notice would be read back as a new item.
   */
  createsItemsOf?(config: C): { source: string; url: string } | undefined;
  /** Whether it can mail a case's reporter (an alert's `feedback:`): a notice's `to` holds email addresses for it. */
  mailsFeedback?: boolean;
  /** Whether sending needs the state (a Telegram bot with an administrator sends to the chats allowed in it). */
  needsState?(config: C): boolean;
  /** Loads its notifier. */
  notifier(name: string, config: C, data?: StateData): Promise<Notifier>;
  /** Reading what people did in chat since the last run, for kinds that can (may depend on the settings). */
  inbox?: {
    /** Whether this channel reads an inbox with these settings. */
    reads(config: C): boolean;
    /** Loads its reader. */
    create(name: string, config: C): Promise<InboxReader>;
    /** What only one channel may read at a time (a bot's update queue), named for the warning; unset: nothing shared. */
    shared?(config: C): { key: string; what: string } | undefined;
  };
  /** Private conversations with people (what `ask.via` needs), for kinds that can hold them. */
  ask?: {
    /** Whether this channel can hold them with these settings. */
    can(config: C): boolean;
    /** Loads its ask channel. */
    create(config: C, kept: () => readonly PrivateMessage[]): Promise<AskChannel>;
  };
}
