// The helper for test runners (as fast-check's `assert` is): run a campaign, and on the first
// failure shrink it, write its traces to a report folder and throw a short error whose first
// lines name the seed, what failed, the message and the command that replays it. A passing
// campaign writes nothing. The campaign is the one `raftcheck run` runs (worker threads
// included, with `jobs`), and the failure is written and described as the CLI does
// (src/report/failureTraces.ts), so a failure in a test suite reads as on the command line.

import type { CampaignResult } from '../check/campaign.js';
import { seedRange } from '../check/campaign.js';
import { implementationSpecOf, loadImplementation, sourceFromArgument } from '../check/implementations.js';
import { loadScenario } from '../check/scenarios.js';
import { runCampaignInWorkers } from '../check/workers.js';
import { referenceImplementation } from '../adapters/reference.js';
import { closeProcessHost } from '../adapters/process/host.js';
import type { Implementation } from '../contract/contract.js';
import type { InvariantDefinition } from '../../invariants/types.js';
import type { Scenario } from '../sim/scenario.js';
import { failureHeadline } from './console.js';
import type { FailureOnDisk } from './failureTraces.js';
import { shellWord, writeFailureTraces } from './failureTraces.js';
import type { ReportDirectory } from './reportDirectory.js';
import { createReportDirectory } from './reportDirectory.js';
import { escapeControlCharacters, plural } from '../core/text.js';

export interface AssertRaftOptions {
  /**
   * The implementation under test: an Implementation (docs/CONTRACT.md), or what `--impl`
   * takes ("reference", a module path, "process:COMMAND ARGS..."). Default: the reference.
   */
  implementation?: Implementation | string;
  /** A shipped scenario's name, a scenario file's path, or a Scenario; default "swarm". */
  scenario?: string | Scenario;
  /** How many seeds, from firstSeed on (default 100), or the seeds themselves. */
  seeds?: number | readonly number[];
  /** First seed of a count of seeds; default 1. */
  firstSeed?: number;
  /** Threads that run seeds (default 1: a test runner runs test files side by side already). */
  jobs?: number;
  /** Shrink the failure to a minimal trace (default true). */
  shrink?: boolean;
  /** Wall-clock bound of the shrink, in milliseconds; default 10,000. */
  shrinkTimeMs?: number;
  /** Folder that receives the report folder of a failure; default "reports" (under the working directory). */
  out?: string;
  /** Stop after this many failing seeds; default 1. Each is shrunk; the error names the first. */
  failuresMax?: number;
  checkDeterminism?: boolean;
  invariants?: readonly InvariantDefinition[];
  /**
   * Resolve when no seed failed but a bound cut some run short (eventsMax, a check's search
   * budget). Default false: such a campaign rejects with a RaftCheckInconclusive, as
   * `raftcheck run` exits 6 for it, since a run cut short is not a pass.
   */
  allowInconclusive?: boolean;
}

export const assertRaftSeedsDefault = 100;
export const assertRaftShrinkTimeMsDefault = 10_000;

/** A failing campaign: the message is the short story; the fields hold the rest. */
export class RaftCheckFailure extends Error {
  override name = 'RaftCheckFailure';

  constructor(
    message: string,
    readonly failures: readonly FailureOnDisk[],
    readonly campaign: CampaignResult,
  ) {
    super(message);
  }

  get seed(): number {
    return this.failures[0].failure.seed;
  }

  get replayCommand(): string {
    return this.failures[0].replayCommand;
  }

  /** The trace file of the first failure (the shrunk one when the shrink ran), as displayed. */
  get tracePath(): string {
    return this.failures[0].tracePath;
  }
}

/** No seed failed, but bounds cut some runs short: not a pass. */
export class RaftCheckInconclusive extends Error {
  override name = 'RaftCheckInconclusive';

  constructor(
    message: string,
    readonly campaign: CampaignResult,
  ) {
    super(message);
  }
}

/**
 * Runs the campaign; resolves with its result when every seed passes, rejects with a
 * RaftCheckFailure when one fails, and with a RaftCheckInconclusive when none failed but a bound
 * cut some run short (unless allowInconclusive).
 */
export async function assertRaft(options: AssertRaftOptions = {}): Promise<CampaignResult> {
  const scenario = typeof options.scenario === 'string' ? loadScenario(options.scenario) : (options.scenario ?? loadScenario('swarm'));
  const given = options.implementation ?? referenceImplementation();
  const implementation = typeof given === 'string' ? await loadImplementation({ name: given, source: sourceFromArgument(given) }) : given;
  const seeds = seedsOf(options);
  const spec = implementationSpecOf(implementation);
  let report: ReportDirectory | null = null;
  const failures: FailureOnDisk[] = [];
  let campaign: CampaignResult;
  try {
    campaign = await runCampaignInWorkers({
      jobs: options.jobs ?? 1,
      ...(spec !== null ? { implementationSpec: spec } : {}),
      seeds,
      implementation,
      scenario,
      invariants: options.invariants,
      checkDeterminism: options.checkDeterminism,
      failuresMax: options.failuresMax ?? 1,
      onFailure: (failure) => {
        // The report folder only when there is something to put in it: a passing suite leaves nothing.
        report ??= createReportDirectory(options.out ?? 'reports', scenario.name);
        const written = writeFailureTraces(failure, {
          implementation,
          scenario,
          bugs: spec?.bugs ?? [],
          report,
          rerunCommand: null,
          shrink: options.shrink ?? true,
          shrinkTimeMs: options.shrinkTimeMs ?? assertRaftShrinkTimeMsDefault,
        });
        // A trace of an implementation made in code does not say how to load it: replay needs --impl.
        failures.push(spec === null ? { ...written, replayCommand: `${written.replayCommand} --impl <the module that exports ${shellWord(implementation.name)}>` } : written);
      },
    });
  } finally {
    // Programs this call started (implementation "process:...") do not outlive it.
    if (typeof given === 'string' && (spec?.source?.kind === 'process' || spec?.source?.kind === 'etcd-process')) closeProcessHost();
  }
  if (failures.length === 0 && (campaign.result !== 'inconclusive' || options.allowInconclusive === true)) return campaign;
  if (failures.length === 0) throw new RaftCheckInconclusive(inconclusiveMessage(campaign), campaign);
  throw new RaftCheckFailure(failureMessage(failures, campaign, { implementation: implementation.name, scenario: scenario.name, seeds }), failures, campaign);
}

/** The seeds to run; a campaign of no seeds would pass without running anything, so it is refused. */
function seedsOf(options: AssertRaftOptions): readonly number[] {
  const seeds = typeof options.seeds === 'object' ? options.seeds : seedRange(options.firstSeed ?? 1, options.seeds ?? assertRaftSeedsDefault);
  const count = typeof options.seeds === 'number' ? options.seeds : seeds.length;
  if (!Number.isSafeInteger(count) || count < 1 || !seeds.every((seed) => Number.isSafeInteger(seed) && seed >= 0)) {
    const given = typeof options.seeds === 'object' ? `[${options.seeds.join(', ')}]` : String(options.seeds);
    throw new RangeError(`assertRaft: seeds must be a count of at least 1 or a non-empty list of seeds (safe integers from 0), and firstSeed a safe integer from 0; got seeds ${given}, firstSeed ${options.firstSeed ?? 1}`);
  }
  return seeds;
}

/** The error's message: the seed and what failed first, then the message and the replay command. */
export function failureMessage(failures: readonly FailureOnDisk[], campaign: CampaignResult, context: { implementation: string; scenario: string; seeds: readonly number[] }): string {
  const first = failures[0];
  const seedsText = context.seeds.length === 1 ? `seed ${context.seeds[0]}` : `seeds ${context.seeds[0]}..${context.seeds[context.seeds.length - 1]}`;
  const lines = [
    `raftcheck: seed ${first.failure.seed} failed: ${failureHeadline(first.failure)}`,
    `  ${oneLine(first.record.message)}`,
    `  replay: ${escapeControlCharacters(first.replayCommand)}`,
    `  timeline: npx raftcheck show ${shellWord(first.tracePath)}`,
  ];
  if (first.shrinkLine !== null) lines.push(`  ${first.shrinkLine}`);
  lines.push(
    `  ${failures.length} of ${campaign.seeds} ${plural(campaign.seeds, 'seed')} run failed (${escapeControlCharacters(context.implementation)} on scenario ${escapeControlCharacters(context.scenario)}, ${seedsText}` +
      `${campaign.stoppedEarly ? '; stopped at failuresMax' : ''})` +
      (failures.length > 1 ? `; the others: ${failures.slice(1).map((failure) => `seed ${failure.failure.seed} (${failure.tracePath})`).join(', ')}` : ''),
  );
  return lines.join('\n');
}

/** Inconclusive seeds the error describes one by one; the rest are counted. */
const inconclusiveShownMax = 3;

function inconclusiveMessage(campaign: CampaignResult): string {
  const lines = [`raftcheck: no seed failed, but ${campaign.inconclusiveSeeds.length} of ${campaign.seeds} ${plural(campaign.seeds, 'seed')} ${campaign.inconclusiveSeeds.length === 1 ? 'was' : 'were'} cut short by a bound: not a pass`];
  for (const seed of campaign.inconclusive.slice(0, inconclusiveShownMax)) {
    lines.push(`  seed ${seed.seed}: ${oneLine(seed.reason)} (${seed.events} events, ${seed.simulatedMs} of ${seed.durationMs} ms simulated)`);
  }
  lines.push('  raise the bound in the scenario, or pass allowInconclusive: true to accept runs cut short');
  return lines.join('\n');
}

/** Messages longer than this are cut in the error (the trace holds them whole). */
const messageCharactersMax = 400;

/** A message on one line, its foreign text neutralised: a test runner prints it to a terminal. */
function oneLine(text: string): string {
  const flat = escapeControlCharacters(text.replace(/\s*\n\s*/g, ' '));
  return flat.length > messageCharactersMax ? `${flat.slice(0, messageCharactersMax - 1)}…` : flat;
}
