import { looksLikeToken } from '../util/token.js';

/** Hosts and paths of chat webhooks whose URL is the credential (Slack, Discord, Teams, Google Chat). */
const HOOK_URL = /^https?:\/\/(?:hooks\.slack\.com|(?:[\w-]+\.)*discord(?:app)?\.com\/api\/webhooks|(?:[\w-]+\.)*webhook\.office\.com|outlook\.office(?:365)?\.com\/webhook|chat\.googleapis\.com)/i;

/**
 * Whether a webhook URL carries a credential, so that the whole URL must go into a variable rather than a file:
 * a user:password part, any query string (key=, token=, sig= ... or a secret under any name), a chat webhook's
 * host or path, or a path segment that looks like a token. Unreadable URLs count as secret.
 */
export function urlHasSecret(url: string): boolean {
  if (HOOK_URL.test(url)) return true;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true;
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) return true;
  return parsed.pathname.split('/').some((segment) => looksLikeToken(segment));
}

/**
 * A URL without its `user:password@` part, with that part's user name and password (percent-decoded); the URL
 * unchanged, and no user name, when it has none.
 */
export function splitUserinfo(url: string): { url: string; username?: string; password?: string } {
  const userinfo = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i.exec(url);
  if (!userinfo) return { url };
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const colon = userinfo[2]!.indexOf(':');
  const username = decode(colon < 0 ? userinfo[2]! : userinfo[2]!.slice(0, colon));
  const password = colon < 0 ? undefined : decode(userinfo[2]!.slice(colon + 1));
  return { url: userinfo[1] + url.slice(userinfo[0].length), username, ...(password ? { password } : {}) };
}
