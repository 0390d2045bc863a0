// The clock assumption of lease reads (feature 'leaseReads', thesis 6.4.1), as the simulator keeps
// it: an implementation that serves reads from a lease declares the drift its leases assume
// (Implementation.leaseDriftMax), and a correct one is judged only within it. A tick-driven
// node's clock is its ticks, so every fault that makes them run outside the bound breaks the
// assumption: drift past it, clock jumps, pauses (the ticks a paused node misses are lost) and
// slowed ticks. A scenario may ask for those only with unsafeFaults; a violation there is
// reported as the assumption broken (src/report/console.ts), not as a bug.

import type { Implementation } from '../contract/contract.js';
import type { SchemaError } from '../core/schema.js';
import type { Scenario } from './scenario.js';

/** Are lease reads on in this run: asked for by the scenario and supported by the implementation? */
export function leaseReadsHanded(scenario: Scenario, implementation: Pick<Implementation, 'features'>): boolean {
  return scenario.implementation.leaseReads === true && (implementation.features ?? []).includes('leaseReads');
}

/**
 * The clock faults of a scenario that go past the drift an implementation's leases assume, when
 * the run hands it lease reads and the scenario does not allow unsafe faults; empty otherwise.
 */
export function leaseAssumptionProblems(scenario: Scenario, implementation: Pick<Implementation, 'features' | 'leaseDriftMax'>): SchemaError[] {
  if (scenario.unsafeFaults || scenario.swarm || !leaseReadsHanded(scenario, implementation)) return [];
  const driftMax = implementation.leaseDriftMax ?? 0;
  const why = `breaks the clock assumption of the implementation's lease reads (drift within ${driftMax}, no jumps, pauses or slowed ticks): set "unsafeFaults": true to ask for it`;
  const problems: SchemaError[] = [];
  if (scenario.clocks.driftMax > driftMax) problems.push({ path: 'clocks.driftMax', message: `${scenario.clocks.driftMax} ${why}` });
  if (scenario.clocks.jumpsPerSecond > 0) problems.push({ path: 'clocks.jumpsPerSecond', message: why });
  if (scenario.faults.pause.perSecond > 0) problems.push({ path: 'faults.pause.perSecond', message: why });
  if (scenario.faults.slow.perSecond > 0) problems.push({ path: 'faults.slow.perSecond', message: why });
  scenario.schedule.forEach((fault, index) => {
    if (fault.action === 'clock-jump' || fault.action === 'pause' || fault.action === 'slow') problems.push({ path: `schedule[${index}].action`, message: `${fault.action} ${why}` });
  });
  return problems;
}

/**
 * A swarm seed that drew lease reads, without unsafe faults: its clock faults brought within the
 * drift the implementation declares (drift clamped; jumps, pauses and slowed ticks off).
 */
export function keepWithinLeaseAssumption(scenario: Scenario, driftMax: number): void {
  if (scenario.unsafeFaults) return;
  scenario.clocks.driftMax = Math.min(scenario.clocks.driftMax, driftMax);
  scenario.clocks.jumpsPerSecond = 0;
  scenario.faults.pause.perSecond = 0;
  scenario.faults.slow.perSecond = 0;
}
