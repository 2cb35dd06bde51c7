import type { EmailChannelConfig } from '../config/types.js';
import { DeliveryError, type Notification, type Notifier } from './types.js';
import { truncate } from './truncate.js';
import { sanitizeText } from './text.js';
import { withSignal } from './withSignal.js';

/** Makes a subject line of one line: control characters (CR, LF, tabs ...) become spaces. */
export function subjectLine(title: string): string {
  return truncate(sanitizeText(title).replace(/[\s\u2028\u2029]+/g, ' ').trim(), 200);
}

/** Creates an email notifier over SMTP; recipients come only from the channel's configuration. */
export async function createEmailNotifier(name: string, config: EmailChannelConfig): Promise<Notifier> {
  const nodemailer = (await import('nodemailer')).default;
  // One pooled connection serves all of a run's mails to this server, instead of one connection per mail.
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: CONNECTIONS,
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.starttls === 'require',
    ignoreTLS: config.starttls === 'ignore',
    tls: { rejectUnauthorized: !config.tls_insecure },
    auth: config.username ? { user: config.username, pass: config.password ?? '' } : undefined,
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout,
  });
  return {
    name,
    // deliver() starts a mail only when a pooled connection is free: its attempt timer then times the SMTP
    // transaction, not a wait in the pool's queue (a mail the server accepted is never counted as timed out).
    slots: CONNECTIONS,
    close: () => transport.close(),
    async send(notification: Notification, signal: AbortSignal) {
      if (signal.aborted) throw new DeliveryError('timed out', true);
      const to = notification.to ?? config.to;
      let info: { accepted?: unknown[]; rejected?: unknown[]; rejectedErrors?: { recipient?: string; responseCode?: number }[] };
      try {
        info = await withSignal(
          transport.sendMail({
            from: { name: 'alertcron', address: config.from },
            to: to.map((address) => ({ name: '', address })),
            subject: subjectLine(notification.title),
            text: sanitizeText(notification.message),
            headers: { 'X-Alertcron-Alert': notification.alert },
            // A mail given up on leaves the pool's queue, or its connection is closed: it is not sent later.
            signal,
          }),
          signal,
        );
      } catch (error) {
        throw error instanceof DeliveryError ? error : classify(error, signal);
      }
      const refused = refusedRecipients(to, info);
      if (refused) throw refused;
    },
  };
}

/** Pooled SMTP connections per email channel. */
const CONNECTIONS = 2;

/**
 * The failure of a mail that some recipients accepted and some refused: only the refused ones with a
 * temporary (4xx) reply still need it; those with a permanent one (5xx) are reported and dropped.
 */
function refusedRecipients(to: string[], info: { rejected?: unknown[]; rejectedErrors?: { recipient?: string; responseCode?: number }[] }): DeliveryError | undefined {
  const rejected = (info.rejected ?? []).map(String);
  if (!rejected.length) return undefined;
  const codeOf = (address: string) => info.rejectedErrors?.find((e) => e.recipient === address)?.responseCode;
  const temporary = rejected.filter((address) => (codeOf(address) ?? 0) < 500);
  const list = rejected.map((address) => {
    const code = codeOf(address);
    return `${address}${code ? ` ${code}` : ''} (${(code ?? 0) < 500 ? 'kept for the next run' : 'dropped'})`;
  });
  const message = `SMTP server refused ${rejected.length} of ${to.length} recipients: ${list.join(', ')}`;
  return new DeliveryError(message, temporary.length > 0, undefined, temporary.length ? temporary : undefined);
}

function classify(error: unknown, signal: AbortSignal): DeliveryError {
  const e = error as { code?: string; responseCode?: number; command?: string };
  if (signal.aborted) return new DeliveryError('timed out', true);
  if (e.code === 'EAUTH') return new DeliveryError(`SMTP authentication failed (${e.responseCode ?? ''})`.trim(), false);
  if (e.code === 'EENVELOPE') {
    const permanent = (e.responseCode ?? 0) >= 500;
    return new DeliveryError(`SMTP server refused the recipients (${e.responseCode ?? ''})`.trim(), !permanent);
  }
  if (e.responseCode && e.responseCode >= 500) return new DeliveryError(`SMTP server refused the message (${e.responseCode} at ${e.command ?? 'send'})`, false);
  return new DeliveryError(`SMTP: ${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''}`, true);
}
