// Membership churn in the simulator (feature 'membership'): an administrator that, at random
// times drawn from a stream of its own ('membership'), asks the node it believes leads to change
// the membership: add a spare as a learner or a voter (starting it as a brand-new, empty node),
// promote a learner, remove a voter (the leader too) or a learner, or replace a voter through a
// joint configuration of two steps. It follows notLeader hints, tries a rejected change again a
// little later, and once a removal is committed either stops the removed node and wipes its
// storage, or lets it run on, cut off from the new configuration (scenario option `removed`).
//
// With partitionAfterChangeProbability, a change a leader accepts may leave it cut off on a
// minority at once (drawn on a stream of its own), so that the change stays there while the
// majority elects another leader.
//
// It knows the cluster only as the harness does: from the nodes' configuration views. It asks for
// changes in the fault phase only; in the liveness phase it only retires the nodes whose removal,
// accepted before, commits late, and the liveness phase judges the final configuration.

import type { Configuration, MembershipChange, MembershipStep, ProposalAnswer } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import { nodeName } from '../core/ids.js';
import type { Random } from '../core/random.js';
import type { ClusterObservation } from '../world/observation.js';
import type { AdminWorld } from './admin.js';
import type { SimEvent } from './events.js';
import type { MembershipOptions, MillisecondRange } from './scenario.js';
import { drawLeaderCutOff } from './partitions.js';
import { configurationMembers, jointReplacement, latestCommitted, singleServerChanges, spareIds, votersMinOf } from '../world/membership.js';

const stream = 'membership';
const electionStream = 'membership/elections';
const partitionStream = 'membership/partitions';
/** Redirects of one request along notLeader hints, and tries of a rejected one, before it is dropped. */
const redirectsMax = 3;
const retriesMax = 3;

/** What the administrator needs of the simulated world. */
export interface MembershipWorld extends AdminWorld {
  /** Starts a spare as a brand-new node that joins (start with members []). */
  startSpare(node: NodeId): void;
  /** Stops a removed node for good and wipes its storage. */
  wipe(node: NodeId): void;
  /** Hands a change to a node; its answer to it (null: none). */
  changeMembership(node: NodeId, change: MembershipChange): ProposalAnswer | null;
}

export type MembershipRequest = SimEvent & { kind: 'membershipRequest' };

export class MembershipAdmin {
  /** Spares started so far; a spare is started once. */
  private readonly joined = new Set<NodeId>();
  /** Nodes whose removal a leader accepted, until it is seen committed. */
  private readonly removing = new Set<NodeId>();
  /** Nodes a leader accepted to remove: never added again (a wiped node must not come back). */
  private readonly removedOnce = new Set<NodeId>();
  private inFlight = false;
  private active = true;
  /** After the faults stop: when the clock that retires late removals fires next (-1: none). */
  private retireClockAtMs = -1;
  private inRun: readonly NodeId[];

  constructor(
    private readonly options: MembershipOptions,
    private readonly initialMembers: readonly NodeId[],
    private readonly random: Random,
    private readonly retryDelayMs: number,
    private readonly partitionDurationMs: MillisecondRange,
  ) {
    this.inRun = initialMembers;
  }

  /** The spares' ids: after the initial members. */
  get spares(): NodeId[] {
    return spareIds(this.initialMembers.length, this.options.spares);
  }

  /** Every node that has been started and not wiped: the nodes faults, clients and restarts reach. */
  get nodesInRun(): readonly NodeId[] {
    return this.inRun;
  }

  isInitialMember(node: NodeId): boolean {
    return node <= this.initialMembers.length;
  }

  /** The first change comes after a drawn wait. */
  start(world: MembershipWorld): void {
    world.schedule(world.nowMs + this.nextWaitMs(), { kind: 'membershipClock' });
  }

  /**
   * The faults stop: no more changes; requests still travelling are dropped. A removal accepted
   * before may commit only now: the clock that retires it starts at once (retireAfterFaults), not
   * when the clock drawn during the faults would have come, which may be seconds away.
   */
  stop(world: MembershipWorld): void {
    this.active = false;
    if (this.removing.size > 0) this.scheduleRetireClock(world);
  }

  onClock(world: MembershipWorld): void {
    if (!this.active) return this.retireAfterFaults(world);
    world.schedule(world.nowMs + this.nextWaitMs(), { kind: 'membershipClock' });
    this.change(world);
  }

  /**
   * After the faults stop no change is asked for, but a removal accepted before may commit only
   * now: its node is still stopped and wiped (or left running) once it does, as during the faults,
   * so that a `wipe` scenario never leaves a removed node running into the liveness phase. The
   * clock goes on, at the retry delay (no draw), only while such a removal is pending; the clock
   * drawn during the faults, when it comes, retires what it can and goes no further.
   */
  private retireAfterFaults(world: MembershipWorld): void {
    this.retireRemoved(world);
    if (world.nowMs !== this.retireClockAtMs) return;
    if (this.removing.size > 0) this.scheduleRetireClock(world);
  }

  private scheduleRetireClock(world: MembershipWorld): void {
    this.retireClockAtMs = world.nowMs + this.retryDelayMs;
    world.schedule(this.retireClockAtMs, { kind: 'membershipClock' });
  }

  /**
   * A node just became leader: with afterElectionProbability (drawn on a stream of its own, and
   * only when the option is set, so other draws do not shift), a change at once, as tooling that
   * retries against a new leader makes it, before the leader has committed anything of its term.
   */
  onElection(world: MembershipWorld): void {
    const probability = this.options.afterElectionProbability ?? 0;
    if (!this.active || probability <= 0 || !this.random.chance(electionStream, probability)) return;
    world.schedule(world.nowMs, { kind: 'membershipClock', afterElection: true });
  }

  /** The change onElection asked for, as an event of its own (not inside the leader's step). */
  onElectionClock(world: MembershipWorld): void {
    if (!this.active) return;
    world.note('a new leader: a change at once');
    this.change(world);
  }

  /** One change to the believed leader's latest configuration, unless one is in flight. */
  private change(world: MembershipWorld): void {
    this.retireRemoved(world);
    if (this.inFlight) return world.note('a change is still in flight');
    const leader = this.believedLeader(world);
    if (leader === null) return world.note('no leader to ask');
    const latest = world.observation.mirror(leader).configuration!.latest;
    const steps = this.drawSteps(latest, leader);
    if (steps === null) return world.note('no change to make');
    for (const step of steps) if (this.isSpare(step.node) && !this.joined.has(step.node)) this.join(world, step.node);
    this.inFlight = true;
    const change: MembershipChange = { id: world.newCommandId(), steps };
    world.schedule(world.nowMs, { kind: 'membershipRequest', node: leader, change, redirects: 0, retries: 0 });
  }

  onRequest(world: MembershipWorld, event: MembershipRequest): void {
    if (!this.active) return world.note('dropped: the faults are over');
    if (!world.isUp(event.node) || world.isPaused(event.node)) {
      this.inFlight = false;
      return world.note('lost: node down');
    }
    const answer = world.changeMembership(event.node, event.change);
    if (answer === null) {
      this.inFlight = false;
      return;
    }
    if (answer.kind === 'accepted') {
      this.inFlight = false;
      for (const step of event.change.steps) {
        if (step.action !== 'remove') continue;
        this.removing.add(step.node);
        this.removedOnce.add(step.node);
      }
      world.note('accepted');
      return this.partitionAfterChange(world, event.node);
    }
    if (answer.kind === 'notLeader' && answer.leaderHint !== null && answer.leaderHint !== event.node && event.redirects < redirectsMax) {
      world.note(`not leader, redirected to ${nodeName(answer.leaderHint)}`);
      return world.schedule(world.nowMs + 1, { ...event, node: answer.leaderHint, redirects: event.redirects + 1 });
    }
    if (answer.kind === 'rejected' && event.retries < retriesMax) {
      world.note(`rejected (${answer.reason}); tried again later`);
      return world.schedule(world.nowMs + this.retryDelayMs, { ...event, retries: event.retries + 1 });
    }
    this.inFlight = false;
    world.note(answer.kind === 'rejected' ? `rejected (${answer.reason})` : 'not leader');
  }

  /**
   * The partition right after an accepted change (partitionAfterChangeProbability): the leader
   * and fewer than half of the others on one side, the rest on the other, healed after a drawn
   * duration. Drawn only when the option is set, so that other draws do not shift; every draw is
   * taken whether it strikes or not, and a 0 choice isolates the leader alone, for the shortest time.
   */
  private partitionAfterChange(world: MembershipWorld, leader: NodeId): void {
    const probability = this.options.partitionAfterChangeProbability ?? 0;
    if (probability <= 0) return;
    const cutOff = drawLeaderCutOff(this.random, partitionStream, probability, leader, this.inRun, this.partitionDurationMs);
    if (cutOff === null) return;
    world.note(`${nodeName(leader)} cut off on a minority right after the change`);
    world.schedule(world.nowMs, { kind: 'partition', cut: cutOff.cut });
    world.schedule(world.nowMs + cutOff.durationMs, { kind: 'heal' });
  }

  /**
   * The configuration the liveness phase judges: the latest committed one any node reports
   * (null: none reported). Its nodes must all catch up, and a leader must hold their term.
   */
  finalConfiguration(observation: ClusterObservation): Configuration | null {
    return latestCommitted(this.inRun.map((node) => observation.mirror(node).configuration))?.configuration ?? null;
  }

  /**
   * Is a change in flight: a removal a leader accepted that no node yet reports committed, or a
   * configuration some node holds that is not committed yet? The first is needed because an
   * implementation that learns a configuration when it applies the entry (etcd's, raft-rs's:
   * docs/CONTRACT.md) shows none of its changes before they commit (raft-rs swarm seed 1456: the
   * leader's own removal, appended in the faults, committed only after a 740-entry catch-up).
   */
  changePending(observation: ClusterObservation): boolean {
    const committed = this.finalConfiguration(observation);
    const members = committed === null ? new Set<NodeId>() : configurationMembers(committed);
    for (const node of this.removing) if (members.has(node)) return true;
    for (const node of this.inRun) {
      const view = observation.mirror(node).configuration;
      if (view !== null && view.latestIndex > view.committedIndex) return true;
    }
    return false;
  }

  private isSpare(node: NodeId): boolean {
    return !this.isInitialMember(node);
  }

  private join(world: MembershipWorld, node: NodeId): void {
    this.joined.add(node);
    this.inRun = [...this.inRun, node].sort((a, b) => a - b);
    world.note(`${nodeName(node)} joins`);
    world.startSpare(node);
  }

  /** Removals seen committed: the removed node is wiped (or runs on, if the scenario keeps it). */
  private retireRemoved(world: MembershipWorld): void {
    if (this.removing.size === 0) return;
    const committed = this.finalConfiguration(world.observation);
    if (committed === null) return;
    const members = configurationMembers(committed);
    for (const node of [...this.removing].sort((a, b) => a - b)) {
      if (members.has(node)) continue;
      this.removing.delete(node);
      if (this.options.removed === 'keep') {
        world.note(`${nodeName(node)} removed, runs on`);
        continue;
      }
      this.inRun = this.inRun.filter((other) => other !== node);
      world.note(`${nodeName(node)} removed: stopped and wiped`);
      world.wipe(node);
    }
  }

  /** The up leader of the highest term that reports a configuration. */
  private believedLeader(world: MembershipWorld): NodeId | null {
    let best: NodeId | null = null;
    for (const node of this.inRun) {
      const mirror = world.observation.mirror(node);
      if (!world.isUp(node) || mirror.role !== 'leader' || mirror.configuration === null) continue;
      if (best === null || mirror.term > world.observation.mirror(best).term) best = node;
    }
    return best;
  }

  /**
   * A change to the latest configuration: with jointProbability a replacement (a spare in as a
   * voter, a voter out, through a joint configuration), else one single-server step among those
   * that fit. Never below min(3, initial members) voters; never a node removed before.
   */
  private drawSteps(latest: Configuration, leader: NodeId): MembershipStep[] | null {
    if (latest.votersOutgoing.length > 0) return null;
    const free = this.spares.filter((node) => !this.removedOnce.has(node) && !latest.voters.includes(node) && !latest.learners.includes(node));
    const votersMin = votersMinOf(this.initialMembers.length);
    const removable = latest.voters.filter((node) => !this.removing.has(node));
    const spare = free.length > 0 ? free[this.random.index(stream, free.length)] : null;
    const voter = removable.length > 0 ? removable[this.random.index(stream, removable.length)] : leader;
    const joint = this.random.chance(stream, this.options.jointProbability);
    if (joint && spare !== null && removable.length > 0) return jointReplacement(spare, voter);
    const menu = singleServerChanges(latest, spare, removable.length > 0 ? voter : null, votersMin);
    if (menu.length === 0) return null;
    return [menu[this.random.index(stream, menu.length)]];
  }

  /**
   * Exponential waits between changes, drawn so that a smaller choice gives a shorter wait: the
   * shrinker lowers choices, and a change it brings earlier lets the fault phase end sooner. A 0
   * choice still means no change in the run (the longest wait the draw can give, as before).
   */
  private nextWaitMs(): number {
    const meanMs = 1000 / Math.max(this.options.changesPerSecond, 0.001);
    const unit = this.random.unit(stream);
    const exponential = unit === 0 ? -Math.log(1e-9) : -Math.log(1 - unit);
    return Math.max(1, Math.round(exponential * meanMs));
  }
}
