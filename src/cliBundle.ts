// Entry of the start-up bundle (dist/bundle/cli.cjs and its chunks, see src/buildBundle.ts and bin/alertcron.js):
// the CLI, the exit that waits for stdout and stderr, and the hook through which the bundled npm packages load.
export { main } from './cli.js';
export { exitWhenFlushed } from './util/exitWhenFlushed.js';
export { usePackageLoader } from './util/loadPackage.js';
