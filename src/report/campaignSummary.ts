// summary.json of a campaign (and `run --json`): its verdict, counts, failures and where its report
// went; and the merge of the summaries of a sharded campaign's shards (src/check/shard.ts) into
// the summary the unsharded campaign writes. Only wall times (and the rates drawn from them) may
// differ: every count, failure and trace is a pure function of the seeds.

import type { CampaignMarks, CampaignResult } from '../check/campaign.js';
import { addMarks, combinedVerdict, inconclusiveListedMax } from '../check/campaign.js';
import type { MarkFault } from '../world/marks.js';
import { markCatalog, marksNeverHit } from '../world/marks.js';
import type { CoverageCounts } from '../world/abstractState.js';
import type { Shard } from '../check/shard.js';
import type { Feature } from '../contract/contract.js';
import { interruptExitCode } from '../core/interrupt.js';
import type { FailureRecord } from './failureRecord.js';
import { exitCodeOf } from './exitCodes.js';

export interface CampaignSummaryContext {
  implementation: string;
  scenario: string;
  /** The run's options as printed (describeOptions of the run command). */
  options: Record<string, unknown>;
  /** The whole campaign's seed range; a shard runs part of it. */
  seedRange: { first: number; count: number };
  shard: Shard | null;
  failuresMax: number;
  failures: FailureRecord[];
  reportDirectory: string;
  /** The features in force (the implementation's that the scenario uses): marks of others are not counted as never hit. Absent: every feature. */
  features?: readonly Feature[];
  /** The faults the scenario may produce: marks that need others are not counted as never hit. Absent: every one. */
  faults?: readonly MarkFault[];
}

export function campaignSummary(campaign: CampaignResult, context: CampaignSummaryContext) {
  // An interrupted campaign reports the seeds it did, with the signal's exit code.
  const exitCode = campaign.interrupted !== null ? interruptExitCode(campaign.interrupted) : exitCodeOf(campaign.result);
  return {
    result: campaign.result,
    exitCode,
    implementation: context.implementation,
    scenario: context.scenario,
    options: context.options,
    seeds: campaign.seeds,
    firstSeed: context.seedRange.first,
    seedRange: context.seedRange,
    shard: context.shard,
    failuresMax: context.failuresMax,
    events: campaign.events,
    eventsPerSecond: campaign.eventsPerSecond,
    simulatedMs: campaign.simulatedMs,
    wallMs: Math.round(campaign.wallMs),
    failuresWallMs: Math.round(campaign.failuresWallMs),
    violationsByInvariant: campaign.violationsByInvariant,
    stoppedEarly: campaign.stoppedEarly,
    interrupted: campaign.interrupted,
    seedsPlanned: seedsOfShard(context.seedRange.count, context.shard),
    inconclusiveSeeds: campaign.inconclusiveSeeds,
    inconclusive: campaign.inconclusive,
    inconclusiveByBound: campaign.inconclusiveByBound,
    marks: orderedMarks(campaign.marks),
    marksNeverHit: marksNeverHit(campaign.marks, context.features, context.faults),
    ...abstractCountFields(campaign.abstractCounts),
    guided: campaign.guided,
    failures: context.failures,
    reportDirectory: context.reportDirectory,
  };
}

export type CampaignSummary = ReturnType<typeof campaignSummary>;

/**
 * The summary's counts of abstract coverage. `abstractStatesEstimated` and its twin: past 8,192
 * distinct states (transitions) the count is a HyperLogLog estimate (src/core/distinct.ts).
 */
function abstractCountFields(counts: CoverageCounts) {
  return {
    abstractStates: counts.states,
    abstractTransitions: counts.transitions,
    abstractNodeTransitions: counts.nodeTransitions,
    abstractStatesEstimated: counts.statesEstimated,
    abstractTransitionsEstimated: counts.transitionsEstimated,
  };
}

/** The report folder's file of distinct abstract states and transitions (CoverageUnionData), which merge joins. */
export const coverageFileName = 'coverage.json';

/** Seeds of a range of `count` that a shard runs (round robin: the first shards take one more). */
export function seedsOfShard(count: number, shard: Shard | null): number {
  if (shard === null) return count;
  return Math.floor(count / shard.count) + (shard.index - 1 < count % shard.count ? 1 : 0);
}

/** Why these summaries are not the shards of one campaign, or null when they are. */
export function mergeProblem(parts: readonly { name: string; summary: CampaignSummary }[]): string | null {
  if (parts.length === 0) return 'nothing to merge: name the report folders of the shards';
  const first = parts[0];
  const count = first.summary.shard?.count;
  const seen = new Map<number, string>();
  for (const { name, summary } of parts) {
    if (summary.shard === null) return `${name} is not a shard (run it with --shard I/N)`;
    if (summary.shard.count !== count) return `${name} is shard ${summary.shard.index}/${summary.shard.count}, but ${first.name} is one of ${count}`;
    for (const field of ['implementation', 'scenario', 'options', 'seedRange', 'failuresMax'] as const) {
      if (JSON.stringify(summary[field]) !== JSON.stringify(first.summary[field])) {
        return `${name} and ${first.name} are shards of different campaigns: their ${field} differ (${JSON.stringify(summary[field])} and ${JSON.stringify(first.summary[field])})`;
      }
    }
    const twin = seen.get(summary.shard.index);
    if (twin !== undefined) return `${name} and ${twin} are both shard ${summary.shard.index}/${count}`;
    seen.set(summary.shard.index, name);
  }
  const missing = Array.from({ length: count! }, (_, index) => index + 1).filter((index) => !seen.has(index));
  if (missing.length > 0) return `shard${missing.length > 1 ? 's' : ''} ${missing.map((index) => `${index}/${count}`).join(', ')} missing: merge needs every shard of the campaign`;
  return null;
}

/**
 * The shards' summaries as one: counts added, failures and inconclusive seeds in seed order; the
 * abstract states counted over the union of the shards' (their coverage.json files), which their
 * counts alone cannot give.
 */
export function mergeSummaries(parts: readonly CampaignSummary[], reportDirectory: string, abstractCounts: CoverageCounts): CampaignSummary {
  const first = parts[0];
  const sum = (field: 'seeds' | 'events' | 'simulatedMs' | 'wallMs' | 'failuresWallMs') => parts.reduce((total, part) => total + part[field], 0);
  const result = combinedVerdict(parts.map((part) => part.result));
  const interrupted = parts.find((part) => part.interrupted !== null)?.interrupted ?? null;
  // Shards ran side by side: the campaign's wall time is the slowest shard's, its rate over that.
  const wallMs = Math.max(...parts.map((part) => part.wallMs));
  const events = sum('events');
  const inconclusive = parts.flatMap((part) => part.inconclusive).sort((a, b) => a.seed - b.seed);
  const failures = parts.flatMap((part) => part.failures).sort((a, b) => a.seed - b.seed);
  const marks: CampaignMarks = {};
  // A summary written before marks existed has none to add.
  for (const part of parts) addMarks(marks, part.marks);
  return {
    ...first,
    result,
    exitCode: interrupted !== null ? interruptExitCode(interrupted) : exitCodeOf(result),
    seeds: sum('seeds'),
    shard: null,
    events,
    eventsPerSecond: wallMs > 0 ? Math.round((events / wallMs) * 1000) : 0,
    simulatedMs: sum('simulatedMs'),
    wallMs,
    failuresWallMs: Math.max(...parts.map((part) => part.failuresWallMs)),
    // Keys in the order an unsharded campaign meets them: by the first seed that counted each.
    violationsByInvariant: addCounts(parts.map((part) => part.violationsByInvariant), failures.map((failure) => failure.runInvariant ?? failure.invariant)) as Record<string, number>,
    stoppedEarly: parts.some((part) => part.stoppedEarly),
    interrupted,
    seedsPlanned: first.seedRange.count,
    inconclusiveSeeds: parts.flatMap((part) => part.inconclusiveSeeds).sort((a, b) => a - b),
    inconclusive: inconclusive.slice(0, inconclusiveListedMax),
    inconclusiveByBound: addCounts(parts.map((part) => part.inconclusiveByBound), inconclusive.map((seed) => seed.bound)),
    marks: orderedMarks(marks),
    // The shards ran the same implementation: never hit is what no shard hit of what the first could.
    marksNeverHit: (first.marksNeverHit ?? marksNeverHit(marks)).filter((name) => marks[name] === undefined),
    ...abstractCountFields(abstractCounts),
    failures,
    reportDirectory,
  };
}

/** Counts added key by key; keys in the order of `order` first, then the rest sorted, so equal campaigns write equal files. */
function addCounts<Key extends string>(counts: readonly Partial<Record<Key, number>>[], order: readonly string[]): Partial<Record<Key, number>> {
  const total = new Map<string, number>();
  for (const count of counts) {
    for (const [key, value] of Object.entries(count) as [Key, number][]) total.set(key, (total.get(key) ?? 0) + value);
  }
  const keys = [...new Set([...order.filter((key) => total.has(key)), ...[...total.keys()].sort()])];
  return Object.fromEntries(keys.map((key) => [key, total.get(key)])) as Partial<Record<Key, number>>;
}

/** Marks in the catalog's order (then any the catalog no longer names, sorted), so equal campaigns write equal files. */
function orderedMarks(marks: CampaignMarks): CampaignMarks {
  const known = markCatalog.map((mark) => mark.name).filter((name) => marks[name] !== undefined);
  const other = Object.keys(marks)
    .filter((name) => !known.includes(name))
    .sort();
  return Object.fromEntries([...known, ...other].map((name) => [name, { ...marks[name] }]));
}
