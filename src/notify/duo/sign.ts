import { createHmac } from 'node:crypto';

/** The digest of a Duo v2 signature: SHA-512 as the official clients use today, SHA-1 for the historic form. */
export type DuoDigest = 'sha512' | 'sha1';

/** Encodes a value the strict way Duo canonicalises: RFC 3986 unreserved characters kept, everything else %XX. */
export function duoEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonical parameter string: keys sorted (by their UTF-8 bytes), `key=value` pairs strictly encoded, joined by `&`. */
export function canonParams(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .map((key) => [duoEncode(key), duoEncode(params[key]!)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** The v2 canonical request: date, method upper-cased, host lower-cased, path, and the canonical parameters, one per line. */
export function canonicalRequest(date: string, method: string, host: string, path: string, params: Readonly<Record<string, string>>): string {
  return [date, method.toUpperCase(), host.toLowerCase(), path, canonParams(params)].join('\n');
}

/** The Authorization header value of a v2-signed request: `Basic base64(ikey:hex(HMAC(skey, canon)))`. */
export function signRequest(
  ikey: string,
  skey: string,
  request: { date: string; method: string; host: string; path: string; params: Readonly<Record<string, string>> },
  digest: DuoDigest = 'sha512',
): string {
  const canon = canonicalRequest(request.date, request.method, request.host, request.path, request.params);
  const signature = createHmac(digest, skey).update(canon, 'utf8').digest('hex');
  return `Basic ${Buffer.from(`${ikey}:${signature}`, 'utf8').toString('base64')}`;
}

/** A date in the RFC 2822 form Duo signs (`Tue, 21 Aug 2012 17:29:18 -0000`). */
export function duoDate(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '-0000');
}
