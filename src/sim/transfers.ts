// Leadership transfers in the simulator (feature 'leadershipTransfer'): an administrator that, at
// random times drawn from a stream of its own ('transfers'), asks the node it believes leads to
// hand its leadership to a voter (thesis 3.10): one drawn at random, or the one whose log is
// furthest behind. A high rate makes transfer storms (a transfer asked while the last is still
// running); the fault processes make transfers during partitions (a target cut off cannot catch
// up, and the transfer is abandoned). It follows notLeader hints a few times and never retries a
// rejected transfer: the next one comes soon enough.
//
// It knows the cluster only as the harness does, from the nodes' views. It runs in the fault
// phase only; the liveness phase then needs a stable leader as always.

import type { LeadershipTransfer, ProposalAnswer } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import { nodeName } from '../core/ids.js';
import type { Random } from '../core/random.js';
import type { AdminWorld } from './admin.js';
import type { SimEvent } from './events.js';
import type { TransferOptions } from './scenario.js';

const stream = 'transfers';
/** Redirects of one request along notLeader hints before it is dropped. */
const redirectsMax = 3;

/** What the administrator needs of the simulated world. */
export interface TransferWorld extends AdminWorld {
  /** The nodes in the run (those membership churn has not wiped). */
  readonly members: readonly NodeId[];
  /** Hands a transfer to a node; its answer to it (null: none). */
  transferLeadership(node: NodeId, transfer: LeadershipTransfer): ProposalAnswer | null;
}

export type TransferRequest = SimEvent & { kind: 'transferRequest' };

export class TransferAdmin {
  private active = true;

  constructor(
    private readonly options: TransferOptions,
    private readonly random: Random,
  ) {}

  /** The first transfer comes after a drawn wait. */
  start(world: TransferWorld): void {
    world.schedule(world.nowMs + this.nextWaitMs(), { kind: 'transferClock' });
  }

  /** The faults stop: no more transfers; requests still travelling are dropped. */
  stop(): void {
    this.active = false;
  }

  onClock(world: TransferWorld): void {
    if (!this.active) return;
    world.schedule(world.nowMs + this.nextWaitMs(), { kind: 'transferClock' });
    const leader = this.believedLeader(world);
    if (leader === null) return world.note('no leader to ask');
    const target = this.drawTarget(world, leader);
    if (target === null) return world.note('no voter to hand leadership to');
    const transfer: LeadershipTransfer = { id: world.newCommandId(), target };
    world.schedule(world.nowMs, { kind: 'transferRequest', node: leader, transfer, redirects: 0 });
  }

  onRequest(world: TransferWorld, event: TransferRequest): void {
    if (!this.active) return world.note('dropped: the faults are over');
    if (!world.isUp(event.node) || world.isPaused(event.node)) return world.note('lost: node down');
    const answer = world.transferLeadership(event.node, event.transfer);
    if (answer === null) return;
    if (answer.kind === 'transferAccepted') return world.note(`accepted in term ${answer.term}`);
    if (answer.kind === 'notLeader' && answer.leaderHint !== null && answer.leaderHint !== event.node && event.redirects < redirectsMax) {
      world.note(`not leader, redirected to ${nodeName(answer.leaderHint)}`);
      return world.schedule(world.nowMs + 1, { ...event, node: answer.leaderHint, redirects: event.redirects + 1 });
    }
    world.note(answer.kind === 'rejected' ? `rejected (${answer.reason})` : 'not leader');
  }

  /** The up leader of the highest term. */
  private believedLeader(world: TransferWorld): NodeId | null {
    let best: NodeId | null = null;
    for (const node of world.members) {
      const mirror = world.observation.mirror(node);
      if (!world.isUp(node) || mirror.role !== 'leader') continue;
      if (best === null || mirror.term > world.observation.mirror(best).term) best = node;
    }
    return best;
  }

  /**
   * A voter of the leader's configuration other than itself (every node in the run, without
   * membership views): drawn, or the one with the shortest log (drawn among equals). The draw is
   * taken either way, so both targets take the same choices.
   */
  private drawTarget(world: TransferWorld, leader: NodeId): NodeId | null {
    const configuration = world.observation.mirror(leader).configuration?.latest ?? null;
    const voters = configuration === null ? world.members : [...configuration.voters, ...configuration.votersOutgoing];
    const candidates = [...new Set(voters)].filter((node) => node !== leader).sort((a, b) => a - b);
    if (candidates.length === 0) return null;
    const drawn = candidates[this.random.index(stream, candidates.length)];
    if (this.options.target === 'any') return drawn;
    const lengthOf = (node: NodeId) => world.observation.mirror(node).lastIndex;
    const shortest = Math.min(...candidates.map(lengthOf));
    return lengthOf(drawn) === shortest ? drawn : candidates.find((node) => lengthOf(node) === shortest)!;
  }

  private nextWaitMs(): number {
    const meanMs = 1000 / Math.max(this.options.perSecond, 0.001);
    const unit = this.random.unit(stream);
    return Math.max(1, Math.round(-Math.log(Math.max(unit, 1e-9)) * meanMs));
  }
}
