// The one place in src/ and invariants/ allowed to read the wall clock (see the allowlist in
// test/core/determinism-scan.test.ts). Wall time is only ever used for reporting (events per second,
// progress lines, report folder names, time budgets), never for a decision inside a run.

import { performance } from 'node:perf_hooks';

/** Monotonic wall time in milliseconds, for measuring durations. */
export function wallClockMs(): number {
  return performance.now();
}

/** Calendar time, for naming report folders. */
export function wallClockDate(): Date {
  return new Date();
}
