#!/usr/bin/env node
// The thin shell: hand argv to the library's CLI and set the exit code.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
