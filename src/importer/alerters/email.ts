import { quoteData } from '../quote.js';
import type { ChannelSecret } from '../channels.js';
import { address, listOf, type AlerterChannel, type AlerterContext } from './context.js';

/** A plain address as the email channel takes one (its schema's pattern). */
const PLAIN_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;

/** ElastAlert2's email alerter as an `email` channel: recipients, sender, SMTP server, smtp_auth_file as variables. */
export function convertEmail(ctx: AlerterContext): AlerterChannel[] {
  const { options, take, note, secret } = ctx;
  const domain = take('email_add_domain') as string | undefined;
  // A recipient that is no address (a placeholder such as "[email]" not yet filled in) is named and left out.
  const addresses = (option: string) => listOf(take(option)).map((a) => address(a, domain)).filter((a) => {
    if (PLAIN_ADDRESS.test(a)) return true;
    note(option, `${quoteData(a)} is not an email address (local@domain): left out`);
    return false;
  });
  const to = addresses('email');
  const copies = [...addresses('cc'), ...addresses('bcc')];
  if (copies.length) note(options.cc !== undefined ? 'cc' : 'bcc', 'cc and bcc recipients become ordinary recipients of the channel (alertcron sends one mail to all of to:)');
  if (!to.length) {
    ctx.noteAlerter('email', 'the email alerter has no recipient address in email:: not converted');
    return [];
  }
  const fromAddr = take('from_addr');
  let from = typeof fromAddr === 'string' ? address(fromAddr, undefined) : '';
  if (!PLAIN_ADDRESS.test(from)) {
    from = 'elastalert@localhost';
    const message = `no plain from address (ElastAlert2's default is "ElastAlert"): the channel sends from ${quoteData(from)}, change it`;
    if (fromAddr === undefined) ctx.noteAlerter('from_addr', message);
    else note('from_addr', message);
  }
  let port = take('smtp_port');
  if (port !== undefined && !(Number.isInteger(Number(port)) && Number(port) > 0 && Number(port) < 65536)) {
    note('smtp_port', `${quoteData(port)} is not a port number: left out (the channel's default applies)`);
    port = undefined;
  }
  const ssl = take('smtp_ssl');
  const config: Record<string, unknown> & { type: string } = { type: 'email', host: (take('smtp_host') as string | undefined) ?? 'localhost', ...(port !== undefined ? { port: Number(port) } : {}), ...(ssl === true ? { secure: true } : {}), from, to: [...new Set([...to, ...copies])] };
  const secrets: ChannelSecret[] = [];
  const authFile = take('smtp_auth_file');
  if (authFile !== undefined) {
    secrets.push(secret('username', 'smtp_auth_file', `file:${String(authFile)}:user`), secret('password', 'smtp_auth_file', `file:${String(authFile)}:password`));
    note('smtp_auth_file', `the user and password in ${quoteData(authFile)} become the username and password variables of the email channels (in the list of variables)`);
  }
  ctx.unsupported(['email_reply_to', 'email_format', 'smtp_key_file', 'smtp_cert_file', 'email_from_field', 'email_cc_field', 'email_bcc_field', 'assets_dir', 'email_image_keys', 'email_image_values'], 'not converted: alertcron mails are plain text from the channel\'s own from:, to: and server settings');
  return [{ config, secrets }];
}
