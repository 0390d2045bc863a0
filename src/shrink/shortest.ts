// The last pass of the step stage: a breadth-first search from the initial state for a path
// shorter than the best one that fails the same way. ddmin only takes steps out, so it cannot
// reach a path of another shape: term-rollback found as "n2 wins an election, n3 times out,
// n2's append rolls n3 back" (5 steps) has a 4-step form in which n3 times out twice and a
// plain vote request rolls it back. A search over every choice finds that form, and is cheap
// while the depth is small; the search is kept near the failure found (no more crashes,
// proposals, reorders, messages in flight or terms than its path used), and bounded by states
// and by the shrink's own budget, so it only ever adds a pass that may help.
//
// Each state the search reaches is judged as the step stage judges candidates: by the real
// invariants through the path's replay (src/shrink/paths.ts). When the failure is one a step's
// judgement finds, the system's own judgement of each transition picks the states worth that
// replay.

import type { InvariantDefinition } from '../../invariants/types.js';
import type { Implementation, ImplementationOptions } from '../contract/contract.js';
import type { ExploreStep, PathBounds, World } from '../world/system.js';
import { TransitionSystem } from '../world/system.js';

export interface ShortestOptions {
  implementation: Implementation;
  invariants: readonly InvariantDefinition[];
  nodes: number;
  /** Feature 'membership': spares after the members (absent: none). */
  spares?: number;
  implementationOptions: ImplementationOptions;
  /** Durability probes on every node step (absent: off). */
  durabilityProbes?: boolean;
  bounds: PathBounds;
  /** Paths of at most this many steps. */
  depthMax: number;
  /** Distinct states before the search gives up (a deterministic bound). */
  statesMax: number;
  /** Asked before every transition: true ends the search (the caller's run or time budget). */
  stop: () => boolean;
  /**
   * The failure's invariants, when a step's judgement finds it (not the clients' history or the
   * end-of-run audit): then only states where one of them fires are judged. Null: every state is.
   */
  stepInvariants: readonly string[] | null;
  /** Judges a path by replaying it through the invariants. */
  judge: (steps: ExploreStep[]) => Verdict;
}

/** "other": it fails, but not the same way (a state past it only fails that way again). */
export type Verdict = 'same' | 'other' | 'passes';

interface Reached {
  world: World;
  parent: number;
  step: ExploreStep | null;
}

/** The first shortest path (in the system's choice order) that fails the same way, or null. */
export function shortestFailingPath(options: ShortestOptions): ExploreStep[] | null {
  const system = new TransitionSystem({
    ...options.bounds,
    implementation: options.implementation,
    invariants: options.invariants,
    nodes: options.nodes,
    spares: options.spares,
    implementationOptions: options.implementationOptions,
    durabilityProbes: options.durabilityProbes === true,
    symmetry: false,
    clone: true,
  });
  try {
    return searchIn(system, options);
  } finally {
    system.dispose();
  }
}

function searchIn(system: TransitionSystem, options: ShortestOptions): ExploreStep[] | null {
  const initial = system.initial();
  if (initial.implementationError !== null || initial.violation !== null) return null;
  const reached: Reached[] = [{ world: initial.world, parent: -1, step: null }];
  const seen = new Set<string>([fingerprintKey(system, initial.world)]);
  const pathTo = (index: number, last: ExploreStep): ExploreStep[] => {
    const steps = [last];
    for (let at = index; reached[at].step !== null; at = reached[at].parent) steps.push(reached[at].step!);
    return steps.reverse();
  };

  let frontier = [0];
  for (let depth = 1; depth <= options.depthMax && frontier.length > 0; depth += 1) {
    const next: number[] = [];
    for (const index of frontier) {
      const world = reached[index].world;
      for (const choice of system.choices(world)) {
        if (seen.size >= options.statesMax || options.stop()) return null;
        const transition = system.apply(world, choice);
        if (transition.pruned !== null) continue;
        const key = fingerprintKey(system, transition.world);
        if (seen.has(key)) continue;
        seen.add(key);
        const step = system.describe(world, choice);
        let ended = transition.violation !== null || transition.implementationError !== null;
        const judged = options.stepInvariants === null || options.stepInvariants.includes(transition.violation?.invariant ?? '');
        if (judged || transition.implementationError !== null) {
          const steps = pathTo(index, step);
          const verdict = options.judge(steps);
          if (verdict === 'same') return steps;
          ended ||= verdict === 'other';
        }
        if (ended) continue;
        reached.push({ world: transition.world, parent: index, step });
        next.push(reached.length - 1);
      }
    }
    frontier = next;
  }
  return null;
}

function fingerprintKey(system: TransitionSystem, world: World): string {
  const fingerprint = system.fingerprint(world);
  return `${fingerprint.high}:${fingerprint.low}`;
}
