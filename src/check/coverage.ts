// Coverage-guided schedule search (`run --strategy coverage`), as a greybox fuzzer does it: a
// campaign keeps the runs (their choice sequences: the run as data) that reached abstract states
// or transitions (src/world/abstractState.ts) no earlier run had, and spends part of its runs
// mutating kept ones: drawing a few choices afresh, drawing one stream's tail afresh (a stream
// is one concern: the faults, the network, one node's timers...), or splicing two kept runs
// stream by stream. The rest of its runs are plain seeds, which keep bringing new material.
//
// Deterministic for a seed range, whatever the threads: runs are planned a batch at a time, from
// the runs kept before the batch, and every decision is drawn from the run's own seed. A mutated
// run is not its seed's plain run: it replays from its recorded choices (its trace), not its seed.

import type { ChoiceMutation, Choices } from '../core/random.js';
import { Random, RecordingChoiceSource } from '../core/random.js';

export type MutationKind = 'redraw' | 'tail' | 'splice';

/** Where a mutated run came from: how it was made, and from which kept runs (by the seed of the run that reached them). */
export interface MutationOrigin {
  kind: MutationKind;
  parentSeed: number;
  /** splice: the other kept run. */
  donorSeed?: number;
}

/** What one run of a campaign runs: its seed's plain run, or a mutation of a kept run. */
export interface RunPlan {
  seed: number;
  mutation: ChoiceMutation | null;
  origin: MutationOrigin | null;
}

/** Runs planned at once: a batch's plans see the runs kept before it, so the threads cannot change them. */
export const guidedBatchSize = 16;
/** Kept runs at most; past it the oldest goes (the newest found the newest states). */
const keptMax = 256;
/** Once some run is kept, this share of runs are mutations. */
const mutatedProbability = 0.5;
/** Choices a redraw mutation draws afresh, at most. */
const redrawsMax = 8;
const stream = 'coverage';

interface Kept {
  seed: number;
  choices: Choices;
}

/** The plain run of a seed. */
export function plainPlan(seed: number): RunPlan {
  return { seed, mutation: null, origin: null };
}

export class CoverageGuide {
  private readonly kept: Kept[] = [];
  private plans: RunPlan[] = [];
  private plannedFrom = -1;
  private mutatedCount = 0;
  private keptCount = 0;

  constructor(private readonly seeds: readonly number[]) {}

  /** Whether run `index` can be planned once `taken` runs are taken: its batch needs every earlier batch's. */
  plannable(index: number, taken: number): boolean {
    return taken >= index - (index % guidedBatchSize);
  }

  /** The plan of run `index` (of the campaign's seeds); ask in order, each once its batch is plannable. */
  plan(index: number): RunPlan {
    const start = index - (index % guidedBatchSize);
    if (start !== this.plannedFrom) {
      const end = Math.min(this.seeds.length, start + guidedBatchSize);
      this.plans = this.seeds.slice(start, end).map((seed) => this.planOf(seed));
      this.plannedFrom = start;
    }
    return this.plans[index - start];
  }

  /** A run was taken: keep it when it reached `added` states or transitions no earlier run had. */
  taken(seed: number, choices: Choices | undefined, added: number): void {
    if (added === 0 || choices === undefined) return;
    this.kept.push({ seed, choices });
    this.keptCount += 1;
    if (this.kept.length > keptMax) this.kept.shift();
  }

  /** Runs planned as mutations, and runs kept, so far. */
  counts(): { runsMutated: number; runsKept: number } {
    return { runsMutated: this.mutatedCount, runsKept: this.keptCount };
  }

  private planOf(seed: number): RunPlan {
    const random = new Random(new RecordingChoiceSource(seed));
    if (this.kept.length === 0 || !random.chance(stream, mutatedProbability)) return plainPlan(seed);
    this.mutatedCount += 1;
    const parent = this.kept[random.index(stream, this.kept.length)];
    const kinds: MutationKind[] = this.kept.length > 1 ? ['redraw', 'tail', 'splice'] : ['redraw', 'tail'];
    const kind = kinds[random.index(stream, kinds.length)];
    if (kind === 'splice') {
      const donor = this.kept[random.index(stream, this.kept.length)];
      return { seed, mutation: { base: splice(parent.choices, donor.choices, random), seed }, origin: { kind, parentSeed: parent.seed, donorSeed: donor.seed } };
    }
    const mutation = kind === 'redraw' ? redraw(parent.choices, random, seed) : tail(parent.choices, random, seed);
    return { seed, mutation, origin: { kind, parentSeed: parent.seed } };
  }
}

/** Streams in name order: plans must not depend on the order a run first drew from them. */
function streamsOf(choices: Choices): string[] {
  return Object.keys(choices)
    .filter((name) => choices[name].length > 0)
    .sort();
}

/** A few choices, anywhere (a stream as likely as its share of the draws), drawn afresh. */
function redraw(choices: Choices, random: Random, seed: number): ChoiceMutation {
  const streams = streamsOf(choices);
  const total = streams.reduce((sum, name) => sum + choices[name].length, 0);
  const positions: Record<string, number[]> = {};
  const count = random.integer(stream, 1, redrawsMax);
  for (let draw = 0; draw < count && total > 0; draw += 1) {
    const [name, position] = locate(choices, streams, random.index(stream, total));
    (positions[name] ??= []).push(position);
  }
  return { base: choices, redraw: positions, seed };
}

/** The stream and position of the `at`-th choice, counting the streams' choices one after another. */
function locate(choices: Choices, streams: readonly string[], at: number): [string, number] {
  let rest = at;
  for (const name of streams) {
    if (rest < choices[name].length) return [name, rest];
    rest -= choices[name].length;
  }
  return [streams[streams.length - 1], 0];
}

/** One stream (any stream as likely as another: the faults' as the network's) drawn afresh from a point on. */
function tail(choices: Choices, random: Random, seed: number): ChoiceMutation {
  const streams = streamsOf(choices);
  if (streams.length === 0) return { base: choices, seed };
  const name = streams[random.index(stream, streams.length)];
  return { base: choices, freshFrom: { [name]: random.index(stream, choices[name].length) }, seed };
}

/** Each stream from one run or the other: one run's faults with the other's network, say. */
function splice(parent: Choices, donor: Choices, random: Random): Choices {
  const spliced: Choices = Object.create(null) as Choices;
  for (const name of [...new Set([...streamsOf(parent), ...streamsOf(donor)])].sort()) {
    const from = random.chance(stream, 0.5) ? donor : parent;
    if (from[name] !== undefined) spliced[name] = from[name];
  }
  return spliced;
}
