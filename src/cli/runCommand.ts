// `raftcheck run`: a campaign of seeds on one scenario, with progress, a summary, a report
// folder, and for every failure its replay command and trace file.

import { join } from 'node:path';
import type { CampaignFailure } from '../check/campaign.js';
import { runCampaign, seedRange } from '../check/campaign.js';
import { traceOf } from '../check/run.js';
import { loadScenario } from '../check/scenarios.js';
import { writeJsonAtomic } from '../core/files.js';
import { referenceImplementation } from '../adapters/reference.js';
import type { Scenario } from '../sim/scenario.js';
import { faultOptions, faultSummary, withNodes } from '../check/options.js';
import { formatFailure, formatSummary, ProgressLine, progressText } from '../report/console.js';
import { exitCodeOf } from '../report/exitCodes.js';
import { createReportDirectory } from '../report/reportDirectory.js';
import type { CommandIo } from './io.js';
import { UsageError } from './io.js';
import { bugsFromArguments } from './bugsCommand.js';

export interface RunArguments {
  seeds?: number;
  seed?: number;
  firstSeed: number;
  nodes?: number;
  scenario: string;
  checkDeterminism: boolean;
  json: boolean;
  out: string;
  failuresMax?: number;
  /** Bugs of the reference Raft to switch on (raftcheck bugs lists them). */
  bugs?: readonly string[];
}

export function runCommand(args: RunArguments, io: CommandIo): number {
  if (args.seed !== undefined && args.seeds !== undefined) throw new UsageError('give either --seed S (one seed) or --seeds N (a range), not both');
  const scenario = withNodes(loadScenario(args.scenario), args.nodes);
  const seeds = args.seed !== undefined ? [args.seed] : seedRange(args.firstSeed, args.seeds ?? defaultSeedCount);
  const bugNames = [...new Set(args.bugs ?? [])].sort();
  const implementation = referenceImplementation(bugsFromArguments(bugNames));
  const report = createReportDirectory(args.out, scenario.name);
  const progress = new ProgressLine(io.stderr, io.stderr.isTTY === true);
  const failureReports: { failure: CampaignFailure; replay: string; trace: string }[] = [];
  const color = io.stdout.isTTY === true && !args.json;

  const campaign = runCampaign({
    seeds,
    implementation,
    scenario,
    checkDeterminism: args.checkDeterminism,
    failuresMax: args.failuresMax,
    onProgress: (state) => progress.update(progressText(state), state.seedsDone === state.seedsTotal),
    onFailure: (failure) => {
      const trace = join(report.path, `seed-${failure.seed}.trace.json`);
      writeJsonAtomic(trace, traceOf(failure.run, bugNames));
      const replay = replayCommand(failure.seed, args);
      failureReports.push({ failure, replay, trace });
      if (!args.json) {
        progress.clear();
        io.stdout.write(`${formatFailure({ failure, replayCommand: replay, tracePath: report.display(trace), faults: faultSummary(failure.run.scenario) }, { color })}\n\n`);
      }
    },
  });
  progress.clear();

  const options = describeOptions(scenario, seeds, args);
  const failures = failureReports.map(({ failure, replay, trace }) => ({
    seed: failure.seed,
    status: failure.status,
    invariant: failure.run.violation?.invariant ?? (failure.determinism !== null ? 'determinism' : 'implementation-error'),
    message:
      failure.run.violation?.message ??
      (failure.determinism !== null
        ? `nondeterministic: runs differ after event ${failure.determinism.eventNumber}`
        : failure.run.implementationError?.message ?? ''),
    nodes: failure.run.violation?.nodes ?? (failure.run.implementationError ? [failure.run.implementationError.node] : []),
    eventNumber: failure.run.violation?.eventNumber ?? failure.determinism?.eventNumber ?? failure.run.implementationError?.eventNumber ?? 0,
    timeMs: failure.run.violation?.timeMs ?? failure.run.implementationError?.timeMs ?? 0,
    events: failure.run.events,
    trace: report.display(trace),
    replay,
    faults: faultSummary(failure.run.scenario),
    faultOptions: faultOptions(failure.run.scenario),
    ...(failure.determinism !== null ? { determinism: failure.determinism } : {}),
  }));
  const summary = {
    result: campaign.result,
    exitCode: exitCodeOf(campaign.result),
    implementation: implementation.name,
    scenario: scenario.name,
    options,
    seeds: campaign.seeds,
    firstSeed: seeds[0],
    events: campaign.events,
    eventsPerSecond: campaign.eventsPerSecond,
    simulatedMs: campaign.simulatedMs,
    wallMs: Math.round(campaign.wallMs),
    violationsByInvariant: campaign.violationsByInvariant,
    stoppedEarly: campaign.stoppedEarly,
    failures,
    reportDirectory: report.display(report.path),
  };
  writeJsonAtomic(join(report.path, 'summary.json'), summary);

  if (args.json) {
    io.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    io.stdout.write(
      `${formatSummary(
        campaign,
        { implementation: implementation.name, scenario: scenario.name, reportDirectory: report.display(report.path), options: describeOptionsText(scenario, options) },
        { color },
      )}\n`,
    );
  }
  return exitCodeOf(campaign.result);
}

export const defaultSeedCount = 300;

/** The exact command that re-runs one seed as this run ran it. */
export function replayCommand(seed: number, args: RunArguments): string {
  const parts = ['npx raftcheck run', `--seed ${seed}`, `--scenario ${shellWord(args.scenario)}`];
  if (args.nodes !== undefined) parts.push(`--nodes ${args.nodes}`);
  for (const bug of [...new Set(args.bugs ?? [])].sort()) parts.push(`--bug ${shellWord(bug)}`);
  return parts.join(' ');
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function describeOptions(scenario: Scenario, seeds: readonly number[], args: RunArguments) {
  return {
    nodes: scenario.nodes,
    durationMs: scenario.durationMs,
    seeds: seeds.length === 1 ? `${seeds[0]}` : `${seeds[0]}..${seeds[seeds.length - 1]}`,
    checkDeterminism: args.checkDeterminism,
    liveness: scenario.liveness,
    ...faultOptions(scenario),
  };
}

function describeOptionsText(scenario: Scenario, options: ReturnType<typeof describeOptions>): string {
  return (
    `${options.nodes} nodes, ${options.durationMs} ms of faults per seed, seeds ${options.seeds}; ` +
    (scenario.swarm ? 'swarm: each seed draws its own fault mix' : faultSummary(scenario)) +
    (options.checkDeterminism ? '; determinism checked' : '')
  );
}
