/**
 * Exits with `code` once everything written to stdout and stderr has been handed over: a pipe to a slow reader
 * (`alertcron run --json | slow-consumer`) gets the whole report, not the first 64 KiB. Nothing else is waited for.
 */
export async function exitWhenFlushed(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable || stream.writableLength === 0) return resolve();
    // A reader that went away (EPIPE) cannot be waited for.
    stream.once('error', () => resolve());
    // Writes complete in order: the callback of an empty write runs once every earlier write is done.
    stream.write('', () => resolve());
  });
}
