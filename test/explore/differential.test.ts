// One world, two ways of judging it (DESIGN.md, "Layers": one world, several drivers). The
// explorer judges a step in a world of its own: a judgement forked copy-on-write from the
// parent's, node steps computed once per node state and shared between worlds, equal judgements
// interned. The simulator keeps one observation and updates it in place. Random step paths on three
// nodes, for the correct reference and for every bug of the corpus, are judged both ways (the
// explorer's with a sibling branch taken from every parent first, so that any state a branch leaks
// into its parent shows); both must name the same first violation, invariant and step, or none,
// and without one, end with the same observation (committed history, commit terms, revealed
// terms, every mirror). The same again with membership steps: a spare, and changes handed to
// leaders (which start the spare, and may lead to a removed node being wiped). Durability probes
// are on both ways (src/world/probes.ts): a promise broken in a node step the explorer computed
// once for many worlds is named at the same step as in a replay that computes every step afresh.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allInvariants } from '../../invariants/index.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import type { Implementation, Output } from '../../src/contract/contract.js';
import type { ObservedCluster, StepChange } from '../../src/contract/observation.js';
import type { NodeId } from '../../src/core/ids.js';
import { defaultExploreBounds, explore } from '../../src/explore/search.js';
import { bugCatalog, bugsFromNames } from '../../src/raft/bugs.js';
import { ClusterJudge } from '../../src/world/judge.js';
import type { InFlight, StepObserver, World } from '../../src/world/system.js';
import { TransitionSystem } from '../../src/world/system.js';
import { durabilityInvariant } from '../../src/world/probes.js';

const unbounded = Number.POSITIVE_INFINITY;
const nodes = 3;

function system(implementation: Implementation, searching: boolean, spares: number): TransitionSystem {
  return new TransitionSystem({
    implementation,
    invariants: allInvariants,
    nodes,
    spares,
    membershipChangesMax: spares > 0 ? 2 : 0,
    implementationOptions: exploreImplementationOptions,
    symmetry: searching,
    clone: true,
    intern: searching,
    memoize: searching,
    termMax: unbounded,
    crashesMax: 2,
    requestsMax: 3,
    dropsMax: 2,
    reordersMax: 2,
    messagesInFlightMax: unbounded,
    durabilityProbes: true,
  });
}

/** Judges what a replay shows it with the simulator's judge: one observation, updated in place. */
class SimulatorJudging implements StepObserver {
  readonly judge: ClusterJudge;
  violation: string | null = null;
  step = 0;

  constructor(members: readonly NodeId[]) {
    this.judge = ClusterJudge.create(members, allInvariants);
  }

  delivered(message: InFlight): void {
    this.judge.revealed(message.from, message.senderTerm);
  }

  stepped(node: NodeId, output: Output, change: StepChange): void {
    this.note(this.judge.judgeChange(this.judge.observation.observe(node, output, change.started, this.step, this.step))?.invariant);
  }

  crashed(node: NodeId): void {
    this.note(this.judge.crashed(node, this.step, this.step)?.invariant);
  }

  private note(invariant: string | undefined): void {
    if (this.violation === null && invariant !== undefined) this.violation = `${invariant} at step ${this.step}`;
  }
}

/** What an observation holds, as plain data: the committed history, revealed terms and every mirror. */
function observed(observation: ObservedCluster) {
  return {
    committed: observation.committedTerms.map((term, index) => `${term}:${observation.committedIds[index]}`),
    commitTerms: observation.committedTerms.map((_, index) => observation.commitTermOf(index)),
    revealed: observation.nodes.map((mirror) => observation.termRevealed(mirror.id)),
    mirrors: observation.nodes.map((mirror) => ({ up: mirror.up, role: mirror.role, term: mirror.term, commitIndex: mirror.commitIndex, log: mirror.prefixHashes[mirror.lastIndex], applied: mirror.lastAppliedSeen })),
  };
}

/** The first violation of the path `picks` chooses, as the explorer sees it, the path, and the observation at its end. */
function explored(implementation: Implementation, picks: readonly number[], spares: number) {
  const explorer = system(implementation, true, spares);
  let world: World = explorer.initial().world;
  const steps = [];
  let violation: string | null = null;
  for (const [index, pick] of picks.entries()) {
    const choices = explorer.choices(world);
    if (choices.length === 0) break;
    // A sibling first: it shares the parent's judgement and node states, and must change neither.
    const parent = observed(explorer.judgeOf(world).observation);
    explorer.apply(world, choices[(pick + 1) % choices.length]);
    const choice = choices[pick % choices.length];
    steps.push(explorer.describe(world, choice));
    const transition = explorer.apply(world, choice);
    expect(observed(explorer.judgeOf(world).observation)).toEqual(parent);
    if (transition.implementationError !== null) violation = `error at step ${index + 1}`;
    else if (transition.violation !== null) violation = `${transition.violation.invariant} at step ${index + 1}`;
    if (violation !== null) break;
    world = transition.world;
  }
  return { violation, steps, observation: violation === null ? observed(explorer.judgeOf(world).observation) : null };
}

/** The same steps, replayed, with the simulator's judge watching: its first violation and its observation. */
function simulated(implementation: Implementation, steps: ReturnType<typeof explored>['steps'], spares: number) {
  const replay = system(implementation, false, spares);
  const judging = new SimulatorJudging(replay.members);
  let world = replay.initial(judging).world;
  for (const step of steps) {
    judging.step += 1;
    const choice = replay.choiceOf(world, step);
    if (choice === null) throw new Error(`step ${judging.step} does not replay`);
    const transition = replay.apply(world, choice, judging, judging.step);
    if (transition.implementationError !== null) return { violation: `error at step ${judging.step}`, steps, observation: null };
    // A broken promise is the step's violation before any the invariants find, as the simulator reports it.
    if (transition.violation?.invariant === durabilityInvariant) return { violation: `${durabilityInvariant} at step ${judging.step}`, steps, observation: null };
    if (judging.violation !== null) return { violation: judging.violation, steps, observation: null };
    world = transition.world;
  }
  return { violation: null, steps, observation: observed(judging.judge.observation) };
}

const subjects = [null, ...bugCatalog.map((bug) => bug.name)];

describe('the explorer and the simulator judge a step path alike', () => {
  for (const bug of subjects) {
    it(`names the same first violation, or none, on random paths of ${bug ?? 'the correct reference'}`, () => {
      const implementation = referenceImplementation(bugsFromNames(bug === null ? [] : [bug]));
      fc.assert(
        fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 30 }), (picks) => {
          const explorer = explored(implementation, picks, 0);
          expect(simulated(implementation, explorer.steps, 0)).toEqual(explorer);
        }),
        { numRuns: 60, seed: 4242 },
      );
    });

    it(`names the same first violation, or none, on random paths with membership steps of ${bug ?? 'the correct reference'}`, () => {
      const implementation = referenceImplementation(bugsFromNames(bug === null ? [] : [bug]));
      fc.assert(
        fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 8, maxLength: 30 }), (picks) => {
          const explorer = explored(implementation, picks, 1);
          expect(simulated(implementation, explorer.steps, 1)).toEqual(explorer);
        }),
        { numRuns: 30, seed: 4242 },
      );
    });
  }

  it('takes membership steps on such paths (the comparison covers them)', () => {
    const samples = fc.sample(fc.array(fc.nat({ max: 1000 }), { minLength: 8, maxLength: 30 }), { numRuns: 30, seed: 4242 });
    const changed = samples.filter((picks) => explored(referenceImplementation(), picks, 1).steps.some((step) => step.kind === 'changeMembership'));
    expect(changed.length).toBeGreaterThan(3);
  });

  it('merges worlds only where every later verdict agrees: a breadth-first search of the correct reference finds nothing', () => {
    // Depth 13 at the command's bounds is where merging two worlds whose checkers kept different
    // counts (applied indexes, before they were digested) first made a false alarm.
    const result = explore({
      implementation: referenceImplementation(),
      nodes,
      strategy: 'bfs',
      bounds: { ...defaultExploreBounds, depthMax: 13 },
      implementationOptions: exploreImplementationOptions,
      symmetry: true,
      clone: true,
      seed: 1,
      walksMax: 0,
      pctDepth: 3,
    });
    expect(result.violation).toBeNull();
    expect(result.stoppedBy).toBe('exhausted');
  });

  it('sees broken promises on such paths (the probes are compared too)', () => {
    const implementation = referenceImplementation(bugsFromNames(['log-not-persisted']));
    const found = fc.sample(fc.array(fc.nat({ max: 1000 }), { minLength: 8, maxLength: 16 }), { numRuns: 60, seed: 4242 }).map((picks) => explored(implementation, picks, 0).violation);
    expect(found.filter((violation) => violation?.startsWith(durabilityInvariant)).length).toBeGreaterThan(0);
  });

  it('sees violations on such paths at all (the comparison is not between two silences)', () => {
    const implementation = referenceImplementation(bugsFromNames(['term-rollback']));
    const found = fc.sample(fc.array(fc.nat({ max: 1000 }), { minLength: 8, maxLength: 16 }), { numRuns: 60, seed: 4242 }).map((picks) => explored(implementation, picks, 0).violation);
    expect(found.filter((violation) => violation !== null).length).toBeGreaterThan(0);
  });
});
