// The removed-node assumption of membership churn (feature 'membership'), as the simulator keeps
// it: a scenario may let a removed node keep running (MembershipOptions.removed 'keep'), and one
// that never learns of its removal campaigns at every timeout. etcd's raft and raft-rs ignore its
// vote requests only with check-quorum (etcd: or pre-vote) on, so they declare those options as
// the guard they need (Implementation.removedNodeGuards), and a correct one is judged only with a
// guard on. A fixed scenario that keeps removed nodes without one needs unsafeFaults; a violation
// there is reported as the assumption broken (src/report/console.ts), not as a bug. The leases'
// clock assumption is kept the same way (src/sim/leases.ts).

import type { Implementation, RemovedNodeGuard } from '../contract/contract.js';
import type { SchemaError } from '../core/schema.js';
import type { Scenario } from './scenario.js';

type Declared = Pick<Implementation, 'features' | 'removedNodeGuards'>;

/**
 * The guards a run must switch on, one at least: the implementation's declared ones, where the
 * run hands it membership churn that keeps removed nodes running, none of them is on, and the
 * scenario does not allow unsafe faults; empty otherwise.
 */
function guardsMissing(scenario: Scenario, implementation: Declared): readonly RemovedNodeGuard[] {
  const guards = implementation.removedNodeGuards ?? [];
  if (guards.length === 0 || scenario.unsafeFaults || scenario.membership?.removed !== 'keep') return [];
  if (!(implementation.features ?? []).includes('membership')) return [];
  return guards.some((guard) => scenario.implementation[guard] === true) ? [] : guards;
}

/** A fixed scenario that keeps removed nodes running without a guard the implementation needs: the field, and why. */
export function removedNodeAssumptionProblems(scenario: Scenario, implementation: Declared): SchemaError[] {
  if (scenario.swarm) return [];
  const guards = guardsMissing(scenario, implementation);
  if (guards.length === 0) return [];
  const options = guards.map((guard) => `"implementation": {"${guard}": true}`).join(' or ');
  const message = `"keep" leaves removed nodes running, which the implementation survives only with one of ${guards.join(', ')} on (its removedNodeGuards): set ${options}, "removed": "wipe", or "unsafeFaults": true to ask for it`;
  return [{ path: 'membership.removed', message }];
}

/**
 * A swarm seed that drew membership churn keeping removed nodes running, without unsafe faults,
 * for an implementation that needs a guard and drew none: the first guard it declares (and
 * supports) switched on; its removed nodes wiped instead where it supports none. Takes no draw,
 * so nothing moves for an implementation that declares no guard.
 */
export function keepWithinRemovedNodeAssumption(scenario: Scenario, implementation: Declared): void {
  const guards = guardsMissing(scenario, implementation);
  if (guards.length === 0) return;
  const supported = guards.find((guard) => (implementation.features ?? []).includes(guard));
  if (supported !== undefined) scenario.implementation[supported] = true;
  else scenario.membership = { ...scenario.membership!, removed: 'wipe' };
}
