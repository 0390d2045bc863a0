// What a command needs from the process: its output streams. Passed in, so tests can capture.

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Bad arguments or input: reported with its message and exit code 2, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
