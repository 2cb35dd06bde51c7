// Entry of the start-up bundle (dist/bundle/cli.cjs, see bin/alertcron.js): the CLI and the exit that waits for
// stdout and stderr, in one CommonJS file that node can compile from a code cache.
export { main } from './cli.js';
export { exitWhenFlushed } from './util/exitWhenFlushed.js';
