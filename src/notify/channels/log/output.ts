/** Where log channels write their lines: stdout, unless the command keeps stdout for a JSON report. */
let target: { write(text: string): unknown } = process.stdout;

/** Sends the log channels' lines to another stream (stderr while `--json` keeps stdout for one JSON document). */
export function writeLogLinesTo(stream: { write(text: string): unknown }): void {
  target = stream;
}

/** Writes one line (it holds no line break of its own). */
export function writeLogLine(line: string): void {
  target.write(`${line}\n`);
}
