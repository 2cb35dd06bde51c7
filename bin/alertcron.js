#!/usr/bin/env node
// Thin entry point: the CLI itself is compiled from src/cli.ts into dist/.
import { main } from '../dist/src/cli.js';

process.exitCode = await main(process.argv);
