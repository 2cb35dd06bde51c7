const secrets = new Set<string>();

/** Remembers a secret value so that `redact` can blank it out of anything printed or stored. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** Replaces every registered secret (and its URL-encoded and JSON-escaped forms) in a text with `***`. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret), encodeURI(secret), JSON.stringify(secret).slice(1, -1)])) {
      if (out.includes(form)) out = out.split(form).join('***');
    }
  }
  return out;
}
