// An interrupt (SIGINT, SIGTERM) as the long loops see it: a flag they read at the points where
// they already check their budgets (between seeds, between shrink candidates, every few thousand
// explored states), so an interrupted command ends as if a bound had stopped it: it keeps what it
// found, writes it and says so. A signal handler runs only when its thread's event loop turns,
// which a synchronous loop never lets it do; so the command line runs its command on a thread of
// its own and sets this flag from the main thread (src/cli/interruptible.ts), through shared memory.
// The flag never decides anything inside a run: results stay a function of their inputs.

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

const signalCodes: Record<InterruptSignal, number> = { SIGINT: 2, SIGTERM: 15 };

let flag = new Int32Array(new SharedArrayBuffer(4));

/** Reads the flag from this shared memory from now on (a command thread's, set by the main thread). */
export function watchInterrupts(shared: SharedArrayBuffer): void {
  flag = new Int32Array(shared);
}

/** Asks every loop that polls to stop at its next check; the first signal is kept. */
export function requestInterrupt(signal: InterruptSignal, shared?: SharedArrayBuffer): void {
  Atomics.compareExchange(shared === undefined ? flag : new Int32Array(shared), 0, 0, signalCodes[signal]);
}

/** The signal that asked to stop, or null: cheap enough for any loop's budget check. */
export function interruptRequested(): InterruptSignal | null {
  const code = Atomics.load(flag, 0);
  return code === 0 ? null : code === signalCodes.SIGINT ? 'SIGINT' : 'SIGTERM';
}

/** Clears the flag (tests that interrupt a loop in-process). */
export function clearInterrupt(): void {
  Atomics.store(flag, 0, 0);
}

/** The exit code of a command a signal ended: 128 + the signal's number, as shells report it. */
export function interruptExitCode(signal: InterruptSignal): number {
  return 128 + signalCodes[signal];
}
