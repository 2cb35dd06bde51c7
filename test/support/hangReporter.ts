// A node:test reporter beside spec (test/run.ts adds it): when a test file is stopped by --test-timeout, it says
// which file and which test was running then, or that every test had ended and the process did not exit.

/** The fields of a node:test reporter event this reporter reads. */
interface TestEvent {
  type: string;
  data: { file?: string; name?: string; nesting?: number; details?: { error?: { failureType?: string; cause?: unknown; message?: string } } };
}

/** What is known of a file's tests: those that started and have not ended (outermost first), and whether any ended. */
interface FileTests {
  running: { name: string; nesting: number }[];
  ended: boolean;
}

/** The line printed for a file the limit stopped: its path, the limit's message, and what was running. */
export function hangLine(file: string, limit: string, tests: FileTests): string {
  const what = tests.running.length
    ? `while running ${tests.running.map((t) => JSON.stringify(t.name)).join(' > ')}`
    : tests.ended
      ? 'after its last test ended (in an after hook, or a server, timer, child process or browser left open kept the process alive)'
      : 'before its first test started (while loading the file or in a before hook)';
  return `test file ${file} was stopped by the runner's limit (${limit}; node dist/test/run.js --test-timeout <seconds>) ${what}\n`;
}

/** Follows which test of each file is running and prints a hangLine for each file that timed out. */
export default async function* hangReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const files = new Map<string, FileTests>();
  for await (const event of source) {
    const { file, name, nesting = 0 } = event.data;
    if (!file || name === undefined) continue;
    const tests = files.get(file) ?? { running: [], ended: false };
    files.set(file, tests);
    if (name === file && nesting === 0) {
      // The file's own fail comes after the events its process sent (its complete may come before them).
      const error = event.data.details?.error;
      if (event.type === 'test:fail' && error?.failureType === 'testTimeoutFailure') yield hangLine(file, String(error.cause ?? error.message ?? 'timed out'), tests);
      if (event.type === 'test:pass' || event.type === 'test:fail') files.delete(file);
    } else if (event.type === 'test:dequeue') {
      tests.running.push({ name, nesting });
    } else if (event.type === 'test:complete' || event.type === 'test:pass' || event.type === 'test:fail') {
      let at = tests.running.length - 1;
      while (at >= 0 && !(tests.running[at]?.name === name && tests.running[at]?.nesting === nesting)) at--;
      if (at >= 0) tests.running.splice(at, 1);
      tests.ended = true;
    }
  }
}
