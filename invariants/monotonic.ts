// The shared shape of "a node's counter never goes backward within one incarnation": the
// monotonic term, commit index and applied index invariants differ only in the field and in
// what a restart may do to it.

import type { NodeId } from '../src/core/ids.js';
import type { InvariantChecker, InvariantDefinition } from './types.js';
import type { ObservedNode, StepChange } from '../src/contract/observation.js';
import { violation } from './support.js';

export interface MonotonicField {
  name: string;
  description: string;
  /** Noun for messages: "term", "commit index". */
  noun: string;
  current(mirror: ObservedNode): number;
  previous(change: StepChange): number;
  /** The least value a freshly started incarnation may show (its durable floor), or null for no floor. */
  floorAfterStart?(mirror: ObservedNode, highestBeforeCrash: number): { floor: number; why: string } | null;
}

export function monotonicInvariant(field: MonotonicField): InvariantDefinition {
  return {
    name: field.name,
    kind: 'safety',
    description: field.description,
    create(): InvariantChecker {
      /** Highest value seen per node in its current incarnation, for the floor and the audit. */
      const highest = new Map<NodeId, { incarnation: number; value: number }>();
      /** Nodes that started without a view: their first view is the start of the incarnation. */
      const awaitingFirstView = new Set<NodeId>();
      return {
        name: field.name,
        afterStep({ change, cluster }) {
          const mirror = cluster.mirror(change.node);
          if (change.started && !change.hasView) {
            awaitingFirstView.add(change.node);
            return null;
          }
          if (!mirror.hasView || !change.hasView) return null;
          const value = field.current(mirror);
          const known = highest.get(change.node);
          const firstViewOfIncarnation = change.started || awaitingFirstView.delete(change.node);
          if (firstViewOfIncarnation) {
            const floor = field.floorAfterStart?.(mirror, known?.value ?? 0) ?? null;
            highest.set(change.node, { incarnation: mirror.incarnation, value });
            if (floor !== null && value < floor.floor) {
              return violation({
                invariant: field.name,
                message: `n${change.node} restarted with ${field.noun} ${value}, below ${floor.floor} (${floor.why})`,
                nodes: [change.node],
                eventNumber: change.eventNumber,
                timeMs: change.timeMs,
                evidence: { [field.noun]: value, floor: floor.floor, reason: floor.why },
              });
            }
            return null;
          }
          const before = field.previous(change);
          if (value < before) {
            return violation({
              invariant: field.name,
              message: `n${change.node}'s ${field.noun} went back from ${before} to ${value}`,
              nodes: [change.node],
              eventNumber: change.eventNumber,
              timeMs: change.timeMs,
              evidence: { before, after: value },
            });
          }
          if (known === undefined || known.incarnation !== mirror.incarnation || value > known.value) {
            highest.set(change.node, { incarnation: mirror.incarnation, value });
          }
          return null;
        },
        audit(cluster, eventNumber, timeMs) {
          for (const [node, known] of highest) {
            const mirror = cluster.mirror(node);
            if (!mirror.up || mirror.incarnation !== known.incarnation) continue;
            if (field.current(mirror) >= known.value) continue;
            return violation({
              invariant: field.name,
              message: `audit: n${node}'s ${field.noun} is ${field.current(mirror)}, below the ${known.value} it reached`,
              nodes: [node],
              eventNumber,
              timeMs,
              evidence: { highest: known.value, now: field.current(mirror) },
            });
          }
          return null;
        },
      };
    },
  };
}
