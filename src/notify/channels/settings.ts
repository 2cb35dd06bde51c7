import { parseDuration } from '../../util/duration.js';

/** A channel's `timeout:` (10s unless set). */
export function timeoutOf(raw: Record<string, unknown>): number {
  return parseDuration((raw.timeout as string | undefined) ?? '10s');
}

/** A setting as text, or undefined when it is not set. */
export function optionalText(raw: Record<string, unknown>, key: string): string | undefined {
  return raw[key] === undefined ? undefined : String(raw[key]);
}

/** An API base URL without its trailing slashes (the default when unset). */
export function apiUrl(raw: Record<string, unknown>, fallback: string): string {
  return (optionalText(raw, 'api_url') ?? fallback).replace(/\/+$/, '');
}

/** A URL's origin only (a path or query may carry a token; a channel says where, not what); an unset URL or one that is not a URL says so. */
export function originOf(url: string): string {
  if (!url.trim()) return '(url not set)';
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}
