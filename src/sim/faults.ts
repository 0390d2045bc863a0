// The random fault processes: every decision interval each process draws whether it strikes,
// and a strike becomes scheduled events (a crash now and its restart later, a partition and its
// heal, a pause and its resume...). Processes with a zero rate draw nothing, so turning one off
// does not reshuffle the others' choices.

import type { NodeId } from '../core/ids.js';
import type { Random } from '../core/random.js';
import type { EventBody } from './events.js';
import { drawCut, splitCut } from './partitions.js';
import type { Scenario } from './scenario.js';

/** What the fault processes may ask of the world. */
export interface FaultWorld {
  readonly members: readonly NodeId[];
  readonly nowMs: number;
  isUp(node: NodeId): boolean;
  isPaused(node: NodeId): boolean;
  schedule(timeMs: number, body: EventBody): void;
}

export class FaultProcesses {
  /** A random partition (or flapping) is in force until this time; one at a time. */
  private partitionUntilMs = -1;

  constructor(private readonly scenario: Scenario, private readonly random: Random) {}

  get active(): boolean {
    const { faults, storage, clocks } = this.scenario;
    return (
      faults.crash.perSecond > 0 ||
      faults.partition.perSecond > 0 ||
      faults.pause.perSecond > 0 ||
      faults.slow.perSecond > 0 ||
      clocks.jumpsPerSecond > 0 ||
      storage.corruptionsPerSecond > 0
    );
  }

  /**
   * One decision: each process in turn draws whether it strikes now. A process draws its
   * parameters whether or not it strikes, so each decision takes a fixed number of choices:
   * deleting one decision's block from the sequence moves every later fault one interval earlier
   * (how the shrinker compresses time), and zeroing a strike removes just that fault.
   */
  decide(world: FaultWorld): void {
    const { faults, storage, clocks } = this.scenario;
    const perDecision = faults.decisionIntervalMs / 1000;
    const random = this.random;
    const now = world.nowMs;
    const members = world.members;
    const anyNode = () => members[random.index('faults', members.length)];

    if (faults.crash.perSecond > 0) {
      const strikes = random.chance('faults', faults.crash.perSecond * perDecision);
      const restartAfterMs = random.integer('faults', faults.crash.restartDelayMs.minMs, faults.crash.restartDelayMs.maxMs);
      const up = members.filter((node) => world.isUp(node));
      if (strikes && members.length - up.length < faults.crash.downMax && up.length > 0) {
        world.schedule(now, { kind: 'crash', node: faults.crash.target, restartAfterMs });
      }
    }

    if (faults.partition.perSecond > 0) {
      const strikes = random.chance('faults', faults.partition.perSecond * perDecision);
      const shapes = faults.partition.shapes;
      const shape = shapes[random.index('faults', shapes.length)];
      const durationMs = random.integer('faults', faults.partition.durationMs.minMs, faults.partition.durationMs.maxMs);
      const periodMs = Math.max(1, random.integer('faults', faults.partition.flapPeriodMs.minMs, faults.partition.flapPeriodMs.maxMs));
      const cut = drawCut(shape === 'flapping' ? 'majority-minority' : shape, members, random);
      if (strikes && now >= this.partitionUntilMs) {
        this.partitionUntilMs = now + durationMs;
        if (shape === 'flapping') {
          // A majority/minority split that comes and goes until the duration is over.
          for (let at = now; at < now + durationMs; at += 2 * periodMs) {
            world.schedule(at, { kind: 'partition', cut: { ...cut, label: `${cut.label} (flapping)` } });
            world.schedule(at + periodMs, { kind: 'heal' });
          }
        } else {
          // A targeted isolation picks its node when it strikes (the leader then, not now); the
          // cut drawn above is still drawn, so the choices per decision stay the same.
          // Scenarios built in code before targets existed leave it out: they mean 'any'.
          const target = faults.partition.target ?? 'any';
          world.schedule(now, shape === 'isolate' && target !== 'any' ? { kind: 'isolate', node: target } : { kind: 'partition', cut });
          world.schedule(now + durationMs, { kind: 'heal' });
        }
      }
    }

    if (faults.pause.perSecond > 0) {
      const strikes = random.chance('faults', faults.pause.perSecond * perDecision);
      const node = anyNode();
      const durationMs = random.integer('faults', faults.pause.durationMs.minMs, faults.pause.durationMs.maxMs);
      if (strikes && world.isUp(node) && !world.isPaused(node)) {
        world.schedule(now, { kind: 'pause', node });
        world.schedule(now + durationMs, { kind: 'resume', node });
      }
    }

    if (faults.slow.perSecond > 0) {
      const strikes = random.chance('faults', faults.slow.perSecond * perDecision);
      const node = anyNode();
      const durationMs = random.integer('faults', faults.slow.durationMs.minMs, faults.slow.durationMs.maxMs);
      const extraDelayMs = random.integer('faults', faults.slow.extraDelayMs.minMs, faults.slow.extraDelayMs.maxMs);
      if (strikes) world.schedule(now, { kind: 'slow', node, durationMs, extraDelayMs, tickFactor: faults.slow.tickFactor });
    }

    if (clocks.jumpsPerSecond > 0) {
      const strikes = random.chance('faults', clocks.jumpsPerSecond * perDecision);
      const node = anyNode();
      // A 0 choice is the smallest jump in absolute size, not the most negative one.
      const magnitude = random.integer('faults', 0, Math.max(Math.abs(clocks.jumpMs.minMs), Math.abs(clocks.jumpMs.maxMs)));
      const backwardDraw = random.chance('faults', 0.5);
      const backward = clocks.jumpMs.minMs < 0 && (clocks.jumpMs.maxMs <= 0 || backwardDraw);
      const ms = Math.max(clocks.jumpMs.minMs, Math.min(clocks.jumpMs.maxMs, backward ? -magnitude : magnitude));
      if (strikes && ms !== 0) world.schedule(now, { kind: 'clockJump', node, ms });
    }

    if (storage.corruptionsPerSecond > 0) {
      const strikes = random.chance('faults', storage.corruptionsPerSecond * perDecision);
      const node = anyNode();
      if (strikes) world.schedule(now, { kind: 'corrupt', node, records: 1 });
    }
  }
}

/** The events of a scheduled flap: `cycles` rounds of partition then heal. */
export function flapEvents(groups: NodeId[][], cycles: number, partitionMs: number, healMs: number): { offsetMs: number; body: EventBody }[] {
  const cut = splitCut(groups);
  const events: { offsetMs: number; body: EventBody }[] = [];
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    const start = cycle * (partitionMs + healMs);
    events.push({ offsetMs: start, body: { kind: 'partition', cut: { ...cut, label: `${cut.label} (flap ${cycle + 1}/${cycles})` } } });
    events.push({ offsetMs: start + partitionMs, body: { kind: 'heal' } });
  }
  return events;
}
