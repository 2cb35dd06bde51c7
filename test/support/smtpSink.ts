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
  close(): Promise<void>;
}

/** Starts an SMTP sink; with `auth`, it accepts only that user and password. */
export async function startSmtpSink(auth?: { user: string; pass: string }): Promise<SmtpSink> {
  const sink: SmtpSink = { port: 0, messages: [], close: async () => undefined };
  const server = new SMTPServer({
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
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}
