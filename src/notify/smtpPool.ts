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

/**
 * Opens up to `size` connections with nodemailer's SMTP client (its TLS, STARTTLS, AUTH, timeouts and error codes)
 * and sends each message over a free one, without nodemailer's mail composer and pool streams: a mail already written
 * as one string costs a third of the CPU. A connection that failed in any way is closed, never reused.
 */
export function createSmtpPool(options: SMTPConnection.Options, auth: { user: string; pass: string } | undefined, size: number): SmtpPool {
  const Connection = loadPackage<typeof SMTPConnection>('nodemailer/lib/smtp-connection');
  const idle: SMTPConnection[] = [];
  const waiting: ((connection: SMTPConnection | undefined) => void)[] = [];
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
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        connection.close();
        reject(error);
      };
      // An error after the handshake (the server closed an idle connection) only takes it out of use.
      connection.on('error', (error: Error) => (settled ? drop(connection) : fail(error)));
      connection.once('end', () => (settled ? drop(connection) : fail(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }))));
      connection.connect((error) => {
        if (error) return fail(error);
        if (!auth || !connection.allowsAuth) {
          settled = true;
          return resolve(connection);
        }
        connection.login({ credentials: { user: auth.user, pass: auth.pass } } as SMTPConnection.AuthenticationType, (loginError) => {
          if (loginError) return fail(loginError);
          settled = true;
          resolve(connection);
        });
      });
    });
  // A free connection, a new one while fewer than `size` are open, or the next one given back.
  const take = async (): Promise<SMTPConnection> => {
    for (;;) {
      if (closed) throw new Error('the SMTP connections are closed');
      const ready = idle.pop();
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
      if (given) return given;
    }
  };
  const giveBack = (connection: SMTPConnection, usable: boolean) => {
    if (!usable || closed || connection.destroyed) {
      open--;
      connection.close();
      waiting.shift()?.(undefined);
      return;
    }
    const next = waiting.shift();
    if (next) next(connection);
    else idle.push(connection);
  };

  return {
    async send(envelope, raw, signal) {
      if (closed) throw new Error('the SMTP connections are closed');
      const connection = await take();
      if (signal.aborted) {
        giveBack(connection, true);
        throw Object.assign(new Error('aborted'), { code: 'ETIMEDOUT' });
      }
      return new Promise<SmtpSendInfo>((resolve, reject) => {
        let done = false;
        const onAbort = () => {
          if (done) return;
          done = true;
          // Given up on: the connection goes, and the message with it if the server has not taken it yet.
          giveBack(connection, false);
          reject(Object.assign(new Error('aborted'), { code: 'ETIMEDOUT' }));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        connection.send(envelope, raw, (error, info) => {
          signal.removeEventListener('abort', onAbort);
          if (done) return;
          done = true;
          giveBack(connection, !error);
          if (error) reject(error);
          else resolve(info as SmtpSendInfo);
        });
      });
    },
    close() {
      closed = true;
      for (const connection of idle.splice(0)) connection.quit();
      for (const wake of waiting.splice(0)) wake(undefined);
    },
  };
}
