#!/usr/bin/env node
// Thin entry point: the CLI itself is compiled from src/cli.ts into dist/.
import { main } from '../dist/src/cli.js';
import { exitWhenFlushed } from '../dist/src/util/exitWhenFlushed.js';

// Exit with the run's code as soon as stdout and stderr are written out: a delivery cut off by the deadline must
// not keep the process alive, and a slow reader of --json must still get the whole report.
await exitWhenFlushed(await main(process.argv));
