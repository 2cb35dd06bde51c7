#!/usr/bin/env node
// Thin entry point: the CLI itself is compiled from src/cli.ts into dist/ (by `npm run build`, or `npm pack`).
let cli;
try {
  cli = await import('../dist/src/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/src/cli.js')) throw error;
  console.error('alertcron: dist/ is missing: in a git checkout, run npm run build first (an installed package has it)');
  process.exit(1);
}

// Exit at once with the run's code: a delivery cut off by the deadline must not keep the process alive.
process.exit(await cli.main(process.argv));
