// Blocking reads and writes on pipe fds, for both ends of the process protocol (the harness's
// main thread and src/adapters/referenceProcess.ts). A pipe left non-blocking answers EAGAIN;
// then the caller sleeps a millisecond in Atomics.wait (no timers: see src/core/wallClock.ts).

import { readSync, writeSync } from 'node:fs';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Reads what is there (blocking until something is); 0 at end of file or a broken pipe. */
export function readSome(fd: number, buffer: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(sleeper, 0, 0, 1);
      else if (code === 'EOF' || code === 'EPIPE' || code === 'ECONNRESET') return 0;
      else throw error;
    }
  }
}

/** Writes all of the text; false when the reader is gone. */
export function writeAll(fd: number, text: string): boolean {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(sleeper, 0, 0, 1);
      else if (code === 'EPIPE' || code === 'ECONNRESET') return false;
      else throw error;
    }
  }
  return true;
}
