import type { Readable } from 'node:stream';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { loadPackage } from '../util/loadPackage.js';

/** What an SMTP server said of one message: the recipients it accepted and refused (with each refusal's reply). */
export interface SmtpSendInfo {
  accepted?: unknown[];
  rejected?: unknown[];
  rejectedErrors?: { recipient?: string; responseCode?: number }[];
}

/** A few SMTP connections kept open for a run's mails to one server, each sending one message at a time. */
export interface SmtpPool {
  /** Sends one composed message; an aborted signal closes the connection it was on (it is not sent later). */
  send(envelope: { from: string; to: string[] }, raw: string, signal: AbortSignal): Promise<SmtpSendInfo>;
  close(): void;
}

/** Messages sent over one connection before it is replaced by a fresh one (nodemailer's pool's maxMessages). */
export const MESSAGES_PER_CONNECTION = 100;

/** SMTP commands before DATA (and nodemailer's 'API': a connection already closed): a message failing there was not sent. */
const BEFORE_DATA = new Set([undefined, 'CONN', 'API', 'MAIL FROM', 'RCPT TO']);

/**
 * Whether an error on a reused connection says the server dropped it before any of the message went (nodemailer's
 * pool resent such a message itself): a 421, a closed connection or a socket error, before DATA.
 */
function droppedBeforeData(error: unknown, messageRead: boolean): boolean {
  const e = error as { code?: string; responseCode?: number; command?: string };
  const transient = e.responseCode === 421 || e.code === 'ECONNECTION' || e.code === 'ESOCKET';
  return transient && !messageRead && BEFORE_DATA.has(e.command);
}

/**
 * Opens up to `size` connections with nodemailer's SMTP client (its TLS, STARTTLS, AUTH, timeouts and error codes)
 * and sends each message over a free one, without nodemailer's mail composer and pool streams: a mail already written
 * as one string costs a third of the CPU. A connection that failed in any way is closed, never reused; one that sent
 * MESSAGES_PER_CONNECTION is replaced.
 */
export function createSmtpPool(options: SMTPConnection.Options, auth: { user: string; pass: string } | undefined, size: number): SmtpPool {
  const Connection = loadPackage<typeof SMTPConnection>('nodemailer/lib/smtp-connection');
  const idle: SMTPConnection[] = [];
  // Messages each connection has been given (a connection that sent none is not reused).
  const sent = new WeakMap<SMTPConnection, number>();
  const waiting: ((connection: SMTPConnection | undefined) => void)[] = [];
  // Connections still connecting (or logging in): close() ends them too.
  const connecting = new Set<SMTPConnection>();
  let open = 0;
  let closed = false;

  // A connection that ended while idle is taken out (one ending while it sends is given back by its send).
  const drop = (connection: SMTPConnection) => {
    const at = idle.indexOf(connection);
    if (at < 0) return;
    idle.splice(at, 1);
    open--;
    connection.close();
    waiting.shift()?.(undefined);
  };
  const connect = () =>
    new Promise<SMTPConnection>((resolve, reject) => {
      const connection = new Connection(options);
      connecting.add(connection);
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        connecting.delete(connection);
        connection.close();
        reject(error);
      };
      // An error after the handshake (the server closed an idle connection) only takes it out of use.
      connection.on('error', (error: Error) => (settled ? drop(connection) : fail(error)));
      connection.once('end', () => (settled ? drop(connection) : fail(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }))));
      connection.connect((error) => {
        if (error) return fail(error);
        const ready = () => {
          if (closed) return fail(new Error('the SMTP connections are closed'));
          settled = true;
          connecting.delete(connection);
          resolve(connection);
        };
        if (!auth || !connection.allowsAuth) return ready();
        connection.login({ credentials: { user: auth.user, pass: auth.pass } } as SMTPConnection.AuthenticationType, (loginError) => {
          if (loginError) return fail(loginError);
          ready();
        });
      });
    });
  // A free connection, a new one while fewer than `size` are open, or the next one given back; `fresh`: a new one
  // (an idle one is closed to make room for it).
  const take = async (fresh = false): Promise<SMTPConnection> => {
    for (;;) {
      if (closed) throw new Error('the SMTP connections are closed');
      if (fresh && idle.length && open >= size) {
        open--;
        idle.shift()!.close();
      }
      const ready = fresh ? undefined : idle.pop();
      if (ready && !ready.destroyed) return ready;
      if (ready) {
        open--;
        continue;
      }
      if (open < size) {
        open++;
        try {
          return await connect();
        } catch (error) {
          open--;
          waiting.shift()?.(undefined);
          throw error;
        }
      }
      const given = await new Promise<SMTPConnection | undefined>((resolve) => waiting.push(resolve));
      if (given && !fresh) return given;
      // A resend wants a new connection: one given back meanwhile (it may have gone stale the same way) makes room for it.
      if (given) {
        open--;
        given.close();
      }
    }
  };
  const giveBack = (connection: SMTPConnection, usable: boolean) => {
    const count = (sent.get(connection) ?? 0) + 1;
    sent.set(connection, count);
    if (!usable || closed || connection.destroyed || count >= MESSAGES_PER_CONNECTION) {
      open--;
      if (usable && !connection.destroyed) connection.quit();
      else connection.close();
      waiting.shift()?.(undefined);
      return;
    }
    const next = waiting.shift();
    if (next) next(connection);
    else idle.push(connection);
  };

  // One attempt over one connection; `reused` tells whether it had sent a message before.
  const attempt = async (envelope: { from: string; to: string[] }, raw: string, signal: AbortSignal, fresh: boolean) => {
    const connection = await take(fresh);
    const reused = (sent.get(connection) ?? 0) > 0;
    if (signal.aborted) {
      giveBack(connection, true);
      throw Object.assign(new Error('aborted'), { code: 'ETIMEDOUT' });
    }
    // A source the client reads only once the server took DATA: unread, not a byte of the message went.
    const message = onDemand(raw);
    return new Promise<{ info?: SmtpSendInfo; error?: unknown; resend: boolean }>((resolve) => {
      let done = false;
      const onAbort = () => {
        if (done) return;
        done = true;
        // Given up on: the connection goes, and the message with it if the server has not taken it yet.
        giveBack(connection, false);
        resolve({ error: Object.assign(new Error('aborted'), { code: 'ETIMEDOUT' }), resend: false });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // A copy: the client writes its state (the MAIL FROM error ...) on the envelope it is given.
      // nodemailer types the message as string | Buffer | Readable; of an object it uses only pipe() (PipedMessage).
      connection.send({ from: envelope.from, to: [...envelope.to] }, message.source as Readable, (error, info) => {
        signal.removeEventListener('abort', onAbort);
        if (done) return;
        done = true;
        giveBack(connection, !error);
        if (error) resolve({ error, resend: reused && !signal.aborted && droppedBeforeData(error, message.read()) });
        else resolve({ info: info as SmtpSendInfo, resend: false });
      });
    });
  };

  return {
    async send(envelope, raw, signal) {
      if (closed) throw new Error('the SMTP connections are closed');
      let result = await attempt(envelope, raw, signal, false);
      // A reused connection the server dropped before the message (idle close, 421): once more on a new connection.
      if (result.resend) result = await attempt(envelope, raw, signal, true);
      if (result.error !== undefined) throw result.error;
      return result.info!;
    },
    close() {
      closed = true;
      for (const connection of idle.splice(0)) connection.quit();
      for (const connection of connecting) connection.close();
      for (const wake of waiting.splice(0)) wake(undefined);
    },
  };
}

/**
 * What nodemailer's SMTPConnection.send() (10.6.0, dist/cjs/smtp-connection/index.js) uses of a message that is
 * neither a string nor a Buffer: `pipe(stream)` into its dot-escaping stream, called once the server accepted DATA
 * (never before); it calls `on('error')` and `destroy()` only when they are functions, and this object has neither.
 * test/notify/smtpPool.test.ts sends through it (the resend tests rely on pipe() marking the message read).
 */
type PipedMessage = Pick<Readable, 'pipe'>;

/** The message as a PipedMessage, without a stream of its own per mail: `read` says whether it was handed over. */
function onDemand(raw: string): { source: PipedMessage; read(): boolean } {
  let read = false;
  const source: PipedMessage = {
    pipe<T extends NodeJS.WritableStream>(into: T): T {
      read = true;
      into.end(raw);
      return into;
    },
  };
  return { source, read: () => read };
}
