import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** One message the sink received. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
}

/** A real SMTP server on 127.0.0.1 that records what arrives and can refuse recipients. */
export interface SmtpSink {
  port: number;
  messages: ReceivedMail[];
  /** When set, every RCPT TO is refused with this SMTP code (e.g. 450 temporary, 550 permanent). */
  refuseWith?: number;
  /** Recipients refused with their own SMTP code; the others are accepted. */
  refuseRecipients?: Record<string, number>;
  /** How long the server takes to answer the end of DATA; it records the message when it answers 250. */
  acceptDelayMs?: number;
  /** A misbehaving server: a refused AUTH answers with the user name and password it received. */
  echoCredentials?: boolean;
  /** Replies to the next MAIL FROMs, one each: a code refuses it (421: the server then closes), 'drop' closes the connection unanswered. */
  mailFromReplies?: (number | 'drop')[];
  /** The next N messages: the connection is closed while their text arrives (after DATA began). */
  dropInData?: number;
  /** Connections opened so far, open now, and the most open at once. */
  sessions: number;
  openSessions: number;
  maxOpenSessions: number;
  /** MAIL FROM commands received over each connection, by connection number (1 = the first). */
  mailFromBySession: number[];
  /** Closes every client connection now, as a server ending idle sessions does (no reply). */
  closeSessions(): void;
  close(): Promise<void>;
}

/** Starts an SMTP sink; with `auth`, it accepts only that user and password. */
export async function startSmtpSink(auth?: { user: string; pass: string }): Promise<SmtpSink> {
  const sink: SmtpSink = { port: 0, messages: [], sessions: 0, openSessions: 0, maxOpenSessions: 0, mailFromBySession: [], closeSessions: () => undefined, close: async () => undefined };
  const numbers = new Map<string, number>();
  // smtp-server's own connection objects (each with its session and socket), to end one the way a server does.
  const connections = () => [...((server as unknown as { connections: Set<{ session: { id: string }; close(): void; _socket: { destroy(): void } }> }).connections)];
  const socketOf = (id: string) => connections().find((c) => c.session.id === id)?._socket;
  const server = new SMTPServer({
    onConnect(session, callback) {
      numbers.set(session.id, ++sink.sessions);
      sink.maxOpenSessions = Math.max(sink.maxOpenSessions, ++sink.openSessions);
      callback();
    },
    onClose() {
      sink.openSessions--;
    },
    onMailFrom(_address, session, callback) {
      const n = numbers.get(session.id)! - 1;
      sink.mailFromBySession[n] = (sink.mailFromBySession[n] ?? 0) + 1;
      const reply = sink.mailFromReplies?.shift();
      if (reply === 'drop') return socketOf(session.id)?.destroy();
      if (reply) return callback(Object.assign(new Error('Service not available, closing transmission channel'), { responseCode: reply }));
      callback();
    },
    secure: false,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) callback(null, { user: auth.user });
      else callback(Object.assign(new Error(`Invalid username or password${sink.echoCredentials ? ` ${credentials.username}:${credentials.password}` : ''}`), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const code = sink.refuseWith ?? sink.refuseRecipients?.[address.address];
      if (code) callback(Object.assign(new Error('Recipient refused'), { responseCode: code }));
      else callback();
    },
    onData(stream, session, callback) {
      if (sink.dropInData) {
        sink.dropInData--;
        stream.once('data', () => socketOf(session.id)?.destroy());
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(raw)?.[1]?.replace(/\r\n[ \t]/g, ' ') ?? '';
        const mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject,
        };
        const accept = () => {
          sink.messages.push(mail);
          callback();
        };
        if (sink.acceptDelayMs) setTimeout(accept, sink.acceptDelayMs);
        else accept();
      });
    },
  });
  // A client killed mid-transfer resets its connection: that is the client's doing, not the sink's failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.closeSessions = () => connections().forEach((c) => c._socket.destroy());
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}
