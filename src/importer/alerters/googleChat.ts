import { quoteData } from '../quote.js';
import { listOf, type AlerterChannel, type AlerterContext } from './context.js';
import { connectionNotes } from './text.js';

/** ElastAlert2's googlechat alerter as `google-chat` channels, one per webhook URL (a variable); `card` format kept. */
export function convertGoogleChat(ctx: AlerterContext): AlerterChannel[] {
  const urls = listOf(ctx.take('googlechat_webhook_url'));
  if (!urls.length) return ctx.refuse('googlechat_webhook_url', 'googlechat_');
  const config: Record<string, unknown> & { type: string } = { type: 'google-chat' };
  const format = ctx.take('googlechat_format');
  if (format === 'card') config.format = 'card';
  else if (format !== undefined && format !== 'basic') ctx.note('googlechat_format', `not converted: ${quoteData(format)} is neither basic nor card; the message is text`);
  connectionNotes(ctx, 'googlechat_');
  ctx.rest('googlechat_', 'not converted: the google-chat card shows the notice\'s title and message (its header and footer are not set)');
  return urls.map((url) => ({ config, secrets: [ctx.secret('webhook_url', 'googlechat_webhook_url', url)] }));
}
