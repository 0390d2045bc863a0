// `raftcheck explore`: the exhaustive explorer (src/explore) over any implementation --impl names
// (the reference by default; without clone(), nodes are re-created by replay from a bounded pool
// of live instances: src/world/instancePool.ts). Prints the bounds, the counts (distinct states with and without symmetry reduction, transitions, depth,
// states per second), which bound stopped or cut the search, and for a violation the path as a
// trace file that `raftcheck replay` and `raftcheck show` take. Exit codes as for run.

import { join } from 'node:path';
import type { Implementation, ImplementationOptions } from '../contract/contract.js';
import type { SimulationResult } from '../sim/simulation.js';
import { exploreFailureTrace, writeTraceFile } from '../check/traces.js';
import { checkFolderWritable, writeFileAtomic } from '../core/files.js';
import { plural, terminalText } from '../core/text.js';
import { allInvariants } from '../../invariants/index.js';
import type { ExploreBounds, ExploreOptions, ExploreResult, ExploreStrategy } from '../explore/search.js';
import { explore } from '../explore/search.js';
import { exploreOptionProblems } from '../explore/options.js';
import type { ExploreStep } from '../world/system.js';
import { boundedProgress, ProgressLine } from '../report/console.js';
import { exitCodeOf } from '../report/exitCodes.js';
import { interruptExitCode, interruptRequested } from '../core/interrupt.js';
import { failureRecord } from '../report/failureRecord.js';
import { formatCount, formatRate } from '../report/format.js';
import { createReportDirectory } from '../report/reportDirectory.js';
import type { CommandIo } from './io.js';
import { UsageError } from './io.js';
import type { ImplementationArguments } from './runCommand.js';
import { implementationOfArguments } from './runCommand.js';
import { failurePage } from '../report/html.js';
import { describeMembershipSteps } from '../sim/simulation.js';
import { probesByDefault } from '../world/probes.js';

export interface ExploreArguments extends ImplementationArguments {
  nodes: number;
  strategy: ExploreStrategy;
  depth: number;
  maxTerm: number;
  maxCrashes: number;
  maxRequests: number;
  maxDrops: number;
  maxReorders: number;
  maxInFlight: number;
  maxStates: number;
  maxMemoryMb: number;
  timeSeconds: number;
  symmetry: boolean;
  clone: boolean;
  /** Without clone(): live node instances at once (processes, over the process protocol). */
  maxInstances?: number;
  /** Sleep-set reduction in bfs (absent: on). */
  reduction?: boolean;
  seed: number;
  walks: number;
  pctDepth: number;
  /**
   * Feature 'snapshots': compact every so many applied entries (absent: never, so that the
   * search's figures stay what they were; 1 or 2 reach InstallSnapshot within a few steps).
   */
  snapshotThreshold?: number;
  /** Feature 'membership': spare nodes (absent: 0). */
  spares?: number;
  /** Feature 'membership': changes handed to a leader over a path (absent: 0, no membership steps). */
  membershipChanges?: number;
  /** Feature 'leadershipTransfer': transfers handed to a leader over a path (absent: 0, no transfer steps). */
  transfers?: number;
  /** Durability probes on or off (--probes / --no-probes); absent: the implementation's default. */
  probes?: boolean;
  bugs?: readonly string[];
  json: boolean;
  out: string;
  /** The text typed for a flag (without its dashes), to quote a bad value as given: yargs makes "abc" NaN. */
  typedValue?: (flag: string) => string | undefined;
}

/**
 * Fixed election timeouts make a timer firing one choice; two ticks keep firings cheap. One
 * entry per AppendEntries makes every partial replication a state of its own: the Figure 8
 * commit of an old entry needs a follower to acknowledge it without the new leader's no-op.
 */
export const exploreImplementationOptions: ImplementationOptions = { electionTicksMin: 2, electionTicksMax: 2, heartbeatTicks: 1, entriesPerMessageMax: 1 };

export async function exploreCommand(args: ExploreArguments, io: CommandIo): Promise<number> {
  const bugNames = [...new Set(args.bugs ?? [])].sort();
  const implementation = await implementationOfArguments(args, bugNames, io);
  // A failure's trace is written after the search: a bad --out must fail before it.
  checkFolderWritable(args.out, `--out ${args.out}`);
  const progress = new ProgressLine(io.stderr, io.stderr.isTTY === true);
  const options = exploreOptionsOf(args, implementation, progress);
  checkOptions(options, args.typedValue);
  const result = explore(options);
  progress.clear();

  const bounds = options.bounds;
  const boundsShown = { ...bounds, timeMs: bounds.timeMs, memoryBytesMax: bounds.memoryBytesMax };
  const traced = exploreFailureTrace(result, {
    ...{ implementation, invariants: allInvariants, bugs: bugNames, nodes: args.nodes, spares: options.spares ?? 0 },
    ...{ implementationOptions: options.implementationOptions, durabilityProbes: options.durabilityProbes, bounds: boundsShown },
  });
  let tracePath: string | null = null;
  let failures: ReturnType<typeof failureRecord>[] = [];
  if (traced !== null) {
    const report = createReportDirectory(args.out, 'explore');
    const path = join(report.path, 'explore.trace.json');
    writeTraceFile(path, traced.trace);
    tracePath = report.display(path);
    writeFileAtomic(join(report.path, 'explore.html'), failurePage(traced.trace, { replayCommand: `npx raftcheck replay ${tracePath}` }));
    failures = [failureRecord(traced.replay, { seed: 0, replay: `npx raftcheck replay ${tracePath}`, trace: tracePath })];
  }
  const { verdict, interrupted, exitCode } = exploreVerdict(result);
  if (args.json) {
    const summary = { result: verdict, exitCode, implementation: implementation.name, strategy: result.strategy, nodes: args.nodes, bounds };
    io.stdout.write(`${JSON.stringify({ ...summary, ...searchFigures(result, interrupted), failures })}\n`);
    return exitCode;
  }
  const lines = textLines(args, { implementation, bounds, result, replay: traced?.replay ?? null, tracePath });
  // The implementation's name, messages and errors are its own text: neutralised.
  io.stdout.write(`${terminalText(lines.join('\n'))}\n`);
  return exitCode;
}

/** The search's options from the command's arguments, with its progress line. */
function exploreOptionsOf(args: ExploreArguments, implementation: Implementation, progress: ProgressLine): ExploreOptions {
  const bounds: ExploreBounds = {
    depthMax: args.depth,
    termMax: args.maxTerm,
    crashesMax: args.maxCrashes,
    requestsMax: args.maxRequests,
    dropsMax: args.maxDrops,
    reordersMax: args.maxReorders,
    messagesInFlightMax: args.maxInFlight,
    statesMax: args.maxStates,
    timeMs: args.timeSeconds * 1000,
    memoryBytesMax: args.maxMemoryMb * 1024 * 1024,
    membershipChangesMax: args.membershipChanges ?? 0,
    transfersMax: args.transfers ?? 0,
  };
  return {
    implementation,
    nodes: args.nodes,
    spares: args.spares ?? 0,
    strategy: args.strategy,
    bounds,
    implementationOptions: args.snapshotThreshold === undefined ? exploreImplementationOptions : { ...exploreImplementationOptions, snapshotEntriesThreshold: args.snapshotThreshold },
    symmetry: args.symmetry,
    clone: args.clone,
    liveInstancesMax: args.maxInstances,
    reduction: args.reduction !== false,
    durabilityProbes: args.probes ?? probesByDefault(implementation),
    seed: args.seed,
    walksMax: args.walks,
    pctDepth: args.pctDepth,
    onProgress: (state) =>
      progress.update(
        `raftcheck explore: ${boundedProgress(state.wallMs, args.timeSeconds * 1000, state.distinctStates, args.maxStates)}  depth ${state.depth}  ` +
          `${formatCount(state.distinctStates)} states  ${formatRate(state.distinctStates, state.wallMs)} states/s  frontier ${formatCount(state.frontier)}`,
      ),
  };
}

/** What explore --json reports of the search, after the result and the bounds. */
function searchFigures(result: ExploreResult, interrupted: ReturnType<typeof exploreVerdict>['interrupted']) {
  return {
    distinctStates: result.distinctStates,
    distinctStatesWithoutSymmetry: result.distinctStatesWithoutSymmetry,
    transitions: result.transitions,
    depth: result.depth,
    statesPerSecond: result.statesPerSecond,
    wallMs: Math.round(result.wallMs),
    stoppedBy: result.stoppedBy,
    interrupted,
    complete: result.complete,
    coverage: result.coverage,
    boundsHit: result.boundsHit,
    symmetry: result.symmetry,
    clone: result.clone,
    instances: result.instances,
    reduction: result.reduction,
  };
}

/** The text report: the command's bounds, the failure with its path if there is one, the summary. */
function textLines(
  args: ExploreArguments,
  found: { implementation: Implementation; bounds: ExploreBounds; result: ExploreResult; replay: SimulationResult | null; tracePath: string | null },
): string[] {
  const { implementation, bounds, result, tracePath } = found;
  const lines = [
    `raftcheck explore: ${implementation.name}, ${args.nodes} ${plural(args.nodes, 'node')}, ${result.strategy}; bounds: depth ${bounds.depthMax}, term ${bounds.termMax}, ` +
      `crashes ${bounds.crashesMax}, requests ${bounds.requestsMax}, drops ${bounds.dropsMax}, reorders ${bounds.reordersMax}, in flight ${bounds.messagesInFlightMax}` +
      ((bounds.membershipChangesMax ?? 0) > 0 || (args.spares ?? 0) > 0 ? `, membership changes ${bounds.membershipChangesMax ?? 0}, spares ${args.spares ?? 0}` : '') +
      ((bounds.transfersMax ?? 0) > 0 ? `, transfers ${bounds.transfersMax}` : ''),
  ];
  if (found.replay !== null && result.path !== null) {
    const violation = found.replay.violation;
    // The search's own error when the replay did not meet it again (a program failing for want of
    // resources, say, rather than on its inputs).
    const error = found.replay.implementationError ?? result.implementationError;
    lines.push(
      '',
      `FAILED: ${violation !== null ? `${violation.kind} violation of ${violation.invariant}` : `implementation error: ${error?.message ?? ''}`} after ${result.path.length} ${plural(result.path.length, 'step')}` +
        `${result.strategy === 'bfs' ? ' (the shortest path within the bounds: sleep sets keep every state at its least depth)' : ''}`,
      `  replay: npx raftcheck replay ${tracePath}`,
      ...(violation !== null ? [`  ${violation.message}`, `  evidence ${JSON.stringify(violation.evidence)}`] : []),
      `  show:   npx raftcheck show ${tracePath}`,
      `  page:   ${(tracePath ?? '').replace(/explore\.trace\.json$/, 'explore.html')}`,
      '  path:',
      ...result.path.map((step, index) => `  ${String(index + 1).padStart(4)}. ${describeStep(step)}`),
    );
  }
  lines.push('', summaryLine(result));
  return lines;
}

/** The command-line flag that sets each option (by its field path in ExploreOptions). */
const flagOfField: Readonly<Record<string, string>> = {
  nodes: '--nodes',
  strategy: '--strategy',
  'bounds.depthMax': '--depth',
  'bounds.termMax': '--max-term',
  'bounds.crashesMax': '--max-crashes',
  'bounds.requestsMax': '--max-requests',
  'bounds.dropsMax': '--max-drops',
  'bounds.reordersMax': '--max-reorders',
  'bounds.messagesInFlightMax': '--max-in-flight',
  'bounds.statesMax': '--max-states',
  'bounds.timeMs': '--time',
  'bounds.memoryBytesMax': '--max-memory',
  liveInstancesMax: '--max-instances',
  seed: '--seed',
  walksMax: '--walks',
  pctDepth: '--pct-depth',
  'implementationOptions.snapshotEntriesThreshold': '--snapshot-threshold',
  spares: '--spares',
  'bounds.membershipChangesMax': '--membership-changes',
  'bounds.transfersMax': '--transfers',
};

/**
 * Every bad option at once, by the flag that set it and its field, as a usage error (exit code 2).
 * A value the user typed is quoted as typed (the reasons end in ", got VALUE").
 */
function checkOptions(options: ExploreOptions, typedValue: ExploreArguments['typedValue']): void {
  const problems = exploreOptionProblems(options);
  if (problems.length === 0) return;
  const lines = problems.map((problem) => {
    const flag = flagOfField[problem.field];
    const where = flag === undefined ? problem.field : flag === `--${problem.field}` ? flag : `${flag} (${problem.field})`;
    const typed = flag === undefined ? undefined : typedValue?.(flag.slice(2));
    return `  ${where}: ${typed === undefined ? problem.reason : problem.reason.replace(/, got .*$/, `, got ${JSON.stringify(typed)}`)}`;
  });
  throw new UsageError(`explore: ${problems.length === 1 ? 'an option is' : `${problems.length} options are`} not valid:\n${lines.join('\n')}`);
}

/** The search's verdict and exit code: cut short by a stopping bound with no failure, it is inconclusive; interrupted, it exits by the signal. */
function exploreVerdict(result: ExploreResult) {
  const verdict = result.status === 'ok' && result.coverage === 'cut short' ? 'inconclusive' : result.status;
  const interrupted = result.stoppedBy === 'interrupted' ? interruptRequested() : null;
  return { verdict, interrupted, exitCode: interrupted !== null ? interruptExitCode(interrupted) : exitCodeOf(verdict) };
}

function summaryLine(result: ExploreResult): string {
  const symmetry = result.symmetry.enabled
    ? `${formatCount(result.distinctStatesWithoutSymmetry)} without symmetry reduction (${result.symmetry.permutations} permutations)`
    : `symmetry ${result.symmetry.note}`;
  const hits = Object.entries(result.boundsHit)
    .map(([bound, count]) => `${bound} ${formatCount(count)}`)
    .join(', ');
  const stop =
    result.stoppedBy === 'violation' || result.stoppedBy === 'implementationError'
      ? 'stopped at the first failure'
      : result.coverage === 'complete'
        ? 'complete: explored every reachable state, no bound withheld any'
        : result.coverage === 'bounded'
          ? result.stoppedBy === 'walks'
            ? 'bounded: walks sample the space, they do not cover it'
            : 'bounded, not complete: explored everything within the bounds, and the bounds withheld states'
          : result.stoppedBy === 'interrupted'
            ? 'interrupted before it explored everything within the bounds: inconclusive, and no failure found so far'
            : `inconclusive: stopped by the ${result.stoppedBy} bound before it explored everything within the bounds`;
  return (
    `${formatCount(result.distinctStates)} distinct states (${symmetry}), ${formatCount(result.transitions)} transitions, depth ${result.depth}, ` +
    `${formatCount(result.statesPerSecond)} states/s, ${(result.wallMs / 1000).toFixed(1)} s; ${stop}` +
    (result.reduction.enabled ? `; sleep sets skipped ${formatCount(result.reduction.transitionsSkipped)} transitions` : '') +
    (result.instances !== null
      ? `; without clone(): at most ${formatCount(result.instances.livePeak)} live instances, ${formatCount(result.instances.inputsReplayed)} inputs replayed to re-create states`
      : '') +
    (hits.length > 0 ? `; cut off by bounds: ${hits}` : '')
  );
}

export function describeStep(step: ExploreStep): string {
  switch (step.kind) {
    case 'deliver':
      return `deliver ${step.message.type}${step.message.term !== undefined ? ` (term ${step.message.term})` : ''} n${step.from} -> n${step.to}`;
    case 'drop':
      return `drop ${step.message.type} n${step.from} -> n${step.to}`;
    case 'duplicate':
      return `deliver a second copy of ${step.message.type} n${step.from} -> n${step.to}`;
    case 'timeout':
      return `n${step.node}'s timer fires`;
    case 'tick':
      return `n${step.node}'s clock ticks ${step.ticks} ${plural(step.ticks, 'time')}, showing nothing`;
    case 'propose':
      return `${step.command.client !== undefined ? `client c${step.command.client}` : 'client'} proposes ${step.command.op} #${step.command.id} to n${step.node}`;
    case 'read':
      return `client c${step.command.client ?? '?'} reads ${step.command.key} at n${step.node} (#${step.command.id})`;
    case 'crash':
      return `n${step.node} crashes${step.unsyncedKept > 0 ? `, keeping ${step.unsyncedKept} unsynced ${plural(step.unsyncedKept, 'record')}` : ''}`;
    case 'restart':
      return `n${step.node} restarts`;
    case 'changeMembership':
      return `admin asks n${step.node} to change membership #${step.change.id} (${describeMembershipSteps(step.change.steps)})`;
    case 'transferLeadership':
      return `admin asks n${step.node} to hand its leadership to n${step.transfer.target} (#${step.transfer.id})`;
    case 'join':
      return `spare n${step.node} starts empty and joins`;
    case 'wipe':
      return `removed n${step.node} is stopped and wiped`;
  }
}
