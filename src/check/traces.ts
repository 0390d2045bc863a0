// Trace files on disk: reading with errors that name the file and what is wrong with it, and
// replaying one bit for bit (checking its trace hash).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { allInvariants } from '../../invariants/index.js';
import { UnknownBugError } from '../raft/bugs.js';
import type { TraceFile } from '../sim/trace.js';
import { parseTrace } from '../sim/trace.js';
import type { ImplementationSpec } from './implementations.js';
import { ImplementationSpecError, implementationFromSpec } from './implementations.js';
import type { SeedResult } from './run.js';
import { runSeed } from './run.js';

/** A trace file that cannot be used: missing, corrupted, truncated, from a newer raftcheck. */
export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

/** Trace files above this size are refused rather than read into memory. */
const traceBytesMax = 512 * 1024 * 1024;

export function readTraceFile(path: string): TraceFile {
  if (!existsSync(path)) throw new TraceFileError(`trace file ${path} does not exist`);
  const size = statSync(path).size;
  if (size > traceBytesMax) throw new TraceFileError(`trace file ${path} is ${size} bytes, over the ${traceBytesMax}-byte limit`);
  const parsed = parseTrace(readFileSync(path, 'utf8'));
  if (!parsed.ok) throw new TraceFileError(`${path}: ${parsed.message}`);
  return parsed.trace;
}

export function implementationOfTrace(trace: TraceFile) {
  const spec: ImplementationSpec = { name: trace.implementation.name, bugs: trace.implementation.bugs };
  try {
    return implementationFromSpec(spec);
  } catch (error) {
    if (error instanceof ImplementationSpecError || error instanceof UnknownBugError) throw new TraceFileError(error.message);
    throw error;
  }
}

export interface Replay {
  run: SeedResult;
  /** False when the replay did not reproduce the recorded trace hash. */
  matches: boolean;
}

/** Re-executes a trace from its choices, with a recorded event log. */
export function replayTrace(trace: TraceFile): Replay {
  const run = runSeed({
    seed: trace.seed,
    implementation: implementationOfTrace(trace),
    scenario: trace.scenario,
    invariants: allInvariants,
    choices: trace.choices,
    recordEvents: true,
  });
  return { run, matches: run.traceHash === trace.traceHash };
}
