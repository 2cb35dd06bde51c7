/** Microsoft's announcement of the retirement of Office 365 connectors in Teams, and what replaces them. */
export const CONNECTORS_RETIRED = 'https://devblogs.microsoft.com/microsoft365dev/retirement-of-office-365-connectors-within-microsoft-teams/';

/**
 * Why a URL cannot be a Teams channel's webhook, or undefined when it may be one: an Office 365 connector's Incoming
 * Webhook URL (`*.webhook.office.com/webhookb2/...`, `outlook.office.com/webhook/...`) belongs to a service Microsoft
 * retired. The reason names the host only (the path holds the token).
 */
export function retiredConnectorUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname.toLowerCase();
  const connector = (/(^|\.)webhook\.office\.com$/.test(host) && /^\/webhookb2\//i.test(parsed.pathname)) || (/^outlook\.office(365)?\.com$/.test(host) && /^\/webhook\//i.test(parsed.pathname));
  if (!connector) return undefined;
  return (
    `webhook_url is an Office 365 connector URL (${host}): Microsoft retired these connectors in Teams and they no longer post. ` +
    'Create a Workflows webhook instead: in Teams, on the channel choose ... > Workflows > "Post to a channel when a webhook request is received" ' +
    '(or in Power Automate, a flow triggered by "When a Teams webhook request is received" that posts an Adaptive Card), and set webhook_url to the URL it gives ' +
    `(see ${CONNECTORS_RETIRED})`
  );
}
