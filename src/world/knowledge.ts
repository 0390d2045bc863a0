// What the explorer knows about an implementation beyond the contract: how to digest a node, a
// message and a durable record for world fingerprints, whether node ids may be permuted
// (symmetry reduction), and how to compact durable records without changing what a restart
// rebuilds.
//
// The contract makes messages, records and node internals opaque. An implementation may offer
// more through the contract's optional exploration hook (Implementation.exploration; the
// reference does, from src/raft/exploration.ts): then the explorer takes its digests and its fold
// of records, and symmetry as the hook says. Without one, the explorer digests messages and
// records as JSON, a node by its stateDigest() (or, without one, by the inputs it was handed
// since its start: a deterministic node fed the same inputs is in the same state), and keeps
// symmetry off: ids inside opaque bodies cannot be renamed.

import type { DurableRecord, ExplorationHook, Implementation, Message, NodeInstance } from '../contract/contract.js';
import type { Lanes } from './lanes.js';
import { createInstance } from './step.js';

/**
 * The hook's functions as the explorer calls them, with what an opaque implementation needs
 * besides: its node digest falls back on the inputs, and its digests write strings.
 */
export interface ImplementationKnowledge extends Omit<ExplorationHook, 'digestNode' | 'digestMessage' | 'digestRecord'> {
  /** Node digests read the instance's internals, not only its stateDigest (a live instance is needed). */
  readonly readsInternals: boolean;
  digestNode(instance: NodeInstance, inputDigest: readonly [number, number], lanes: Lanes): void;
  digestMessage(message: Message, lanes: Lanes): void;
  digestRecord(record: DurableRecord, lanes: Lanes): void;
}

export function knowledgeOf(implementation: Implementation): ImplementationKnowledge {
  const hook = implementation.exploration;
  return hook === undefined ? opaqueKnowledge : hookKnowledge(hook);
}

/** An opaque implementation without stateDigest: nodes are told apart by their inputs since start. */
export function knowledgeNeedsInputs(knowledge: ImplementationKnowledge, implementation: Implementation): boolean {
  if (knowledge !== opaqueKnowledge) return false;
  const probe = createInstance(implementation).instance;
  probe?.dispose?.();
  return probe?.stateDigest === undefined;
}

const ignoreIds = () => undefined;

const opaqueKnowledge: ImplementationKnowledge = {
  symmetric: false,
  symmetryNote: 'off: the implementation is opaque, so node ids inside its messages, records and state cannot be renamed',
  readsInternals: false,
  digestNode(instance, inputDigest, lanes) {
    const digest = instance.stateDigest?.();
    if (digest !== undefined) lanes.string(digest);
    else lanes.number(inputDigest[0]).number(inputDigest[1]);
  },
  digestNodeIds: ignoreIds,
  digestMessage(message, lanes) {
    lanes.string(JSON.stringify(message));
  },
  digestMessageIds: ignoreIds,
  digestRecord(record, lanes) {
    lanes.string(JSON.stringify(record));
  },
  digestRecordIds: ignoreIds,
  compact: (records) => records,
};

/** What a hook offers; its node digests read the instance the implementation made (a live one). */
function hookKnowledge(hook: ExplorationHook): ImplementationKnowledge {
  return {
    symmetric: hook.symmetric,
    symmetryNote: hook.symmetryNote,
    readsInternals: true,
    digestNode: (instance, _inputDigest, lanes) => hook.digestNode(instance, lanes),
    digestNodeIds: (instance, rename, lanes) => hook.digestNodeIds(instance, rename, lanes),
    digestMessage: (message, lanes) => hook.digestMessage(message, lanes),
    digestMessageIds: (message, rename, lanes) => hook.digestMessageIds(message, rename, lanes),
    digestRecord: (record, lanes) => hook.digestRecord(record, lanes),
    digestRecordIds: (record, rename, lanes) => hook.digestRecordIds(record, rename, lanes),
    compact: (records) => hook.compact(records),
  };
}
