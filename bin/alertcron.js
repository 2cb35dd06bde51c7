#!/usr/bin/env node
// Thin entry point: the CLI itself is compiled from src/cli.ts into dist/.
import { main } from '../dist/src/cli.js';

// Exit at once with the run's code: a delivery cut off by the deadline must not keep the process alive.
process.exit(await main(process.argv));
