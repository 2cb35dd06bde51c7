import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { ExitCode, UserError } from './errors.js';

/** The most bytes alertcron reads of one input file (alertcron.yaml, an alert, a query, a *_file secret). */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/** Why an input file cannot be used as text, with the line and column when the place is known. */
export interface InputProblem {
  message: string;
  line?: number;
  col?: number;
}

/**
 * Reads a UTF-8 text file safely: only a regular file (never a directory, device or FIFO, so `/dev/zero`
 * or a named pipe cannot hang a run), at most `maxBytes`, and refusing binary, UTF-16/32 and invalid UTF-8.
 * Returns the text (without a UTF-8 byte order mark) and the file's stat, or a problem worded for the user.
 */
export function readInputFile(path: string, maxBytes = MAX_INPUT_BYTES): { text: string; stat: Stats } | { problem: InputProblem } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it changes nothing for a regular file.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { problem: { message: openProblem(path, error as NodeJS.ErrnoException) } };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { problem: { message: 'is a directory, not a file: rename it or move it out of this folder' } };
    if (!stat.isFile()) return { problem: { message: 'is not a regular file (a device, pipe or socket): point it at a text file' } };
    if (stat.size > maxBytes) return { problem: { message: tooLarge(maxBytes) } };
    const bytes = readAtMost(fd, maxBytes + 1, stat.size);
    if (bytes.length > maxBytes) return { problem: { message: tooLarge(maxBytes) } };
    const decoded = decode(bytes);
    // The file's own signature as it was read (the parse cache keys on it: no second stat()).
    return 'text' in decoded ? { text: decoded.text, stat } : decoded;
  } catch (error) {
    return { problem: { message: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` } };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads up to `limit` bytes in a loop: a file that grows while it is read cannot make this run forever. Buffers
 * are sized by the file's own size, so reading the same small query for a thousand alerts stays cheap.
 */
function readAtMost(fd: number, limit: number, sizeHint: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const chunk = Buffer.allocUnsafe(Math.min(limit - total, Math.max(sizeHint + 1 - total, 1024)));
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
    total += read;
    // A short read of a regular file is its end: no second call just to be told so.
    if (read < chunk.length) break;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

function decode(bytes: Buffer): { text: string } | { problem: InputProblem } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) return { problem: { message: 'is UTF-32 text: save it as UTF-8' } };
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff) return { problem: { message: 'is UTF-32 text: save it as UTF-8' } };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return { problem: { message: 'is UTF-16 text: save it as UTF-8' } };
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    // ASCII saved as UTF-16 without a byte order mark has a NUL in every other byte.
    const looksUtf16 = bytes.length >= 2 && bytes.every((b, i) => (i % 2 === nul % 2 ? b === 0 : b !== 0));
    if (looksUtf16) return { problem: { message: 'is UTF-16 text (without a byte order mark): save it as UTF-8' } };
    return { problem: { ...place(bytes, nul), message: 'is a binary file, not text (it contains a NUL byte)' } };
  }
  const text = bytes.toString('utf8');
  const bad = text.indexOf('\ufffd');
  if (bad >= 0 && !isValidUtf8(bytes)) {
    const before = text.slice(0, bad).split('\n');
    return { problem: { line: before.length, col: before[before.length - 1]!.length + 1, message: 'is not valid UTF-8 text: save it as UTF-8' } };
  }
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function place(bytes: Buffer, offset: number): { line: number; col: number } {
  const before = bytes.subarray(0, offset).toString('utf8').split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

function tooLarge(maxBytes: number): string {
  const size = maxBytes >= 1024 * 1024 ? `${Math.round(maxBytes / 1024 / 1024)} MiB` : `${Math.round(maxBytes / 1024)} KiB`;
  return `is larger than ${size}, more than such a file should be: is it the right file?`;
}

function openProblem(path: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ELOOP':
      return 'is a symbolic link loop (it leads back to itself): fix or remove the link';
    case 'ENOENT': {
      const target = linkTarget(path);
      return target !== undefined ? `is a symbolic link to ${target}, which does not exist: fix or remove the link` : 'does not exist';
    }
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied (check its owner and mode)';
    case 'ENOTDIR':
      return 'does not exist (a part of its path is a file, not a folder)';
    default:
      return `cannot be read: ${error.code ?? error.message}`;
  }
}

/**
 * Whether a problem only says the file is not there for this user (missing, a dangling link, no permission), as
 * opposed to a file that is there but unusable (a device, a directory, binary, too large ...). A secret file may
 * well be absent on a development machine and present on the production host.
 */
export function isAbsentFile(problem: InputProblem): boolean {
  return /^does not exist\b|^is a symbolic link to .*, which does not exist|^cannot be read: permission denied/.test(problem.message);
}

function linkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a CA file named by `key` (e.g. `elasticsearch.ca_file`); one that cannot be read is a configuration error
 * (exit 2) naming the key, the path and why, not a failure to write the state.
 */
export function readCaFile(path: string, key: string): string {
  const read = readInputFile(path);
  if ('problem' in read) throw new UserError(`cannot read ${key}: ${path} ${read.problem.message}`, ExitCode.invalidConfig);
  return read.text;
}
