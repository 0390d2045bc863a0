// What a message of a node with asynchronous storage writes (feature 'asyncStorageWrites') says of
// its term, for every driver and the durability probes. Such a node hands its new term and vote to
// its local append thread and sends some messages before that work is done: its vote requests and
// its heartbeat answers (etcd's AsyncStorageWrites holds back only vote answers and append
// answers until its storage work is done, and a leader's term is durable before it leads, as its
// own vote counts only once written). Those reveal and promise no term; an answer promises the term
// it carries, no more, as the node may have moved on in memory by the time it leaves.

import type { Implementation, ImplementationOptions, Message, MessageView } from '../contract/contract.js';
import { implementationOptionsFor } from './step.js';

/** Whether `implementation`'s nodes run with asynchronous storage writes under `options`. */
export function asyncStorageWritesOn(implementation: Implementation, options: ImplementationOptions): boolean {
  return implementationOptionsFor(implementation, options).asyncStorageWrites === true;
}

/**
 * The term a message of a node in `senderTerm` reveals and promises (0: none). Without
 * asynchronous storage writes, the sender's term; with them, as the module comment says.
 */
export function termPromisedBy(view: MessageView | null, senderTerm: number, asyncStorageWrites: boolean): number {
  if (!asyncStorageWrites) return senderTerm;
  if (view === null || view.kind === 'voteRequest' || view.kind === 'heartbeatResponse') return 0;
  if (view.kind === 'voteResponse') return view.preVote === true ? 0 : Math.min(senderTerm, view.term);
  return Math.min(senderTerm, view.term);
}

/**
 * The term a message a node sent in `senderTerm` reveals to its receiver, for the simulator and the
 * explorer alike: the sender's term, unless asynchronous storage writes are on (only then is the
 * message decoded, off the hot path of every other run).
 */
export function termRevealedBy(message: Message, senderTerm: number, asyncStorageWrites: boolean, messageView: (message: Message) => MessageView | null): number {
  return asyncStorageWrites ? termPromisedBy(messageView(message), senderTerm, true) : senderTerm;
}
