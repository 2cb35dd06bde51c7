#!/usr/bin/env node
// Thin entry point: the CLI is compiled from src/ into dist/src and bundled into dist/bundle (`npm run build`, or
// `npm pack`): one file and a few lazily loaded chunks start faster than ninety small modules.
let cli;
try {
  cli = await import('../dist/bundle/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes("dist/bundle/cli.js'")) throw error;
  console.error('alertcron: dist/ is missing: in a git checkout, run npm run build first (an installed package has it)');
  process.exit(1);
}
const { exitWhenFlushed } = await import('../dist/bundle/util/exitWhenFlushed.js');

// Exit with the run's code as soon as stdout and stderr are written out: a delivery cut off by the deadline must
// not keep the process alive, and a slow reader of --json must still get the whole report.
await exitWhenFlushed(await cli.main(process.argv));
