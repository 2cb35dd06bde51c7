import { cutText } from './text.js';
const secrets = new Set<string>();
/** Every text form of every registered secret, longest first (so a whole form goes before a fragment of it). */
let forms: string[] = [];

/** Fewest characters a base64 fragment must have to be blanked: shorter ones would match ordinary text. */
const MIN_BASE64_FRAGMENT = 8;

/** Remembers a secret value so that `redact` can blank it out of anything printed or stored. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 4 || secrets.has(value)) return;
  secrets.add(value);
  const all = new Set(forms);
  for (const form of secretForms(value)) all.add(form);
  forms = [...all].sort((a, b) => b.length - a.length);
}

/**
 * The forms in which a secret travels or gets echoed: itself (and trimmed, as a header carries it), URL-encoded (strict and form style), its UTF-8 bytes
 * read as latin1 (a header echoed back), each of those JSON-escaped,
 * and base64 wherever it sits inside an encoded text (a Basic `user:secret` header, a Duo `ikey:signature`, an
 * SMTP AUTH PLAIN line): the part of its base64 that does not depend on the bytes around it, for each of the
 * three alignments, in standard and URL-safe alphabets. At most two bytes at each end stay encoded beside `***`.
 */
export function secretForms(secret: string): string[] {
  // An HTTP header's value loses its leading and trailing blanks on the way: a server echoes the secret trimmed.
  const trimmed = secret.trim();
  if (trimmed !== secret && trimmed.length >= 4) return [...new Set([...formsOf(secret), ...formsOf(trimmed)])];
  return formsOf(secret);
}

/** secretForms of the secret exactly as given. */
function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  // A header's UTF-8 bytes read back one byte per character (latin1), as servers echo them.
  const asLatin1 = bytes.toString('latin1');
  const out = new Set([secret, encodeURIComponent(secret), encodeURI(secret), new URLSearchParams({ s: secret }).toString().slice(2), asLatin1]);
  for (const form of [...out]) out.add(JSON.stringify(form).slice(1, -1));
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Characters before ceil(shift/3) groups mix in the unknown prefix; the last partial group mixes in what follows.
    const start = shift === 0 ? 0 : 4;
    const end = Math.floor((shift + bytes.length) / 3) * 4;
    const core = encoded.slice(start, end);
    if (core.length < MIN_BASE64_FRAGMENT) continue;
    out.add(core);
    out.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...out].filter((form) => form.length >= 4);
}

/** Replaces every registered secret (and its URL-encoded, JSON-escaped and base64 forms) in a text with `***`. */
export function redact(text: string): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join('***');
  return out;
}

/** A copy of a JSON-like value with `redact` applied to every string in it, object keys included (numbers and the shape kept). */
export function redactAll<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactAll(item)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) out[redact(name)] = redactAll(item);
    return out as T;
  }
  return value;
}

/** An excerpt of outside text (an error body, a status message) for a message: redacted first, then cut to `max` characters, so a cut cannot leave part of a secret. */
export function redactedExcerpt(text: string, max: number): string {
  return cutText(redact(text), max);
}
