// Trace files on disk: reading with errors that name the file and what is wrong with it, and
// replaying one bit for bit (checking its trace hash).

import { allInvariants } from '../../invariants/index.js';
import { readTextFile, writeJsonAtomic } from '../core/files.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import { wallClockMs } from '../core/wallClock.js';
import { exploreInfoOf, exploreTraceOf, replayExplorePath } from '../shrink/paths.js';
import { UnknownBugError } from '../raft/bugs.js';
import type { TraceFile } from '../sim/trace.js';
import { parseTrace } from '../sim/trace.js';
import type { Implementation } from '../contract/contract.js';
import type { ImplementationSource, ImplementationSpec, LoadOptions } from './implementations.js';
import { ImplementationSpecError, implementationFromSpec, loadImplementation } from './implementations.js';
import type { SeedResult } from './run.js';
import { implementationRecord, runSeed } from './run.js';
import type { SimulationResult } from '../sim/simulation.js';

/** A trace file that cannot be used: missing, corrupted, truncated, from a newer raftcheck. */
export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

/**
 * An explore trace whose path the implementation does not follow: a step needs a message or a
 * state it never produced. For the recorded implementation the trace is broken or stale; for
 * another one (replay --impl) it means that implementation does not take this path at all.
 */
export class PathPartedError extends TraceFileError {
  override name = 'PathPartedError';
}

/** Trace files above this size are refused rather than read into memory. */
const traceBytesMax = 512 * 1024 * 1024;

export function readTraceFile(path: string): TraceFile {
  const read = readTextFile(path, 'trace file', traceBytesMax);
  if (!read.ok) throw new TraceFileError(read.message);
  const parsed = parseTrace(read.text);
  if (!parsed.ok) throw new TraceFileError(`${path}: ${parsed.message}`);
  return parsed.trace;
}

/**
 * Writes a trace file (from traceOf, shrinkToTrace or exploreTraceOf) atomically: a temporary
 * file beside it, renamed over it, so a reader never sees half a trace.
 */
export function writeTraceFile(path: string, trace: TraceFile): void {
  writeJsonAtomic(path, trace);
}

function specOfTrace(trace: TraceFile): ImplementationSpec {
  return { name: trace.implementation.name, bugs: trace.implementation.bugs, source: trace.implementation.source as ImplementationSource | undefined };
}

/** The implementation of a reference trace, synchronously (loadImplementationOfTrace loads any). */
export function implementationOfTrace(trace: TraceFile): Implementation {
  try {
    return implementationFromSpec(specOfTrace(trace));
  } catch (error) {
    if (error instanceof ImplementationSpecError || error instanceof UnknownBugError) throw new TraceFileError(error.message);
    throw error;
  }
}

/** Loads the implementation a trace records (a module, a process, the etcd adapter or the reference). */
export async function loadImplementationOfTrace(trace: TraceFile, options: LoadOptions = {}): Promise<Implementation> {
  try {
    return await loadImplementation(specOfTrace(trace), options);
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

/**
 * Re-executes a trace from its choices, with a recorded event log, on the trace's own
 * implementation (which must then be the reference) or on the one given (loaded beforehand).
 */
export function replayTrace(trace: TraceFile, implementation: Implementation = implementationOfTrace(trace), invariants: readonly InvariantDefinition[] = allInvariants): Replay {
  if (trace.explore !== undefined) {
    // An explore trace (format version 2) is a path of the explorer, replayed by it.
    const info = exploreInfoOf(trace);
    if (typeof info === 'string') throw new TraceFileError(`not a raftcheck explore trace: ${info}`);
    const startedMs = wallClockMs();
    const replayed = replayExplorePath(implementation, info, invariants);
    if ('error' in replayed) throw new PathPartedError(`the explore path does not replay on ${implementation.name}: ${replayed.error}`);
    const run: SeedResult = { ...replayed, seed: trace.seed, implementation, wallMs: wallClockMs() - startedMs };
    return { run, matches: run.traceHash === trace.traceHash };
  }
  const run = runSeed({
    seed: trace.seed,
    implementation,
    scenario: trace.scenario,
    invariants,
    choices: trace.choices,
    recordEvents: true,
  });
  return { run, matches: run.traceHash === trace.traceHash };
}

/**
 * The failing path of a search (`raftcheck explore`) as a trace, with how to load the
 * implementation again, as a run's trace has it; and its replay. Null when the search found none.
 */
export function exploreFailureTrace(
  result: Parameters<typeof exploreTraceOf>[0],
  options: Parameters<typeof exploreTraceOf>[1],
): { trace: TraceFile; replay: SimulationResult } | null {
  const traced = exploreTraceOf(result, options);
  if (traced === null) return null;
  return { trace: { ...traced.trace, implementation: implementationRecord(options.implementation, options.bugs) }, replay: traced.replay };
}
