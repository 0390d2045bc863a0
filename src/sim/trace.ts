// The trace file: everything needed to re-execute a run bit for bit without the seed
// (implementation, scenario, choice sequence) plus the readable event list and the verdict.
// Versioned; a reader refuses a newer format than it knows instead of misreading it.

import type { Choices } from '../core/random.js';
import type { Schema } from '../core/schema.js';
import { validate } from '../core/schema.js';
import type { Scenario } from './scenario.js';
import { parseScenario } from './scenarioSchema.js';
import type { ImplementationError, RunStatus, TraceEvent } from './simulation.js';
import type { Violation } from '../contract/observation.js';

export const traceFormat = 'raftcheck-trace';
export const traceFormatVersion = 1;
/**
 * Version 2 adds `explore`: a path of the explorer (src/explore), replayed by it instead of the
 * simulator. Simulation traces are still written as version 1, so older raftchecks keep reading
 * them; a version 2 trace is refused by those, rather than replayed as a simulation.
 */
export const exploreTraceFormatVersion = 2;

export interface TraceFile {
  format: typeof traceFormat;
  formatVersion: number;
  /** `source` says how to load it (src/check/implementations.ts); absent: the reference. */
  implementation: { name: string; version: string; bugs?: string[]; source?: unknown };
  scenario: Scenario;
  seed: number;
  /** One choice sequence per stream (src/core/random.ts). */
  choices: Choices;
  traceHash: string;
  result: {
    status: RunStatus;
    events: number;
    simulatedMs: number;
    violation: Violation | null;
    implementationError: ImplementationError | null;
  };
  events: TraceEvent[];
  /** Present when the trace is the result of shrinking a failing run. */
  shrink?: TraceShrinkInfo;
  /** Version 2: an explore path (src/shrink/paths.ts ExploreTraceInfo); the choices are then empty. */
  explore?: Record<string, unknown>;
}

export interface TraceShrinkInfo {
  eventsBefore: number;
  eventsAfter: number;
  /** Candidate runs tried and what stopped the shrink ("fixpoint": no pass helped any more). */
  runs: number;
  stoppedBy: string;
  passes: { pass: string; improvements: number; eventsSaved: number }[];
  wallMs: number;
  /**
   * For a liveness failure: the liveness bound, in election timeouts, of the run the shrink
   * started from. The trace's own scenario may carry a tighter one; shrinking the trace again
   * confirms its candidates against this one (src/shrink/shrink.ts, failsUnderRunBound).
   */
  livenessElectionTimeouts?: number;
}

const traceSchema: Schema = {
  type: 'object',
  fields: {
    format: { type: 'enum', values: [traceFormat] },
    formatVersion: { type: 'number', integer: true, minimum: 1 },
    implementation: {
      type: 'object',
      fields: {
        name: { type: 'string' },
        version: { type: 'string' },
        bugs: { type: 'array', items: { type: 'string' }, optional: true },
        source: { type: 'any', optional: true },
      },
    },
    scenario: { type: 'any' },
    seed: { type: 'number', integer: true, minimum: 0 },
    choices: { type: 'any' },
    traceHash: { type: 'string', pattern: /^[0-9a-f]{16}$/ },
    result: { type: 'any' },
    events: { type: 'array', items: { type: 'any' } },
    shrink: { type: 'any', optional: true },
    explore: { type: 'any', optional: true },
  },
};

export type TraceParse = { ok: true; trace: TraceFile } | { ok: false; message: string };

export function parseTrace(text: string): TraceParse {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not valid JSON (truncated or corrupted?): ${(error as Error).message}` };
  }
  const header = data as { format?: unknown; formatVersion?: unknown } | null;
  if (header !== null && typeof header === 'object' && typeof header.formatVersion === 'number' && header.formatVersion > exploreTraceFormatVersion) {
    return {
      ok: false,
      message: `trace format version ${header.formatVersion} is newer than this raftcheck understands (${exploreTraceFormatVersion}); upgrade raftcheck`,
    };
  }
  const errors = validate(data, traceSchema);
  if (errors.length > 0) return { ok: false, message: `not a raftcheck trace: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}` };
  const trace = data as TraceFile;
  const choicesProblem = checkChoices(trace.choices);
  if (choicesProblem !== null) return { ok: false, message: `not a raftcheck trace: choices: ${choicesProblem}` };
  const scenario = parseScenario(trace.scenario, 'trace');
  if (!scenario.ok) return { ok: false, message: `the trace's scenario is invalid: ${scenario.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}` };
  return { ok: true, trace: { ...trace, scenario: scenario.scenario } };
}


function checkChoices(choices: unknown): string | null {
  if (choices === null || typeof choices !== 'object' || Array.isArray(choices)) return 'expected an object of choice sequences per stream';
  for (const [stream, sequence] of Object.entries(choices)) {
    if (!Array.isArray(sequence)) return `stream "${stream}": expected a list of integers`;
    const bad = sequence.findIndex((value) => typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff);
    if (bad !== -1) return `stream "${stream}"[${bad}]: expected an integer from 0 to 4294967295, got ${JSON.stringify(sequence[bad])}`;
  }
  return null;
}
