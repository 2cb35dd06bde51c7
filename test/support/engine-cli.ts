// Development helper: `node dist/test/support/engine-cli.js [--verbose]` starts the test
// search engine (see engine.ts), prints its URL and keeps it up until SIGINT/SIGTERM.
// Tests started meanwhile (same port, ALERTCRON_TEST_ENGINE_PORT or 9250) reuse it.
import { startEngine } from './engine.js';

const verbose = process.argv.includes('--verbose') || process.argv.includes('-v');
const portArg = process.argv.find((a) => /^--port=\d+$/.test(a));

async function main(): Promise<void> {
  const engine = await startEngine({
    ...(portArg ? { port: Number(portArg.slice('--port='.length)) } : {}),
    log: verbose ? (line) => process.stderr.write(line + '\n') : (line) => {
      if (line.startsWith('engine:')) process.stderr.write(line + '\n');
    },
  });
  process.stdout.write(engine.url + '\n');
  if (engine.external) {
    process.stderr.write('engine: this engine was already running and is not ours to stop; exiting\n');
    return;
  }
  // startEngine unrefs the engine process: hold the event loop open until a signal.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`engine: ${signal}, stopping\n`);
    engine
      .stop()
      .catch((err: unknown) => process.stderr.write(`engine: stop failed: ${String(err)}\n`))
      .finally(() => clearInterval(keepAlive));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
