// `raftcheck run`: a campaign of seeds on one scenario, with progress, a summary, a report
// folder, and for every failure its replay command and trace file.

import { join } from 'node:path';
import type { CampaignResult } from '../check/campaign.js';
import { seedRange } from '../check/campaign.js';
import { defaultJobs, runCampaignInWorkers } from '../check/workers.js';
import { checkScenarioFor, loadScenario } from '../check/scenarios.js';
import { checkFileWritable, writeFileAtomic, writeJsonAtomic } from '../core/files.js';
import { junitXml } from '../report/junit.js';
import { campaignPage } from '../report/html.js';
import { referenceImplementation } from '../adapters/reference.js';
import type { Implementation } from '../contract/contract.js';
import { loadImplementation, sourceFromArgument, sourceOf } from '../check/implementations.js';
import type { Scenario, SchedulingStrategy } from '../sim/scenario.js';
import { faultOptions, faultSummary, clusterSizeText, scenarioAsDriven, scenarioReach, withClients, withNodes, withProbes, withStrategy } from '../check/options.js';
import { boundedProgress, formatSummary, ProgressLine, progressText } from '../report/console.js';
import { formatFailureOnDisk, shellWord, writeFailureTraces } from '../report/failureTraces.js';
import type { FailureRecord } from '../report/failureRecord.js';
import { campaignSummary, coverageFileName } from '../report/campaignSummary.js';
import type { Shard } from '../check/shard.js';
import { parseShard, shardSeeds } from '../check/shard.js';
import type { ReportDirectory } from '../report/reportDirectory.js';
import { createReportDirectory } from '../report/reportDirectory.js';
import type { CommandIo } from './io.js';
import { stdoutColor, UsageError } from './io.js';
import { escapeControlCharacters, plural } from '../core/text.js';
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
  /** Shrink every failure to a minimal trace (default on). */
  shrink: boolean;
  /** Wall-clock bound of each shrink, in seconds. */
  shrinkTimeSeconds: number;
  /** Turn clients with a checked history on, this many (--clients), and how they read (--reads). */
  clients?: number;
  reads?: 'log' | 'readIndex' | 'lease';
  /** Where the clients send an operation first (--routing; turns clients on). */
  routing?: 'leader' | 'any';
  /** Scheduling of message timing (--strategy): random, pct, or the portfolio that draws one per seed; or coverage-guided runs (src/check/coverage.ts). */
  strategy?: SchedulingStrategy | 'coverage' | 'bfs' | 'dfs';
  /** The implementation under test (--impl): reference, etcd, process:COMMAND or a module path. */
  impl?: string;
  /** Process implementations: bound on one answer (--impl-timeout-ms) and on one line (--impl-output-bytes-max). */
  implTimeoutMs?: number;
  implOutputBytesMax?: number;
  /** Threads that run seeds (--jobs); by default one per core (one for process:...). */
  jobs?: number;
  /** Run only shard I of N of the seed range (--shard I/N); `raftcheck merge` joins the shards. */
  shard?: string;
  /** Also write the campaign as JUnit XML to this file (--junit FILE). */
  junit?: string;
  /** Durability probes on or off (--probes / --no-probes); absent: the scenario's, else the implementation's default. */
  probes?: boolean;
  /** HTML pages: index.html for the campaign and one per failure (default on; --no-html). */
  html?: boolean;
}

export async function runCommand(args: RunArguments, io: CommandIo): Promise<number> {
  if (args.seed !== undefined && args.seeds !== undefined) throw new UsageError('give either --seed S (one seed) or --seeds N (a range), not both');
  if (args.strategy === 'bfs' || args.strategy === 'dfs') {
    throw new UsageError(`--strategy ${args.strategy} is an exhaustive search: run it with raftcheck explore --strategy ${args.strategy}`);
  }
  // Coverage guides which runs a campaign makes; each run's message scheduling stays the scenario's (or the portfolio).
  const scheduling = args.strategy === 'coverage' ? undefined : args.strategy;
  const scenario = withProbes(withStrategy(withClients(withNodes(loadScenario(args.scenario), args.nodes), { count: args.clients, reads: args.reads, routing: args.routing }), scheduling), args.probes);
  if (args.reads === 'lease' && scenario.implementation.leaseReads !== true) throw new UsageError(`--reads lease reads from the leader's lease: scenario ${scenario.name} does not turn implementation.leaseReads on`);
  const bugNames = [...new Set(args.bugs ?? [])].sort();
  const implementation = await implementationOfArguments(args, bugNames, io);
  checkScenarioFor(scenario, implementation);
  const source = sourceOf(implementation);
  noteFeaturesLeftOut(scenario, implementation, io, args.json);
  // Programs and wasm guests run a seed in about a second, the reference in tens of milliseconds.
  const external = source !== undefined && source.kind !== 'reference' && source.kind !== 'module';
  const range = args.seed !== undefined ? [args.seed] : seedRangeOfArguments(args.firstSeed, args.seeds ?? (external ? defaultSeedCountOverPipes : defaultSeedCount));
  const shard = shardOfArguments(args);
  // A file that cannot be written fails before the campaign, not after it.
  if (args.junit !== undefined) checkFileWritable(args.junit, `--junit file ${args.junit}`);
  const seeds = shard === null ? range : shardSeeds(range, shard);
  const report = createReportDirectory(args.out, shard === null ? scenario.name : `${scenario.name}-shard-${shard.index}-of-${shard.count}`);
  try {
    return await campaignIntoReport(args, io, { scenario, bugNames, implementation, source, range, shard, seeds, report });
  } finally {
    // A campaign that ended before writing anything (a harness error) leaves no empty folder.
    report.removeIfEmpty();
  }
}

interface CampaignSetup {
  scenario: Scenario;
  bugNames: readonly string[];
  implementation: Implementation;
  source: ReturnType<typeof sourceOf>;
  /** The campaign's seed range, and the part of it this run runs (all of it unless sharded). */
  range: readonly number[];
  shard: Shard | null;
  seeds: readonly number[];
  report: ReportDirectory;
}

/** Protocol v2: a scenario may ask for a feature the implementation does not list; say once that it is left out. */
function noteFeaturesLeftOut(scenario: Scenario, implementation: Implementation, io: CommandIo, json: boolean): void {
  const { leftOut } = scenarioAsDriven(scenario, implementation);
  if (leftOut.length === 0 || json) return;
  const list = leftOut.join(' and ');
  io.stderr.write(`raftcheck: note: ${escapeControlCharacters(implementation.name)} does not list ${list} among its features: what scenario ${scenario.name} asks of ${leftOut.length === 1 ? 'it' : 'them'} is left out\n`);
}

function shardOfArguments(args: RunArguments): Shard | null {
  if (args.shard === undefined) return null;
  if (args.seed !== undefined) throw new UsageError('--shard splits a range of seeds: give it with --seeds N, not --seed S');
  if (args.strategy === 'coverage') throw new UsageError('--strategy coverage plans each run from the runs before it in the whole range: it cannot be split with --shard');
  const parsed = parseShard(args.shard);
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.shard;
}

/** Runs the campaign, writing failures and the summary into the report folder as they come. */
async function campaignIntoReport(args: RunArguments, io: CommandIo, setup: CampaignSetup): Promise<number> {
  const { scenario, bugNames, implementation, source, seeds, report } = setup;
  const progress = new ProgressLine(io.stderr, io.stderr.isTTY === true);
  const failures: FailureRecord[] = [];
  const failurePages = new Map<number, string>();
  const color = stdoutColor(io) && !args.json;

  const campaign = await runCampaignInWorkers({
    jobs: args.jobs ?? jobsByDefault(source),
    implementationSpec: { name: implementation.name, bugs: bugNames, ...(source !== undefined ? { source } : {}) },
    processSettings: { timeoutMs: args.implTimeoutMs, outputBytesMax: args.implOutputBytesMax },
    seeds,
    implementation,
    scenario,
    checkDeterminism: args.checkDeterminism,
    failuresMax: failuresMaxOf(args),
    guided: args.strategy === 'coverage',
    onProgress: (state) => progress.update(progressText(state), state.seedsDone === state.seedsTotal),
    onFailure: (failure) => {
      const written = writeFailureTraces(failure, {
        implementation,
        scenario,
        bugs: bugNames,
        report,
        // A mutated run is not its seed's: only its trace reproduces it.
        rerunCommand: failure.origin === null ? replayCommand(failure.seed, args) : null,
        shrink: args.shrink,
        shrinkTimeMs: args.shrinkTimeSeconds * 1000,
        html: args.html !== false,
        onShrinkProgress: (state) =>
          progress.update(
            `raftcheck: shrinking seed ${failure.seed}: ${boundedProgress(state.wallMs, args.shrinkTimeSeconds * 1000)}  ${state.eventsBefore} -> ${state.eventsNow} ${plural(state.eventsNow, 'event')}, ${state.runs} ${plural(state.runs, 'run')} (${state.pass})`,
          ),
      });
      failures.push(written.record);
      if (written.htmlPath !== null) failurePages.set(failure.seed, `seed-${failure.seed}.html`);
      if (!args.json) {
        progress.clear();
        io.stdout.write(`${formatFailureOnDisk(written, { color })}\n\n`);
      }
    },
  });
  progress.clear();
  return writeCampaignReport(args, io, { setup, campaign, failures, failurePages, color });
}

/** The campaign's summary.json, JUnit file and index.html, and its summary on stdout: its exit code. */
function writeCampaignReport(
  args: RunArguments,
  io: CommandIo,
  done: { setup: CampaignSetup; campaign: CampaignResult; failures: FailureRecord[]; failurePages: ReadonlyMap<number, string>; color: boolean },
): number {
  const { setup, campaign } = done;
  const { implementation, report } = setup;
  // Described as driven: nothing of a feature the implementation does not list.
  const scenario = scenarioAsDriven(setup.scenario, implementation).scenario;
  const reach = scenarioReach(setup.scenario, implementation);
  const options = describeOptions(scenario, setup.range, args);
  const summary = campaignSummary(campaign, {
    implementation: implementation.name,
    scenario: scenario.name,
    options,
    seedRange: { first: setup.range[0], count: setup.range.length },
    shard: setup.shard,
    failuresMax: failuresMaxOf(args),
    failures: done.failures,
    reportDirectory: report.display(report.path),
    ...reach,
  });
  writeJsonAtomic(join(report.path, 'summary.json'), summary);
  // The states themselves, for merge: a union of shards cannot be counted from their counts.
  writeJsonAtomic(join(report.path, coverageFileName), campaign.abstractCoverage);
  if (args.junit !== undefined) writeFileAtomic(args.junit, junitXml(summary));
  if (args.html !== false) writeFileAtomic(join(report.path, 'index.html'), campaignPage(summary, done.failurePages));
  if (args.json) {
    io.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const context = { implementation: implementation.name, scenario: scenario.name, reportDirectory: report.display(report.path), options: describeOptionsText(scenario, options, setup.shard), ...reach };
    io.stdout.write(`${formatSummary({ ...campaign, abstractStates: summary.abstractStates, abstractTransitions: summary.abstractTransitions, abstractStatesEstimated: summary.abstractStatesEstimated, abstractTransitionsEstimated: summary.abstractTransitionsEstimated }, context, { color: done.color })}\n`);
  }
  return summary.exitCode;
}

/** The options that name an implementation (run and explore). */
export type ImplementationArguments = Pick<RunArguments, 'impl' | 'implTimeoutMs' | 'implOutputBytesMax'>;

/** The implementation --impl names (the reference by default); --bug goes with the reference only. */
export async function implementationOfArguments(args: ImplementationArguments, bugNames: readonly string[], io: CommandIo): Promise<Implementation> {
  const source = args.impl === undefined ? ({ kind: 'reference' } as const) : sourceFromArgument(args.impl);
  if (source.kind === 'reference') return referenceImplementation(bugsFromArguments(bugNames));
  if (bugNames.length > 0) throw new UsageError(`--bug switches on bugs of the reference Raft; it cannot go with --impl ${args.impl}`);
  return loadImplementation(
    { name: args.impl ?? 'reference', source },
    { timeoutMs: args.implTimeoutMs, outputBytesMax: args.implOutputBytesMax, log: (line) => io.stderr.write(`raftcheck: ${line}\n`) },
  );
}

/** Seeds are safe integers: past 2^53 - 1 two seeds would be one number, and a run not its seed's. */
function seedRangeOfArguments(first: number, count: number): number[] {
  const last = first + count - 1;
  if (last > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(`--first-seed ${first} with ${count} ${plural(count, 'seed')} would run past the largest seed, ${Number.MAX_SAFE_INTEGER} (2^53 - 1): start at ${Number.MAX_SAFE_INTEGER - count + 1} at most`);
  }
  return seedRange(first, count);
}

/**
 * Seeds of a campaign unless told: about half a minute of the swarm on two cores for the
 * reference (a seed takes 15 to 30 ms), a few minutes for a program whose every input crosses a
 * pipe or a wasm guest (about a second a seed).
 */
export const defaultSeedCount = 2000;
export const defaultSeedCountOverPipes = 300;

/**
 * Threads of a campaign unless told: every core, except for a program of the user's, which may not
 * bear running beside itself (files, ports). The reference has no source (it is built in).
 */
export function jobsByDefault(source: ReturnType<typeof sourceOf>): number {
  return source?.kind === 'process' ? 1 : defaultJobs();
}

/** A campaign stops after this many failing seeds unless told otherwise: each one is shrunk. */
export const defaultFailuresMax = 3;

const failuresMaxOf = (args: RunArguments): number => args.failuresMax ?? defaultFailuresMax;

/** The exact command that re-runs one seed as this run ran it. */
export function replayCommand(seed: number, args: RunArguments): string {
  const parts = ['npx raftcheck run', `--seed ${seed}`, `--scenario ${shellWord(args.scenario)}`];
  if (args.nodes !== undefined) parts.push(`--nodes ${args.nodes}`);
  if (args.impl !== undefined) parts.push(`--impl ${shellWord(args.impl)}`);
  if (args.implTimeoutMs !== undefined) parts.push(`--impl-timeout-ms ${args.implTimeoutMs}`);
  if (args.implOutputBytesMax !== undefined) parts.push(`--impl-output-bytes-max ${args.implOutputBytesMax}`);
  if (args.clients !== undefined) parts.push(`--clients ${args.clients}`);
  if (args.reads !== undefined) parts.push(`--reads ${args.reads}`);
  if (args.routing !== undefined) parts.push(`--routing ${args.routing}`);
  if (args.strategy !== undefined) parts.push(`--strategy ${args.strategy}`);
  for (const bug of [...new Set(args.bugs ?? [])].sort()) parts.push(`--bug ${shellWord(bug)}`);
  // A determinism mismatch shows only when the seed runs twice.
  if (args.checkDeterminism) parts.push('--check-determinism');
  return parts.join(' ');
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

function describeOptionsText(scenario: Scenario, options: ReturnType<typeof describeOptions>, shard: Shard | null): string {
  return (
    (shard === null ? '' : `shard ${shard.index}/${shard.count} (one seed in ${shard.count} of the range); `) +
    `${scenario.swarm && options.nodes > 3 ? `3 to ${options.nodes} nodes` : clusterSizeText(scenario)}, ${options.durationMs} ms of faults per seed, seeds ${options.seeds}; ` +
    (scenario.swarm ? 'swarm: each seed draws its own fault mix and cluster size' : faultSummary(scenario)) +
    (options.checkDeterminism ? '; determinism checked' : '')
  );
}
