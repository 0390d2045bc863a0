// The liveness phase, after the fault phase (as TigerBeetle's VOPR does): every partition heals,
// crashed nodes restart, paused nodes resume, and faults stop. Within a bound (a number of
// maximum election timeouts) the cluster must then have one stable leader, and a fresh client
// command (the probe) must be committed and applied on every node. Safety checks cannot see a
// cluster that merely stops making progress; this can.

import type { AppliedEntry, Command } from '../contract/contract.js';
import type { NodeId } from '../core/ids.js';
import { nodeName } from '../core/ids.js';
import type { ClusterObservation } from '../world/observation.js';
import type { Scenario } from './scenario.js';
import { livenessBoundMs, livenessLeaderBoundMs } from './scenario.js';
import type { Violation } from '../contract/observation.js';

export const livenessInvariant = 'liveness';

/**
 * How long a leader must hold its term to count as stable, in maximum election timeouts: long
 * enough that a follower that lost touch would have started an election. It is also the shortest
 * liveness bound any implementation can meet (a leader present from the phase's first moment).
 */
export const stableLeaderElectionTimeouts = 2;

/** What the monitor needs of the world. */
export interface LivenessWorld {
  readonly members: readonly NodeId[];
  readonly nowMs: number;
  readonly observation: ClusterObservation;
  readonly believedLeader: NodeId | null;
  isUp(node: NodeId): boolean;
  /** Sends a probe command to a node (as a client would), with redirects. */
  propose(node: NodeId, command: Command): void;
  newCommandId(): number;
}

export class LivenessMonitor {
  readonly startMs: number;
  /** When the phase must be over: set again by begin(), from the backlog seen when faults stop. */
  private finalDeadlineMs: number;
  /** By this time a stable leader must exist; the rest of the bound is for catching up only. */
  leaderDeadlineMs: number;
  /** Checks come this often: half a minimum election timeout. */
  readonly checkIntervalMs: number;
  /** A leader must hold its term this long (two maximum election timeouts) to count as stable. */
  private readonly stableForMs: number;
  private readonly probes: number[] = [];
  private readonly appliedBy = new Map<number, Set<NodeId>>();
  private lastProbeMs = Number.NEGATIVE_INFINITY;
  private leader: { node: NodeId; term: number; sinceMs: number } | null = null;
  private proposeTarget = 0;

  constructor(private readonly scenario: Scenario) {
    this.startMs = scenario.durationMs;
    this.finalDeadlineMs = scenario.durationMs + livenessBoundMs(scenario);
    this.leaderDeadlineMs = scenario.durationMs + livenessLeaderBoundMs(scenario);
    this.checkIntervalMs = Math.max(1, Math.floor((scenario.implementation.electionTicksMin * scenario.tickMs) / 2));
    this.stableForMs = stableLeaderElectionTimeouts * scenario.implementation.electionTicksMax * scenario.tickMs;
  }

  /** The faults stopped: the catch-up allowance now counts the entries a node may still need. */
  begin(backlogEntries: number, membershipChangePending = false): void {
    this.finalDeadlineMs = this.startMs + livenessBoundMs(this.scenario, backlogEntries);
    if (!membershipChangePending) return;
    // A membership change still in flight commits only once its new voters have caught up (the
    // backlog's allowance), and a leader it removes steps down only then: the stable leader is
    // owed one leader bound after the catch-up, and the phase one leader bound longer.
    this.leaderDeadlineMs = this.finalDeadlineMs;
    this.finalDeadlineMs += livenessLeaderBoundMs(this.scenario);
  }

  get deadlineMs(): number {
    return this.finalDeadlineMs;
  }

  /**
   * When to check next: one interval on, but never past a deadline not yet reached. The run ends
   * at the final deadline, so without a check exactly there a bound that is not a whole number of
   * intervals would end the run with no verdict: a cluster stuck for good would pass.
   */
  nextCheckMs(nowMs: number): number {
    let next = nowMs + this.checkIntervalMs;
    for (const deadlineMs of [this.leaderDeadlineMs, this.deadlineMs]) if (nowMs < deadlineMs && deadlineMs < next) next = deadlineMs;
    return next;
  }

  onApplied(node: NodeId, entries: readonly AppliedEntry[]): void {
    for (const entry of entries) this.appliedBy.get(entry.commandId)?.add(node);
  }

  /** One check: 'done' when the cluster recovered, a violation past the deadline, null to go on. */
  check(world: LivenessWorld): 'done' | Violation | null {
    this.trackLeader(world);
    const appliedEverywhere = this.probes.some((id) => world.members.every((node) => this.appliedBy.get(id)?.has(node)));
    const stable = this.leaderIsStable(world);
    if (appliedEverywhere && stable) return 'done';
    if (world.nowMs >= this.deadlineMs) return this.violation(world, appliedEverywhere, this.deadlineMs);
    if (world.nowMs >= this.leaderDeadlineMs && !stable) return this.violation(world, appliedEverywhere, this.leaderDeadlineMs);
    // A fresh probe when none has been sent for a while: the previous one may have been accepted
    // by a leader that then lost its term, and will never commit.
    if (!appliedEverywhere && world.nowMs - this.lastProbeMs >= 4 * this.checkIntervalMs) this.sendProbe(world);
    return null;
  }

  private trackLeader(world: LivenessWorld): void {
    const leaders = world.members.filter((node) => {
      const mirror = world.observation.mirror(node);
      return world.isUp(node) && mirror.hasView && mirror.role === 'leader';
    });
    const current = leaders.length === 1 ? { node: leaders[0], term: world.observation.mirror(leaders[0]).term } : null;
    if (current === null) this.leader = null;
    else if (this.leader === null || this.leader.node !== current.node || this.leader.term !== current.term) {
      this.leader = { ...current, sinceMs: world.nowMs };
    }
  }

  /** One leader, every node in its term, for long enough. Without views, the probe alone decides. */
  private leaderIsStable(world: LivenessWorld): boolean {
    const withViews = world.members.filter((node) => world.observation.mirror(node).hasView);
    if (withViews.length === 0) return true;
    if (this.leader === null) return false;
    const term = this.leader.term;
    const sameTerm = withViews.every((node) => world.observation.mirror(node).term === term);
    return sameTerm && world.nowMs - this.leader.sinceMs >= this.stableForMs;
  }

  private sendProbe(world: LivenessWorld): void {
    const id = world.newCommandId();
    this.probes.push(id);
    this.appliedBy.set(id, new Set());
    this.lastProbeMs = world.nowMs;
    let target = this.leader?.node ?? world.believedLeader;
    if (target === null || !world.isUp(target)) {
      // No known leader: try the nodes in turn, as a client with no hint would.
      target = world.members[this.proposeTarget % world.members.length];
      this.proposeTarget += 1;
    }
    world.propose(target, { id, op: 'set', key: 'liveness-probe', value: `probe-${id}` });
  }

  private violation(world: LivenessWorld, appliedEverywhere: boolean, deadlineMs: number): Violation {
    const leaders = world.members.filter((node) => world.observation.mirror(node).role === 'leader' && world.isUp(node));
    const terms = Object.fromEntries(world.members.map((node) => [nodeName(node), world.observation.mirror(node).term]));
    const lastProbe = this.probes[this.probes.length - 1];
    const appliedOn = lastProbe === undefined ? [] : [...(this.appliedBy.get(lastProbe) ?? [])].sort((a, b) => a - b);
    const missing: string[] = [];
    if (leaders.length !== 1) missing.push(leaders.length === 0 ? 'no leader' : `${leaders.length} leaders (${leaders.map(nodeName).join(', ')})`);
    else if (!this.leaderIsStable(world)) missing.push(`leader ${nodeName(leaders[0])} not stable (terms ${JSON.stringify(terms)})`);
    if (!appliedEverywhere) {
      missing.push(
        this.probes.length === 0
          ? 'no probe command could be sent'
          : `probe command ${lastProbe} applied on ${appliedOn.length === 0 ? 'no node' : appliedOn.map(nodeName).join(', ')} of ${world.members.length}`,
      );
    }
    const boundMs = deadlineMs - this.startMs;
    return {
      invariant: livenessInvariant,
      kind: 'liveness',
      message: `the cluster did not recover within ${boundMs} ms after the faults stopped: ${missing.join('; ')}`,
      nodes: leaders.length > 0 ? leaders : [...world.members],
      eventNumber: 0,
      timeMs: world.nowMs,
      evidence: { boundMs, leaders, terms, probes: this.probes.length, lastProbe: lastProbe ?? null, lastProbeAppliedOn: appliedOn, missing },
    };
  }
}
