// What an administrator process of the simulator (membership churn, src/sim/membership.ts;
// leadership transfers, src/sim/transfers.ts) sees of the world: the time, the observation, who
// is up, and the means to schedule its next request and note what it did. Each administrator's
// world adds the one request it makes.

import type { NodeId } from '../core/ids.js';
import type { ClusterObservation } from '../world/observation.js';
import type { EventBody } from './events.js';

export interface AdminWorld {
  readonly nowMs: number;
  readonly observation: ClusterObservation;
  isUp(node: NodeId): boolean;
  isPaused(node: NodeId): boolean;
  newCommandId(): number;
  schedule(timeMs: number, body: EventBody): void;
  note(text: string): void;
}
