// The thread that runs an interruptible command (src/cli/interruptible.ts): it reads the
// interrupt flag the main thread sets, sees the real streams' terminal settings on its own piped
// ones, runs the command and answers with its exit code.

import { parentPort, workerData } from 'node:worker_threads';
import { watchInterrupts } from '../core/interrupt.js';
import type { CommandThreadSetup } from './interruptible.js';
import { main } from './main.js';

const setup = workerData as CommandThreadSetup;
watchInterrupts(setup.shared);
Object.assign(process.stdout, setup.stdout);
Object.assign(process.stderr, setup.stderr);
parentPort!.postMessage({ exitCode: await main(setup.argv) });
