// What a command needs from the process: its output streams. Passed in, so tests can capture.

import { colorEnabled } from '../report/color.js';

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** --color (true) or --no-color (false); absent: the environment and the terminal decide (src/report/color.ts). */
  color?: boolean;
}

/** Whether what a command prints on stdout is coloured. */
export function stdoutColor(io: CommandIo): boolean {
  return colorEnabled(io.stdout, io.color);
}

/** Bad arguments or input: reported with its message and exit code 2, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const quietStreams = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that goes away (`raftcheck bugs | head -1`) closes the pipe, and Node raises the writes
 * that follow as an unhandled 'error' event: a stack trace and exit code 1, the safety code. With
 * this, the command runs to its end and exits by its own verdict; what it still prints has nobody
 * to read it. Other write errors stay loud. Installed once per stream, however often main() runs.
 */
export function endQuietlyWhenClosed(stream: NodeJS.WriteStream): void {
  if (quietStreams.has(stream)) return;
  quietStreams.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}
