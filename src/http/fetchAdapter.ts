import { post } from './post.js';
import { boundedSignal } from '../util/signal.js';

/** The part of a fetch Response that HTTP client libraries read. */
export interface MinimalResponse {
  ok: boolean;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/**
 * A fetch for POST requests over node's own http/https, for libraries that accept a `fetch` option:
 * node's global fetch loads its internal undici on first use (about 100 ms). Redirects are not followed.
 */
export function createPostFetch(options: { timeoutMs: number; signal?: AbortSignal }) {
  return async (input: string | URL, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}): Promise<MinimalResponse> => {
    if (init.method && init.method !== 'POST') throw new Error(`only POST is supported, not ${init.method}`);
    const signal = boundedSignal([options.signal, init.signal]);
    const answer = await post(new URL(String(input)), init.body ?? '', {
      headers: init.headers ?? {},
      timeoutMs: options.timeoutMs,
      signal: signal.signal,
    }).finally(signal.done);
    const header = (name: string) => {
      const value = answer.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    };
    return {
      ok: answer.status >= 200 && answer.status < 300,
      status: answer.status,
      statusText: '',
      headers: { get: header },
      text: async () => answer.text,
      json: async () => JSON.parse(answer.text) as unknown,
    };
  };
}
