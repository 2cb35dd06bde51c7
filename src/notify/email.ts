import type { EmailChannelConfig } from './config.js';
import { DeliveryError, type Notification, type Notifier } from './types.js';
import { cleanText, oneLine } from '../util/text.js';
import { withSignal } from './withSignal.js';
import { loadPackage } from '../util/loadPackage.js';
import { redact } from '../util/redact.js';
import { usableDigest } from './digest/usable.js';
import { digestHtml } from './digest/html.js';
import { composable, composePlainMail } from './mailMessage.js';
import { createSmtpPool, type SmtpPool } from './smtpPool.js';

/** Makes a subject line of one line: control characters (CR, LF, tabs ...) become spaces. */
export function subjectLine(title: string): string {
  return oneLine(title, 200);
}

/** Creates an email notifier over SMTP; recipients come only from the channel's configuration. */
export async function createEmailNotifier(name: string, config: EmailChannelConfig): Promise<Notifier> {
  const connection = {
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.starttls === 'require',
    ignoreTLS: config.starttls === 'ignore',
    tls: { rejectUnauthorized: !config.tls_insecure },
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout,
  };
  const auth = config.username ? { user: config.username, pass: config.password ?? '' } : undefined;
  // A plain-text mail to plain addresses (nearly all) is written by composePlainMail and sent over our own few
  // connections (a third of the CPU of nodemailer's composer and pool); a digest (HTML) or an unusual address goes
  // through nodemailer's transport as before. Each is opened on first use.
  let pool: SmtpPool | undefined;
  let transport: ReturnType<typeof import('nodemailer')['createTransport']> | undefined;
  const nodemailerTransport = () => {
    const nodemailer = loadPackage<typeof import('nodemailer')>('nodemailer');
    // nodemailer's own pool of CONNECTIONS serves a run's digests and unusual mails (beside ours: up to 2 x CONNECTIONS
    // for a moment, docs/channels/email.md).
    return (transport ??= nodemailer.createTransport({ pool: true, maxConnections: CONNECTIONS, ...connection, auth }));
  };
  return {
    name,
    // The outbox starts a mail only when a pooled connection is free: its attempt timer then times the SMTP
    // transaction, not a wait in the pool's queue (a mail the server accepted is never counted as timed out).
    slots: CONNECTIONS,
    close: () => {
      pool?.close();
      transport?.close();
    },
    async send(notification: Notification, signal: AbortSignal) {
      if (signal.aborted) throw new DeliveryError(`SMTP ${config.host}:${config.port}: timed out`, true);
      const to = notification.to ?? config.to;
      // A digest also goes as HTML (its table); the text part stays the message, which says the same in plain text.
      const digest = usableDigest(notification.digest);
      const subject = subjectLine(notification.title);
      const text = cleanText(notification.message);
      let info: SentInfo | undefined;
      try {
        if (!digest && composable(config.from, to)) {
          const mail = composePlainMail({ from: config.from, fromName: 'alertcron', to, subject, text, alert: notification.alert });
          pool ??= createSmtpPool(connection, auth, CONNECTIONS);
          info = { ...(await withSignal(pool.send(mail.envelope, mail.raw, signal), signal)), messageId: mail.messageId };
        } else {
          info = await withSignal(
            nodemailerTransport().sendMail({
              from: { name: 'alertcron', address: config.from },
              to: to.map((address) => ({ name: '', address })),
              subject,
              text,
              ...(digest ? { html: digestHtml(notification.title, digest) } : {}),
              headers: { 'X-Alertcron-Alert': notification.alert },
              // A mail given up on leaves the pool's queue, or its connection is closed: it is not sent later.
              signal,
            }) as Promise<SentInfo>,
            signal,
          );
        }
      } catch (error) {
        if (error instanceof DeliveryError) throw new DeliveryError(`SMTP ${config.host}:${config.port}: ${error.message}`, error.retryable, error.retryAfterMs);
        throw classify(error, signal, config);
      }
      const refused = refusedRecipients(to, info, config);
      if (refused) throw refused;
      return info?.messageId ? { id: String(info.messageId) } : undefined;
    },
  };
}

/** Pooled SMTP connections per email channel. */
const CONNECTIONS = 2;

/** What nodemailer tells of a mail it handed over: its id, and the recipients the server accepted or refused. */
interface SentInfo {
  messageId?: string;
  accepted?: unknown[];
  rejected?: unknown[];
  rejectedErrors?: { recipient?: string; responseCode?: number }[];
}

/**
 * The failure of a mail that some recipients accepted and some refused: only the refused ones with a
 * temporary (4xx) reply still need it; those with a permanent one (5xx) are reported and dropped.
 */
function refusedRecipients(to: string[], info: SentInfo | undefined, config: EmailChannelConfig): DeliveryError | undefined {
  const rejected = (info?.rejected ?? []).map(String);
  if (!rejected.length) return undefined;
  const codeOf = (address: string) => info?.rejectedErrors?.find((e) => e.recipient === address)?.responseCode;
  const temporary = rejected.filter((address) => (codeOf(address) ?? 0) < 500);
  const list = rejected.map((address) => {
    const code = codeOf(address);
    return `${address}${code ? ` ${code}` : ''} (${(code ?? 0) < 500 ? 'kept for the next run' : 'dropped'})`;
  });
  const message = `SMTP ${config.host}:${config.port} refused ${rejected.length} of ${to.length} recipients: ${list.join(', ')}`;
  // The recipients that accepted it have it: its Message-ID is their receipt (kept as sent, never sent them again).
  const partial = rejected.length < to.length && info?.messageId ? { id: String(info.messageId) } : undefined;
  return new DeliveryError(message, temporary.length > 0, undefined, false, temporary.length ? temporary : undefined, partial);
}

/** Turns a nodemailer error into a DeliveryError that names the server (host:port) and quotes its reply. */
function classify(error: unknown, signal: AbortSignal, config: EmailChannelConfig): DeliveryError {
  const e = error as { code?: string; responseCode?: number; command?: string; response?: string; message?: string };
  const server = `SMTP ${config.host}:${config.port}`;
  // Redacted before it is trimmed and cut: a server that repeats the AUTH line leaves no part of the password.
  const reply = e.response ? `: ${oneLine(redact(e.response), 300)}` : e.responseCode ? ` (${e.responseCode})` : '';
  if (signal.aborted) return new DeliveryError(`${server}: timed out`, true);
  if (e.code === 'EAUTH') return new DeliveryError(`${server}: authentication failed${reply}`, false);
  if (e.code === 'EENVELOPE') return new DeliveryError(`${server} refused the ${e.command === 'MAIL FROM' ? 'sender' : 'recipients'}${reply}`, (e.responseCode ?? 0) < 500);
  if (e.responseCode && e.responseCode >= 500) return new DeliveryError(`${server} refused the message at ${e.command ?? 'send'}${reply}`, false);
  // nodemailer's own codes (ESOCKET, ECONNECTION ...) say less than its message (connect ECONNREFUSED 10.0.0.1:25).
  const detail = e.message || e.code || 'error';
  return new DeliveryError(`${server}: ${detail}${e.response ? reply : ''}`, true);
}
