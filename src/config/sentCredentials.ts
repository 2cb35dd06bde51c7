import { channelKind } from '../notify/channels/registry.js';
import { registerSecret } from '../util/redact.js';
import { looksLikeToken, looksLikeTokenValue } from '../util/token.js';
import type { ElasticsearchConfig } from '../sources/elasticsearch/types.js';
import type { Config } from './types.js';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * Registers, for redaction, every form in which alertcron sends a credential, beyond the secret values
 * themselves: the Basic `user:password` pair and its base64 (Elasticsearch, Twilio), SMTP AUTH PLAIN and LOGIN,
 * the token of a webhook header (`Bearer x`, `ApiKey x`, `Basic x` and what x decodes to), the decoded form of an
 * Elasticsearch API key, and the path of a secret URL (the heartbeat, a Slack webhook, a webhook channel's url); each
 * channel kind names its own forms (`sentCredentials`). A server that echoes what
 * it received, in an error body for instance, cannot make alertcron print or store a credential.
 */
export function registerSentCredentials(config: Config): void {
  const es = config.sources.elasticsearch as ElasticsearchConfig | undefined;
  const hive = config.sources.thehive as { api_key?: string } | undefined;
  if (hive?.api_key) registerHeader(`Bearer ${hive.api_key}`);
  const mp = config.sources.maxpatrol as { password?: string; client_secret?: string } | undefined;
  // The password grant sends them form-encoded (a space as +, which encodeURIComponent does not give).
  for (const secret of [mp?.password, mp?.client_secret]) if (secret) registerSecret(new URLSearchParams({ s: secret }).toString().slice(2));
  if (es?.username !== undefined && es.password) registerPair(es.username, es.password);
  if (es?.api_key) registerEncoded(es.api_key);
  for (const channel of Object.values(config.channels)) {
    for (const sent of channelKind(channel.type)?.sentCredentials?.(channel) ?? []) {
      if ('pair' in sent) registerPair(...sent.pair);
      else if ('header' in sent) registerHeader(sent.header);
      else if ('url' in sent) registerUrl(sent.url);
      else registerSecret(base64(sent.base64));
    }
  }
  if (config.monitoring.heartbeat_url) registerUrl(config.monitoring.heartbeat_url);
}

/** `user:password` and its base64, as a Basic Authorization header carries them. */
function registerPair(user: string, password: string): void {
  registerSecret(`${user}:${password}`);
  registerSecret(base64(`${user}:${password}`));
}

/** A header value: the whole of it, its token after the scheme, and what a base64 token decodes to. */
function registerHeader(value: string): void {
  registerSecret(value);
  const token = /^\s*[A-Za-z-]+\s+(\S{4,})\s*$/.exec(value)?.[1];
  if (token) registerEncoded(token);
}

/** A token that may be base64 of `id:secret` (an Elasticsearch API key, a Basic pair): itself and its decoded form. */
function registerEncoded(token: string): void {
  registerSecret(token);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) return;
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  if (!/^[\x21-\x7e]+:[\x20-\x7e]+$/.test(decoded)) return;
  registerSecret(decoded);
  const secret = decoded.slice(decoded.indexOf(':') + 1);
  if (secret.length >= 8) registerSecret(secret);
}

/** Query parameters that carry a URL's token (a Workflows `sig`, a Google Chat `key` and `token`, an Azure Functions `code`). */
const TOKEN_PARAMETERS = /^(sig|signature|token|key|code|access_token|api_key|apikey|secret)$/i;

/**
 * A URL that is itself a secret: the whole of it, its path and query (where the token lives), each path segment that
 * looks like a token (a Discord webhook's token, a Mattermost hook id, which an error may echo alone), and each token
 * parameter's value that looks like a token (`?key=alertcron` must not blank every "alertcron" alertcron writes).
 */
function registerUrl(url: string): void {
  registerSecret(url);
  try {
    const { pathname, search } = new URL(url);
    if ((pathname + search).length >= 8) registerSecret(pathname + search);
    for (const segment of pathname.split('/')) if (looksLikeToken(segment)) registerSecret(segment);
    // A query value as sent (percent-encoded), decoded, and with a raw `+` kept (a base64 signature's `+`).
    for (const part of search.slice(1).split('&')) {
      const at = part.indexOf('=');
      const name = at < 0 ? part : part.slice(0, at);
      const raw = at < 0 ? '' : part.slice(at + 1);
      if (!TOKEN_PARAMETERS.test(safeDecode(name))) continue;
      const kept = safeDecode(raw);
      if (!looksLikeTokenValue(kept)) continue;
      for (const form of new Set([raw, kept, safeDecode(raw.replace(/\+/g, ' '))])) registerSecret(form);
    }
  } catch {
    /* not a URL: the whole value is registered */
  }
}

/** A percent-decoded text, or the text as it is when it is not valid percent-encoding. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
