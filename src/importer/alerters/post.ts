import { urlHasSecret } from '../secretUrl.js';
import { listOf, type AlerterChannel, type AlerterContext } from './context.js';

/** ElastAlert2's post/post2 alerters as one `webhook` channel per URL: a URL with a token and header values are variables. */
export function convertPost(ctx: AlerterContext): AlerterChannel[] {
  const prefix = ctx.name === 'post2' ? 'http_post2_' : 'http_post_';
  const urls = listOf(ctx.take(`${prefix}url`));
  if (!urls.length) {
    ctx.noteAlerter(`${prefix}url`, `the ${ctx.name} alerter has no ${prefix}url: not converted`);
    return [];
  }
  const headers = (ctx.take(`${prefix}headers`) ?? {}) as Record<string, unknown>;
  const secrets = Object.entries(headers).map(([name, value]) => {
    // The scheme of an Authorization header stays in the file; only the credential goes to the variable.
    const scheme = /^(Bearer|Basic|ApiKey|Token) (?=\S)/i.exec(String(value))?.[0];
    return { ...ctx.secret(`headers.${name}`, `${prefix}headers`, scheme ? String(value).slice(scheme.length) : value), ...(scheme ? { prefix: scheme } : {}) };
  });
  const timeout = ctx.take(`${prefix}timeout`);
  const channels = urls.map((url) => {
    // A URL that carries credentials (user:password@, a query, a chat webhook's token path) is a secret too.
    const secretUrl = urlHasSecret(url);
    const config: Record<string, unknown> & { type: string } = { type: 'webhook', ...(secretUrl ? {} : { url }), ...(typeof timeout === 'number' ? { timeout: `${timeout}s` } : {}) };
    return { config, secrets: [...(secretUrl ? [ctx.secret('url', `${prefix}url`, url)] : []), ...secrets] };
  });
  ctx.rest(prefix, 'not converted: an alertcron webhook POSTs its own JSON {alert, key, reason, title, message, sent_at}');
  return channels;
}
