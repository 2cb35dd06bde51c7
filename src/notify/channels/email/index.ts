import type { EmailChannelConfig } from '../../config.js';
import { optionalText, timeoutOf } from '../settings.js';
import type { ChannelKind } from '../types.js';

/** Email over SMTP to fixed, validated recipients (nodemailer, loaded on first send). */
export const emailChannel: ChannelKind<EmailChannelConfig> = {
  type: 'email',
  secretKeys: ['password'],
  complete(raw) {
    const secure = raw.secure === true;
    return {
      type: 'email',
      host: String(raw.host),
      port: (raw.port as number | undefined) ?? (secure ? 465 : 25),
      secure,
      starttls: (raw.starttls as 'auto' | 'require' | 'ignore' | undefined) ?? 'auto',
      tls_insecure: raw.tls_insecure === true,
      username: optionalText(raw, 'username'),
      password: optionalText(raw, 'password'),
      from: String(raw.from),
      to: raw.to as string[],
      timeout: timeoutOf(raw),
    };
  },
  // SMTP AUTH PLAIN and LOGIN send the password base64-encoded, PLAIN with the user name.
  sentCredentials: (config) => (config.password ? [{ base64: config.password }, ...(config.username !== undefined ? [{ base64: `\u0000${config.username}\u0000${config.password}` }] : [])] : []),
  destinations: async (_name, config) => [...config.to],
  receiptId: 'Message-ID',
  mailsFeedback: true,
  notifier: async (name, config) => (await import('../../email.js')).createEmailNotifier(name, config),
};
