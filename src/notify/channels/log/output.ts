/** A stream the lines go to: process.stdout, process.stderr. */
type LineStream = Pick<NodeJS.WritableStream, 'write' | 'on'>;

/** Where log channels write their lines: stdout, unless the command keeps stdout for a JSON report. */
let target: LineStream = process.stdout;
/** The streams whose write errors are already absorbed. */
const guarded = new WeakSet<LineStream>();

/** Sends the log channels' lines to another stream (stderr while `--json` keeps stdout for one JSON document). */
export function writeLogLinesTo(stream: LineStream): void {
  target = stream;
}

/**
 * Writes one line (it holds no line break of its own). A reader that went away (EPIPE) or a full disk is no
 * failure of the notice: the line is in the audit log as well, and the run goes on.
 */
export function writeLogLine(line: string): void {
  if (!guarded.has(target)) {
    target.on('error', () => undefined);
    guarded.add(target);
  }
  target.write(`${line}\n`);
}
