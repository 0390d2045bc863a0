// Durability probes on a replayed step path, as the simulator runs them on its events
// (src/sim/probes.ts): after each step, every output of it that sends messages has its promises
// checked against a shadow started over the records durable as those messages leave. A path's
// storage has no sync latency (src/world/system.ts): an output with a sync leaves with everything
// written durable, one without leaves with what earlier syncs covered. So a failure the simulator
// found by a probe (durable-promise) is one a lifted path shows too, and the step stage shrinks it.

import type { Implementation, Output } from '../contract/contract.js';
import type { ObservedNode, Violation } from '../contract/observation.js';
import type { NodeId } from '../core/ids.js';
import { DurabilityProbes } from '../sim/probes.js';
import type { ExploreStep, TransitionSystem, World } from '../world/system.js';

/** One output a step made, with the node's mirror after it (src/world/system.ts StepObserver.stepped). */
export interface SteppedOutput {
  node: NodeId;
  output: Output;
  mirror: ObservedNode;
}

/** The probes of one replay: each replay starts from a fresh world, so it gets a fresh PathProbes. */
export class PathProbes {
  private readonly probes: DurabilityProbes;
  /** Starts of each node so far (its restarts and its join): the probes tell incarnations apart. */
  private readonly incarnations = new Map<NodeId, number>();

  constructor(
    implementation: Implementation,
    private readonly system: TransitionSystem,
  ) {
    this.probes = new DurabilityProbes(implementation);
  }

  /** After step number `stepNumber` led to `world`: the first promise among its outputs that a crash would break. */
  check(step: ExploreStep, outputs: readonly SteppedOutput[], world: World, stepNumber: number): Violation | null {
    if (step.kind === 'restart' || step.kind === 'join') this.incarnations.set(step.node, (this.incarnations.get(step.node) ?? 0) + 1);
    for (const { node, output, mirror } of outputs) {
      const state = world.nodes[node - 1];
      if (output.messages.length === 0 || state === undefined) continue;
      const violation = this.probes.check({
        id: node,
        incarnation: this.incarnations.get(node) ?? 0,
        output,
        durable: state.synced,
        allDurable: state.unsynced.length === 0,
        start: (records) => this.system.startInput(node, records),
        mirror,
        eventNumber: stepNumber,
        timeMs: stepNumber,
      });
      if (violation !== null) return violation;
    }
    return null;
  }
}
