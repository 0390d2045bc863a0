// `raftcheck` as a program. A signal handler runs only when its thread's event loop turns, and a
// campaign, a shrink or a search is a synchronous loop that would not let it before the end. So
// run, shrink and explore run their command on a thread of their own, and this thread, idle,
// turns each SIGINT or SIGTERM into the shared flag their loops poll (src/core/interrupt.ts): the
// command then stops at its next check, keeps and writes what it found, prints its summary,
// closes its programs and campaign threads, and exits 130 (SIGINT) or 143 (SIGTERM). A second
// signal does not wait: the command thread is stopped at once. The other commands are short and
// run here, where a signal ends them as it ends any program.

import { Worker } from 'node:worker_threads';
import type { InterruptSignal } from '../core/interrupt.js';
import { interruptExitCode, requestInterrupt } from '../core/interrupt.js';
import { exitCodes } from '../report/exitCodes.js';
import { endQuietlyWhenClosed } from './io.js';
import { main } from './main.js';

/** What the command thread (src/cli/commandThread.ts) starts with. */
export interface CommandThreadSetup {
  argv: string[];
  /** The interrupt flag, shared with this thread. */
  shared: SharedArrayBuffer;
  /** What the command would see of the real streams: a thread's own are pipes to them. */
  stdout: { isTTY: boolean; columns: number | undefined };
  stderr: { isTTY: boolean; columns: number | undefined };
}

const interruptibleCommands = new Set(['run', 'shrink', 'explore']);

export async function runCommandLine(argv: readonly string[]): Promise<number> {
  const command = argv.find((word) => !word.startsWith('-'));
  if (command === undefined || !interruptibleCommands.has(command)) return main(argv);
  for (const stream of [process.stdout, process.stderr]) endQuietlyWhenClosed(stream);
  const setup: CommandThreadSetup = {
    argv: [...argv],
    shared: new SharedArrayBuffer(4),
    stdout: { isTTY: process.stdout.isTTY === true, columns: process.stdout.columns },
    stderr: { isTTY: process.stderr.isTTY === true, columns: process.stderr.columns },
  };
  const worker = new Worker(new URL('./commandThread.js', import.meta.url), { workerData: setup });
  let received: InterruptSignal | null = null;
  const onSignal = (signal: InterruptSignal) => {
    if (received !== null) {
      void worker.terminate();
      return;
    }
    received = signal;
    requestInterrupt(signal, setup.shared);
  };
  const onInterrupt = () => onSignal('SIGINT');
  const onTerminate = () => onSignal('SIGTERM');
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  try {
    return await new Promise<number>((resolve) => {
      let exitCode: number | null = null;
      worker.on('message', (message: { exitCode: number }) => {
        exitCode = message.exitCode;
      });
      worker.on('error', (error) => {
        process.stderr.write(`raftcheck: harness error (a bug in raftcheck, please report it):\n${error.stack ?? error.message}\n`);
        exitCode = exitCodes.harnessError;
      });
      // Stopped by a second signal, the command has no exit code of its own: the signal's.
      worker.on('exit', () => resolve(exitCode ?? (received !== null ? interruptExitCode(received) : exitCodes.harnessError)));
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
  }
}
