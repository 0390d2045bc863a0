// `raftcheck replay TRACE`, `raftcheck shrink TRACE`, `raftcheck show TRACE`: the commands that take a trace file.

import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { shrinkTraceFile } from '../check/shrinkRun.js';
import { loadImplementationOfTrace, PathPartedError, readTraceFile, replayTrace, TraceFileError } from '../check/traces.js';
import { loadImplementation, sourceFromArgument } from '../check/implementations.js';
import type { Implementation } from '../contract/contract.js';
import type { ShrinkProgress } from '../shrink/shrink.js';
import { keptFailureNote, ShrinkError } from '../shrink/shrink.js';
import type { RunStatus } from '../sim/simulation.js';
import type { TraceFile } from '../sim/trace.js';
import { checkFileWritable, writeFileAtomic } from '../core/files.js';
import { perfettoTrace } from '../report/perfetto.js';
import { failurePage } from '../report/html.js';
import { interruptExitCode, interruptRequested } from '../core/interrupt.js';
import { wallClockMs } from '../core/wallClock.js';
import { boundedProgress, formatFailure, ProgressLine } from '../report/console.js';
import { exitCodeOf, exitCodes } from '../report/exitCodes.js';
import type { InconclusiveRun, SeedResult } from '../check/run.js';
import { inconclusiveOf } from '../check/run.js';
import { failureRecord } from '../report/failureRecord.js';
import { shellWord } from '../report/failureTraces.js';
import type { TimelineReplay } from '../report/timeline.js';
import { formatTimeline } from '../report/timeline.js';
import { faultSummary } from '../check/options.js';
import type { CommandIo } from './io.js';
import { stdoutColor, UsageError } from './io.js';
import { escapeControlCharacters, plural } from '../core/text.js';

/** The trace's own implementation, or the one --impl names instead. */
async function implementationFor(trace: TraceFile, args: { impl?: string; implTimeoutMs?: number }): Promise<Implementation> {
  const settings = { timeoutMs: args.implTimeoutMs };
  if (args.impl === undefined) return loadImplementationOfTrace(trace, settings);
  return loadImplementation({ name: args.impl, source: sourceFromArgument(args.impl) }, settings);
}

/** How a replay compares with the recorded run, and the verdict it exits by. */
interface ReplayVerdict {
  verdict: RunStatus | 'inconclusive';
  /** The same implementation did not reproduce the recorded run: changed, or nondeterministic. */
  diverged: string | null;
  /** Replayed on another implementation than the recorded one (--impl): its hash differs by design. */
  recordedOn: { implementation: string; version: string; traceHash: string } | null;
  inconclusive: InconclusiveRun | null;
}

/**
 * Another implementation (another name or version: the trace hash covers the name) is judged on
 * the recorded scenario and choices by its own verdict; the recorded implementation must
 * reproduce the recorded run, or the replay is an implementation error.
 */
function replayVerdict(trace: TraceFile, run: SeedResult, matches: boolean): ReplayVerdict {
  const recorded = trace.implementation;
  const other = isAnotherImplementation(trace, run.implementation);
  const diverged =
    matches || other
      ? null
      : `the replay did not reproduce the recorded run (trace hash ${trace.traceHash}, replay ${run.traceHash}): ` +
        'the implementation or raftcheck changed since the trace was written, or the implementation is nondeterministic';
  // A recorded run cut short by a bound replays as inconclusive, never as ok.
  const inconclusive = diverged === null ? inconclusiveOf(run) : null;
  return {
    verdict: diverged !== null ? 'implementationError' : inconclusive !== null ? 'inconclusive' : run.status,
    diverged,
    recordedOn: other ? { implementation: recorded.name, version: recorded.version, traceHash: trace.traceHash } : null,
    inconclusive,
  };
}

export async function replayTraceCommand(args: { trace: string; json: boolean; impl?: string; implTimeoutMs?: number; html?: boolean }, io: CommandIo): Promise<number> {
  const trace = readTraceFile(args.trace);
  const implementation = await implementationFor(trace, args);
  const startedMs = wallClockMs();
  let replay: ReturnType<typeof replayTrace>;
  try {
    replay = replayTrace(trace, implementation);
  } catch (error) {
    if (error instanceof PathPartedError && isAnotherImplementation(trace, implementation)) return reportPartedPath(trace, implementation, error, args, io);
    throw error;
  }
  const { run, matches } = replay;
  const wallMs = wallClockMs() - startedMs;
  const command = `npx raftcheck replay ${args.trace}${args.impl !== undefined ? ` --impl ${shellWord(args.impl)}` : ''}`;
  const { verdict, diverged, recordedOn, inconclusive } = replayVerdict(trace, run, matches);
  const exitCode = exitCodeOf(verdict);
  const failures = run.status === 'ok' ? [] : [failureRecord(run, { seed: trace.seed, replay: command, trace: args.trace })];
  if (args.html === true) writeReplayPage(args.trace, replayedTrace(trace, run), command, io);
  if (args.json) {
    const summary = {
      result: verdict,
      exitCode,
      implementation: run.implementation.name,
      scenario: run.scenario.name,
      seeds: 1,
      events: run.events,
      eventsPerSecond: wallMs > 0 ? Math.round((run.events / wallMs) * 1000) : 0,
      simulatedMs: run.simulatedMs,
      wallMs: Math.round(wallMs),
      traceHash: run.traceHash,
      traceHashMatches: matches,
      ...(recordedOn !== null ? { recordedOn } : {}),
      ...(diverged !== null ? { diverged } : {}),
      ...(inconclusive !== null ? { inconclusive } : {}),
      violationsByInvariant: failures.length > 0 ? { [failures[0].invariant]: 1 } : {},
      failures,
    };
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return exitCode;
  }
  const color = stdoutColor(io);
  if (diverged !== null) io.stdout.write(`raftcheck replay: ${diverged}\n`);
  const hashes = recordedOn !== null ? replayedOnOther(run, recordedOn) : `trace hash ${run.traceHash}${matches ? ', as recorded' : ''}`;
  if (run.status === 'ok') {
    const found = inconclusive === null ? 'no violation' : `inconclusive, not a pass: ${inconclusive.reason}`;
    io.stdout.write(`raftcheck replay: ${escapeControlCharacters(args.trace)}: ${found} (${run.events} ${plural(run.events, 'event')}, ${hashes})\n`);
    return exitCode;
  }
  const failure = { seed: trace.seed, status: run.status, run, determinism: null, origin: null };
  io.stdout.write(`${formatFailure({ failure, replayCommand: command, tracePath: args.trace, faults: trace.explore !== undefined ? undefined : faultSummary(run.scenario) }, { color })}\n`);
  // Bit for bit only when the hash agrees; otherwise the line above said where it parted.
  io.stdout.write(
    recordedOn !== null
      ? `  replayed ${run.events} ${plural(run.events, 'event')} (${hashes})\n`
      : matches
        ? `  replayed ${run.events} ${plural(run.events, 'event')} bit for bit (trace hash ${run.traceHash}, as recorded)\n`
        : `  replayed ${run.events} ${plural(run.events, 'event')}, not the recorded run (trace hash ${run.traceHash}, recorded ${trace.traceHash})\n`,
  );
  return exitCode;
}

function isAnotherImplementation(trace: TraceFile, implementation: Implementation): boolean {
  return implementation.name !== trace.implementation.name || implementation.version !== trace.implementation.version;
}

/**
 * Another implementation that does not follow an explore path: its failure cannot happen this
 * way there, which is not a pass either (inconclusive). The seed's own trace, of choices, replays
 * on any implementation: name it when run wrote it beside this one.
 */
function reportPartedPath(trace: TraceFile, implementation: Implementation, error: PathPartedError, args: { trace: string; json: boolean }, io: CommandIo): number {
  const seedTrace = join(dirname(args.trace), `seed-${trace.seed}.trace.json`);
  const hint = existsSync(seedTrace)
    ? `replay the seed's own trace, ${seedTrace}, with --impl to judge ${implementation.name} on the whole run`
    : trace.shrink !== undefined
      ? `rerun seed ${trace.seed} with --impl to judge ${implementation.name} on the whole run`
      : `search it with raftcheck explore --impl`;
  const reason = `${error.message}; recorded on ${trace.implementation.name} ${trace.implementation.version}, so ${implementation.name} does not take this path: ${hint}`;
  const exitCode = exitCodeOf('inconclusive');
  if (args.json) {
    const recordedOn = { implementation: trace.implementation.name, version: trace.implementation.version, traceHash: trace.traceHash };
    io.stdout.write(`${JSON.stringify({ result: 'inconclusive', exitCode, implementation: implementation.name, seeds: 1, recordedOn, pathParted: reason, failures: [] })}\n`);
  } else {
    io.stdout.write(`raftcheck replay: ${escapeControlCharacters(args.trace)}: inconclusive, not a pass: ${escapeControlCharacters(reason)}\n`);
  }
  return exitCode;
}

/** The hashes of a replay on another implementation than the recorded one: information, not a mismatch. */
function replayedOnOther(run: SeedResult, recordedOn: NonNullable<ReplayVerdict['recordedOn']>): string {
  // Names and versions come from a program's hello and from the trace file: foreign text.
  return escapeControlCharacters(
    `on ${run.implementation.name} ${run.implementation.version}, trace hash ${run.traceHash}; ` +
      `recorded on ${recordedOn.implementation} ${recordedOn.version}, trace hash ${recordedOn.traceHash}`,
  );
}

export async function shrinkTraceCommand(
  args: { trace: string; shrinkTimeSeconds: number; out?: string; json: boolean; implTimeoutMs?: number },
  io: CommandIo,
): Promise<number> {
  const trace = readTraceFile(args.trace);
  const implementation = await implementationFor(trace, args);
  const out = args.out ?? join(dirname(args.trace), `${basename(args.trace, '.json').replace(/\.trace$/, '')}.shrunk.trace.json`);
  // Before the shrink, not after its whole budget: the best trace so far is written there as it goes.
  checkFileWritable(out, args.out !== undefined ? `--out ${out}` : `the shrunk trace ${out}`);
  const progress = new ProgressLine(io.stderr, io.stderr.isTTY === true);
  const onProgress = (state: ShrinkProgress) =>
    progress.update(`raftcheck shrink: ${boundedProgress(state.wallMs, args.shrinkTimeSeconds * 1000)}  ${state.pass}  ${state.eventsBefore} -> ${state.eventsNow} ${plural(state.eventsNow, 'event')}  ${state.runs} ${plural(state.runs, 'run')}`);
  let shrunk: ReturnType<typeof shrinkTraceFile>;
  try {
    shrunk = shrinkTraceFile(trace, { implementation, out, timeBudgetMs: args.shrinkTimeSeconds * 1000, onProgress });
  } catch (error) {
    // A trace that does not fail (any more) is bad input, not a harness bug.
    if (error instanceof ShrinkError) throw new UsageError(`${args.trace}: ${error.message}`);
    throw error;
  }
  progress.clear();
  const before = shrunk.eventsBefore;
  const result = shrunk.shrink;
  // Interrupted, the shrink ended at its next check with the best trace so far: written above.
  const interrupted = interruptRequested();
  const stoppedBy = interrupted !== null ? 'interrupted' : result.stoppedBy;
  if (args.json) {
    io.stdout.write(
      `${JSON.stringify({ trace: out, eventsBefore: before, eventsAfter: result.eventsAfter, runs: result.runs, stoppedBy, passes: result.passes, signature: result.signature, interrupted })}\n`,
    );
  } else {
    const stop =
      interrupted !== null
        ? `interrupted by ${interrupted}: the trace below is the best so far`
        : `stopped by ${result.stoppedBy === 'fixpoint' ? 'a fixpoint (no pass helps any more)' : `the ${result.stoppedBy} bound`}`;
    io.stdout.write(
      `raftcheck shrink: ${result.signature}: ${result.eventsBefore} -> ${result.eventsAfter} ${plural(result.eventsAfter, 'event')} (${before} originally) in ${result.runs} ${plural(result.runs, 'run')}, ${stop}\n` +
        (keptFailureNote(result) === null ? '' : `  ${keptFailureNote(result)}\n`) +
        `  trace: ${escapeControlCharacters(out)}\n  replay: npx raftcheck replay ${escapeControlCharacters(out)}\n`,
    );
  }
  return interrupted !== null ? interruptExitCode(interrupted) : exitCodeOf(result.result.status);
}

export async function showTraceCommand(args: { trace: string; all: boolean; ticks: boolean; width?: number; replay?: boolean }, io: CommandIo): Promise<number> {
  const recorded = readTraceFile(args.trace);
  const { shown, replay } = await replayForShow(recorded, args.replay);
  const width = args.width ?? Math.max(80, Math.min(200, io.stdout.columns ?? 120));
  const eventsMax = args.all ? { eventsMax: Number.POSITIVE_INFINITY } : {};
  io.stdout.write(`${formatTimeline(shown, { color: stdoutColor(io), width, ticks: args.ticks, replay, ...eventsMax })}\n`);
  return exitCodes.ok;
}

/** `replay --html`: the replay's page beside the trace (NAME.html), its path on stderr. */
function writeReplayPage(tracePath: string, replayed: TraceFile, command: string, io: CommandIo): void {
  const path = join(dirname(tracePath), `${basename(tracePath).replace(/(\.trace)?\.json$/, '')}.html`);
  writeFileAtomic(path, failurePage(replayed, { replayCommand: command }));
  io.stderr.write(`raftcheck replay: report ${escapeControlCharacters(path)}\n`);
}

export interface ExportArguments {
  trace: string;
  format: 'perfetto';
  /** Where to write; '-' for stdout; default NAME.perfetto.json beside the trace. */
  out?: string;
  replay?: boolean;
}

/** `export TRACE --format perfetto`: the trace as Chrome trace-event JSON, replayed first as show does. */
export async function exportTraceCommand(args: ExportArguments, io: CommandIo): Promise<number> {
  const out = args.out ?? join(dirname(args.trace), `${basename(args.trace).replace(/(\.trace)?\.json$/, '')}.perfetto.json`);
  if (out !== '-') checkFileWritable(out, `--out file ${out}`);
  const recorded = readTraceFile(args.trace);
  const { shown, replay } = await replayForShow(recorded, args.replay);
  const exported = perfettoTrace(shown);
  if (out === '-') io.stdout.write(`${exported.json}\n`);
  else {
    writeFileAtomic(out, `${exported.json}\n`);
    io.stdout.write(`raftcheck export: ${escapeControlCharacters(out)} (open it in ui.perfetto.dev or chrome://tracing)\n`);
  }
  if (!replay.replayed) io.stderr.write(`raftcheck export: not replayed (${escapeControlCharacters(replay.reason)}): the file's own events are exported\n`);
  if (exported.unmatchedDeliveries > 0) {
    io.stderr.write(`raftcheck export: ${exported.unmatchedDeliveries} ${plural(exported.unmatchedDeliveries, 'delivery', 'deliveries')} without a recorded send, drawn without an arrow (an explore path, or a trace written before sends were recorded and not replayed)\n`);
  }
  return exitCodes.ok;
}

/** The trace file's account replaced by what its replay did. */
function replayedTrace(recorded: TraceFile, run: ReturnType<typeof replayTrace>['run']): TraceFile {
  return {
    ...recorded,
    traceHash: run.traceHash,
    result: { status: run.status, events: run.events, simulatedMs: run.simulatedMs, violation: run.violation, implementationError: run.implementationError },
    events: [...(run.eventLog ?? [])],
  };
}

/**
 * What `show` prints: the trace's run as a replay of its choices makes it, so that nothing the
 * file merely claims (a verdict, a note, an event) is shown as fact. A reference trace is
 * replayed unless --no-replay; any other runs a program or module named by the file, which
 * viewing a file must not do unasked: --replay.
 */
async function replayForShow(recorded: TraceFile, replayWanted: boolean | undefined): Promise<{ shown: TraceFile; replay: TimelineReplay }> {
  const source = recorded.implementation.source as { kind?: unknown } | undefined;
  const ownsCode = source !== undefined && source.kind !== 'reference';
  if (replayWanted === false) return { shown: recorded, replay: { replayed: false, reason: '--no-replay' } };
  if (ownsCode && replayWanted !== true) {
    return { shown: recorded, replay: { replayed: false, reason: `its implementation (${String(source.kind)}) runs code the file names; --replay runs it` } };
  }
  let replayed: ReturnType<typeof replayTrace>;
  try {
    replayed = replayTrace(recorded, await loadImplementationOfTrace(recorded));
  } catch (error) {
    if (error instanceof TraceFileError) return { shown: recorded, replay: { replayed: false, reason: error.message } };
    throw error;
  }
  const shown = replayedTrace(recorded, replayed.run);
  return { shown, replay: { replayed: true, matches: replayed.matches, recordedHash: recorded.traceHash, recordedStatus: recorded.result.status } };
}
