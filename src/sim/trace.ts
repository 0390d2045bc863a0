// The trace file: everything needed to re-execute a run bit for bit without the seed
// (implementation, scenario, choice sequence) plus the readable event list and the verdict.
// Versioned; a reader refuses a newer format than it knows instead of misreading it.

import type { Choices } from '../core/random.js';
import type { Schema, SchemaError } from '../core/schema.js';
import { validate } from '../core/schema.js';
import type { Scenario } from './scenario.js';
import { parseScenario } from './scenarioSchema.js';
import type { ImplementationError, RunStatus, TraceEvent } from './simulation.js';
import type { HarnessError, Violation } from '../contract/observation.js';
import { eventKindCodes } from './events.js';
import { withoutByteOrderMark } from '../core/text.js';

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
    /** Absent in traces written before harness errors were told apart from violations. */
    harnessError?: HarnessError | null;
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
  /** For a run shrunk into an explore path: the scenario of the seed's run it came from. */
  fromScenario?: string;
}

const optional = { optional: true } as const;
const integer = { type: 'number', integer: true } as const;
const count = { type: 'number', integer: true, minimum: 0 } as const;

const violationSchema: Schema = {
  type: 'object',
  nullable: true,
  fields: {
    invariant: { type: 'string' },
    kind: { type: 'enum', values: ['safety', 'liveness'] },
    message: { type: 'string' },
    nodes: { type: 'array', items: integer },
    eventNumber: count,
    timeMs: { type: 'number', minimum: 0 },
    evidence: { type: 'any' },
    alsoViolated: { type: 'array', items: { type: 'string' }, ...optional },
  },
};

const implementationErrorSchema: Schema = {
  type: 'object',
  nullable: true,
  fields: { node: integer, input: { type: 'string' }, message: { type: 'string' }, eventNumber: count, timeMs: { type: 'number', minimum: 0 } },
};

/** Every RunStatus: the compiler checks the list against the type, so a new status is not refused here. */
const runStatuses = Object.keys({ ok: true, safety: true, liveness: true, implementationError: true, harnessError: true } satisfies Record<RunStatus, true>);

const harnessErrorSchema: Schema = {
  type: 'object',
  nullable: true,
  optional: true,
  fields: {
    harness: { type: 'boolean' },
    invariant: { type: 'string' },
    message: { type: 'string' },
    nodes: { type: 'array', items: integer },
    eventNumber: count,
    timeMs: { type: 'number', minimum: 0 },
    evidence: { type: 'any' },
  },
};

/** What a trace claims of its run; `show` replays it rather than take it on trust. */
const resultSchema: Schema = {
  type: 'object',
  fields: {
    status: { type: 'enum', values: runStatuses },
    events: count,
    simulatedMs: { type: 'number', minimum: 0 },
    violation: violationSchema,
    implementationError: implementationErrorSchema,
    harnessError: harnessErrorSchema,
  },
};

const eventSchema: Schema = {
  type: 'object',
  fields: {
    n: count,
    t: { type: 'number' },
    kind: { type: 'enum', values: Object.keys(eventKindCodes) },
    node: { ...integer, ...optional },
    from: { ...integer, ...optional },
    type: { type: 'string', ...optional },
    messageId: { ...integer, ...optional },
    sent: { type: 'array', items: integer, minimumLength: 2, maximumLength: 2, ...optional },
    commandId: { ...integer, ...optional },
    note: { type: 'string', ...optional },
    role: { type: 'string', ...optional },
    term: { ...integer, ...optional },
    commitIndex: { ...integer, ...optional },
  },
};

const shrinkSchema: Schema = {
  type: 'object',
  optional: true,
  fields: {
    eventsBefore: count,
    eventsAfter: count,
    runs: count,
    stoppedBy: { type: 'string' },
    passes: { type: 'array', items: { type: 'object', fields: { pass: { type: 'string' }, improvements: count, eventsSaved: integer } } },
    wallMs: { type: 'number', minimum: 0 },
    livenessElectionTimeouts: { type: 'number', minimum: 0, ...optional },
    fromScenario: { type: 'string', ...optional },
  },
};

/** How to load the implementation again (src/check/implementations.ts ImplementationSource). */
const sourceSchema: Schema = {
  type: 'union',
  discriminator: 'kind',
  optional: true,
  variants: {
    reference: { type: 'object', fields: { kind: { type: 'string' } } },
    module: { type: 'object', fields: { kind: { type: 'string' }, path: { type: 'string' } } },
    process: { type: 'object', fields: { kind: { type: 'string' }, command: { type: 'string' }, args: { type: 'array', items: { type: 'string' } }, cwd: { type: 'string' } } },
    etcd: { type: 'object', fields: { kind: { type: 'string' } } },
    'etcd-process': { type: 'object', fields: { kind: { type: 'string' } } },
    hashicorp: { type: 'object', fields: { kind: { type: 'string' } } },
    'raft-rs': { type: 'object', fields: { kind: { type: 'string' } } },
    openraft: { type: 'object', fields: { kind: { type: 'string' } } },
    wasm: { type: 'object', fields: { kind: { type: 'string' }, path: { type: 'string' } } },
  },
};

/** An explore path (src/shrink/paths.ts ExploreTraceInfo); its steps are checked where they are read. */
const exploreSchema: Schema = {
  type: 'object',
  optional: true,
  fields: {
    nodes: { ...integer, minimum: 1 },
    spares: { ...integer, minimum: 0, optional: true },
    implementationOptions: { type: 'any' },
    durabilityProbes: { type: 'boolean', optional: true },
    // A path cut by the step shrink (PathStart): each node's records are the implementation's own.
    start: {
      type: 'object',
      optional: true,
      fields: { cutAfterSteps: count, nodes: { type: 'array', items: { type: 'any' } } },
    },
    strategy: { type: 'string' },
    bounds: { type: 'any' },
    distinctStates: count,
    steps: { type: 'array', items: { type: 'any' } },
  },
};

// Every section is checked field by field, unknown keys refused as in scenario files: a field
// this raftcheck does not know is a typo, damage, or a newer writer, never something to ignore.
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
        source: sourceSchema,
      },
    },
    scenario: { type: 'any' },
    seed: { type: 'number', integer: true, minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    choices: { type: 'any' },
    traceHash: { type: 'string', pattern: /^[0-9a-f]{16}$/ },
    result: resultSchema,
    events: { type: 'array', items: eventSchema },
    shrink: shrinkSchema,
    explore: exploreSchema,
  },
};

export type TraceParse = { ok: true; trace: TraceFile } | { ok: false; message: string };

export function parseTrace(text: string): TraceParse {
  let data: unknown;
  try {
    data = JSON.parse(withoutByteOrderMark(text));
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
  if (errors.length > 0) return { ok: false, message: `not a raftcheck trace: ${describeErrors(errors)}` };
  const trace = data as TraceFile;
  const choicesProblem = checkChoices(trace.choices);
  if (choicesProblem !== null) return { ok: false, message: `not a raftcheck trace: choices: ${choicesProblem}` };
  const scenario = parseScenario(trace.scenario, 'trace');
  if (!scenario.ok) return { ok: false, message: `the trace's scenario is invalid: ${scenario.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}` };
  return { ok: true, trace: { ...trace, scenario: scenario.scenario } };
}

/** A damaged event list can fail on every event: the first few problems say enough. */
const errorsShownMax = 5;

function describeErrors(errors: readonly SchemaError[]): string {
  const shown = errors.slice(0, errorsShownMax).map((error) => `${error.path}: ${error.message}`);
  if (errors.length > errorsShownMax) shown.push(`and ${errors.length - errorsShownMax} more`);
  return shown.join('; ');
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
