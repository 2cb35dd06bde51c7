// Reads a mail as the SMTP sink received it: its parts (a single-part mail is one part) with their content types
// and decoded bodies (quoted-printable or base64, as nodemailer chose), so tests can check the HTML a client shows.

/** One part of a mail: its Content-Type (lower case, without parameters) and its decoded text. */
export interface MailPart {
  type: string;
  body: string;
}

/** The header block and body of a MIME entity, header lines unfolded. */
function split(entity: string): { headers: Record<string, string>; body: string } {
  const end = entity.indexOf('\r\n\r\n');
  const head = end < 0 ? entity : entity.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: end < 0 ? '' : entity.slice(end + 4) };
}

/** Decodes a body by its Content-Transfer-Encoding. */
function decode(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** The leaf parts of a mail, in order (multipart entities are opened, nested ones too). */
export function mailParts(raw: string): MailPart[] {
  const { headers, body } = split(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!type.toLowerCase().startsWith('multipart/') || !boundary) return [{ type: type.split(';')[0]!.trim().toLowerCase(), body: decode(body, headers['content-transfer-encoding']) }];
  const pieces = body.split(`--${boundary}`).slice(1);
  return pieces.filter((piece) => !piece.startsWith('--')).flatMap((piece) => mailParts(piece.replace(/^\r\n/, '')));
}
