import { randomUUID } from 'node:crypto';

/** What a plain-text mail says: sender, recipients, subject, text and the alert it is of (one line each but the text). */
export interface PlainMail {
  from: string;
  fromName: string;
  to: readonly string[];
  subject: string;
  text: string;
  alert: string;
}

/** A mail ready for the SMTP DATA command: the envelope's addresses, its Message-ID and the message itself. */
export interface ComposedMail {
  envelope: { from: string; to: string[] };
  messageId: string;
  raw: string;
}

/**
 * An address this composer writes as it is (a dot-atom ASCII local part: no quotes, spaces, leading, trailing or
 * doubled dots; ASCII domain): anything else (a local part nodemailer quotes, international addresses) is left to
 * nodemailer's composer.
 */
const SIMPLE_ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/;

/** An address as nodemailer writes it: its (ASCII) domain lowercased. */
function normalized(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
}

/** Whether composePlainMail can write this mail (its addresses are plain ASCII ones, see SIMPLE_ADDRESS). */
export function composable(from: string, to: readonly string[]): boolean {
  return SIMPLE_ADDRESS.test(from) && to.length > 0 && to.every((address) => SIMPLE_ADDRESS.test(address));
}

/**
 * Writes a text/plain UTF-8 mail (RFC 5322, MIME RFC 2045/2047) as one string with CRLF line ends, without streams:
 * printable ASCII header values as they are, folded at spaces; any other (or one holding `=?`) as base64 encoded-words;
 * CR and LF never reach a header (they become spaces). The text goes as 7bit when it is ASCII in lines of at most 76
 * characters, else as quoted-printable. Dots at line starts are the SMTP client's to escape. The addresses must be
 * composable().
 */
export function composePlainMail(mail: PlainMail, now = new Date()): ComposedMail {
  const domain = mail.from.slice(mail.from.lastIndexOf('@') + 1);
  const messageId = `<${randomUUID()}@${domain}>`;
  const text = mail.text.replace(/\r\n|\r|\n/g, '\r\n');
  const sevenBit = ASCII_TEXT.test(text) && text.split('\r\n').every((line) => line.length <= 76);
  // As nodemailer: domains lowercased; the To header lists every address given, the envelope each once.
  const to = mail.to.map(normalized);
  const head = [
    'Content-Type: text/plain; charset=utf-8',
    header('From', mail.fromName ? `${displayName(mail.fromName)} <${normalized(mail.from)}>` : normalized(mail.from), true),
    header('To', to.join(', '), true),
    header('Subject', mail.subject),
    header('X-Alertcron-Alert', mail.alert),
    `Message-ID: ${messageId}`,
    `Content-Transfer-Encoding: ${sevenBit ? '7bit' : 'quoted-printable'}`,
    `Date: ${now.toUTCString().replace(/GMT$/, '+0000')}`,
    'MIME-Version: 1.0',
  ];
  const body = sevenBit ? text : quotedPrintable(text);
  return { envelope: { from: normalized(mail.from), to: [...new Set(to)] }, messageId, raw: `${head.join('\r\n')}\r\n\r\n${body}\r\n` };
}

/** Printable ASCII, tabs and CRLF only. */
const ASCII_TEXT = /^[\x20-\x7e\t\r\n]*$/;
/** Printable ASCII only (what a header may hold unencoded). */
const ASCII_LINE = /^[\x20-\x7e]*$/;

/** A display name: an atom sequence as it is, quoted when it has specials, encoded when not ASCII. */
function displayName(name: string): string {
  if (/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(name) && !name.includes('=?')) return name;
  if (ASCII_LINE.test(name) && !name.includes('=?')) return `"${name.replace(/["\\]/g, '\\$&')}"`;
  return encodedWords(name);
}

/** One header line, folded at spaces to lines of at most 78 characters where it can be; `raw`: already encoded. */
function header(name: string, value: string, raw = false): string {
  const flat = value.replace(/[\r\n]+/g, ' ');
  if (raw || (ASCII_LINE.test(flat) && !flat.includes('=?'))) return fold(`${name}: ${flat}`);
  // Encoded-words come folded, each line within RFC 2047's 76 characters, the first after the header's name.
  return `${name}: ${encodedWords(flat, name.length + 2)}`;
}

/** Folds a header line before a space so that its lines have at most 78 characters where a space allows it. */
function fold(line: string): string {
  if (line.length <= 78) return line;
  const out: string[] = [];
  let rest = line;
  while (rest.length > 78) {
    const at = rest.lastIndexOf(' ', 78);
    // No space to fold at (before the header's name and colon): the line stays long (a header line may have 998).
    if (at <= 0 || /^[^ ]*:$/.test(rest.slice(0, at))) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  out.push(rest);
  return out.join('\r\n');
}

/**
 * A value as RFC 2047 base64 encoded-words of whole characters, separated by folding, each line at most 76 characters:
 * the first word shorter by `lead` (the header's name, colon and space before it).
 */
function encodedWords(value: string, lead = 0): string {
  const words: string[] = [];
  // 45 bytes of UTF-8 make 60 base64 characters: with `=?UTF-8?B?` and `?=` a word of 72 (73 with the fold's space);
  // the first line's words have (76 - lead - 12) / 4 * 3 bytes.
  let limit = Math.floor((76 - lead - 12) / 4) * 3;
  let chunk = '';
  let bytes = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char);
    if (bytes + size > limit && chunk) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
      limit = 45;
    }
    chunk += char;
    bytes += size;
  }
  if (chunk || !words.length) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** Quoted-printable (RFC 2045 6.7) of CRLF-separated text, as UTF-8, in lines of at most 76 characters. */
export function quotedPrintable(text: string): string {
  return text
    .split('\r\n')
    .map((line) => {
      if (QP_PLAIN_LINE.test(line)) return plainQuotedPrintable(line);
      const bytes = Buffer.from(line, 'utf8');
      const out: string[] = [];
      let current = '';
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        const last = i === bytes.length - 1;
        // Printable ASCII but '=' as it is; a space or tab too, unless it ends the line.
        const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
        const piece = literal ? String.fromCharCode(b) : `=${b < 16 ? '0' : ''}${b.toString(16).toUpperCase()}`;
        if (current.length + piece.length > 75) {
          out.push(`${current}=`);
          current = '';
        }
        current += piece;
      }
      out.push(current);
      return out.join('\r\n');
    })
    .join('\r\n');
}

/** A line of printable ASCII without '=' (spaces and tabs allowed): quoted-printable leaves it as it is but its ends. */
const QP_PLAIN_LINE = /^[\x21-\x3c\x3e-\x7e \t]*$/;

/**
 * quotedPrintable()'s line for a QP_PLAIN_LINE, without a pass per byte: soft breaks after each 75 characters, and
 * a space or tab that ends the line encoded (the same output, byte for byte).
 */
function plainQuotedPrintable(line: string): string {
  const last = line.charCodeAt(line.length - 1);
  const tail = last === 32 ? '=20' : last === 9 ? '=09' : '';
  const body = tail ? line.slice(0, -1) : line;
  if (body.length + tail.length <= 75) return body + tail;
  const out: string[] = [];
  let at = 0;
  for (; body.length - at > 75; at += 75) out.push(`${body.slice(at, at + 75)}=`);
  const rest = body.slice(at);
  if (rest.length + tail.length > 75) out.push(`${rest}=`, tail);
  else out.push(rest + tail);
  return out.join('\r\n');
}
