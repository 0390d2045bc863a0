// Node instances for implementations that cannot copy their state (no clone(): process programs,
// most modules). The explorer keeps every node state it reaches, but it may not keep a live
// instance for each: over the process protocol that is one OS process per state. So a node state
// holds a ReplayedNode instead: its place in the node's lineage of inputs since its start, and a
// live instance only while that is among the `capacity` most recently used (an LRU pool). A node
// without one gets one when it next steps: the live instance of its nearest ancestor in the
// lineage is taken over (that ancestor gets one back the same way if it ever steps again), or a
// fresh instance is created, and the inputs in between are handed to it again. A deterministic
// node re-fed its inputs is in the same state, so which states keep a live instance changes only
// the cost, never a result. A copy (copy()) is free: it shares the lineage and steps lazily.
//
// What it bounds: live instances never exceed `capacity`, whatever the depth or the number of
// states; a path replayed once (a shrink candidate, a trace) costs one input per step, since each
// step takes over the instance of the state before it.

import type { Implementation, Input, NodeInstance, Output } from '../contract/contract.js';
import { assert } from '../core/assert.js';

/**
 * Live instances kept when the options name no bound. Few: a search meets its states again
 * rarely while they are still in the pool, and every live instance of a program is a process
 * (booting a Node program costs a tenth of a second; measured on the reference as a program,
 * depth 6: 3 s with 4, 9 s with 16, 29 s with 64, for the same replays within 10%).
 */
export const liveInstancesMaxDefault = 8;

/** One input of a node's lineage, newest first; the lineage of a start input begins there. */
interface Lineage {
  readonly input: Input;
  readonly previous: Lineage | null;
  /** The node whose live instance is in the state just after this input, if any. */
  holder: ReplayedNode | null;
}

export interface InstancePoolStatistics {
  /** Live instances now. */
  live: number;
  /** The most live instances at once. */
  livePeak: number;
  /** Fresh instances created to re-create a state (not counting those a start input needs). */
  recreated: number;
  /** Inputs handed again to re-create states. */
  inputsReplayed: number;
}

export class InstancePool {
  /** Nodes holding a live instance, least recently used first (a Set keeps insertion order). */
  private readonly holders = new Set<ReplayedNode>();
  private livePeak = 0;
  private recreated = 0;
  private inputsReplayed = 0;

  constructor(
    private readonly implementation: Implementation,
    readonly capacity: number = liveInstancesMaxDefault,
  ) {
    assert(Number.isInteger(capacity) && capacity >= 1, `instance pool capacity ${capacity}: expected a positive integer`);
  }

  /** A node not started yet: its first input must be a start. */
  fresh(): ReplayedNode {
    return new ReplayedNode(this, null);
  }

  statistics(): InstancePoolStatistics {
    return { live: this.holders.size, livePeak: this.livePeak, recreated: this.recreated, inputsReplayed: this.inputsReplayed };
  }

  /** Disposes every live instance (the nodes keep their lineage and re-create one if they step). */
  dispose(): void {
    for (const holder of [...this.holders]) this.release(holder)?.dispose?.();
  }

  /**
   * A live instance in the state after `at`, owned by the caller: taken from the nearest node
   * holding one at `at` or before it, or created, then handed the inputs since. Throws what the
   * instance throws, with what it was replaying.
   */
  instanceAt(at: Lineage | null): NodeInstance {
    const missing: Input[] = [];
    let link = at;
    while (link !== null && link.holder === null) {
      missing.push(link.input);
      link = link.previous;
    }
    let instance: NodeInstance;
    if (link !== null) instance = this.release(link.holder!)!;
    else {
      // Room first: the new instance counts from its creation (a process runs from then on).
      this.makeRoom();
      instance = this.implementation.createNode();
      if (missing.length > 0) this.recreated += 1;
    }
    for (let index = missing.length - 1; index >= 0; index -= 1) {
      try {
        instance.step(missing[index]);
      } catch (error) {
        instance.dispose?.();
        // The same error (its kind, by its name, is what a shrink keeps), saying what it replayed.
        const failure = error instanceof Error ? error : new Error(String(error));
        failure.message =
          `re-creating a node state by handing its inputs again (input ${missing.length - index} of ${missing.length}, a ${missing[index].kind}; ` +
          `the explorer keeps at most ${this.capacity} live instances): ${failure.message}`;
        throw failure;
      }
      this.inputsReplayed += 1;
    }
    return instance;
  }

  /**
   * Makes `node` the holder of `instance` (which was taken from the pool or created after room
   * was made: live instances never exceed the capacity, the one in hand included).
   */
  hold(node: ReplayedNode, instance: NodeInstance): void {
    this.makeRoom();
    node.live = instance;
    node.at!.holder = node;
    this.holders.add(node);
    if (this.holders.size > this.livePeak) this.livePeak = this.holders.size;
  }

  /** Disposes the least recently used instances until one more fits. */
  private makeRoom(): void {
    while (this.holders.size >= this.capacity) {
      const oldest = this.holders.values().next().value as ReplayedNode;
      this.release(oldest)?.dispose?.();
    }
  }

  /** Takes `node`'s live instance away from it (null if it has none). */
  release(node: ReplayedNode): NodeInstance | null {
    const instance = node.live;
    if (instance === null) return null;
    node.live = null;
    if (node.at !== null && node.at.holder === node) node.at.holder = null;
    this.holders.delete(node);
    return instance;
  }
}

/**
 * A node state's instance for the explorer: steps like any instance (taking a live one from the
 * pool first), and is copied for free. Meant to be stepped once per copy, as the explorer does.
 */
export class ReplayedNode implements NodeInstance {
  /** The live instance, in the state after `at`; null while it has none. */
  live: NodeInstance | null = null;
  private digest: string | undefined = undefined;
  stateDigest?: () => string;

  constructor(
    private readonly pool: InstancePool,
    /** The inputs since the start, newest first (null before the start). */
    public at: Lineage | null,
  ) {}

  step(input: Input): Output {
    const instance = this.live !== null ? this.pool.release(this)! : this.pool.instanceAt(this.at);
    let output: Output;
    try {
      output = instance.step(input);
    } catch (error) {
      // An instance that threw is in no known state: it is not kept.
      instance.dispose?.();
      throw error;
    }
    this.at = { input, previous: input.kind === 'start' ? null : this.at, holder: null };
    // The digest now, while the instance is live: the state keeps it when the instance goes.
    this.digest = instance.stateDigest?.();
    if (this.digest !== undefined) this.stateDigest ??= () => this.digest as string;
    this.pool.hold(this, instance);
    return output;
  }

  /**
   * The live instance, to read its state (not to step it: step the node or a copy), re-created
   * if the pool let it go. For digests that read an implementation's internals.
   */
  inspect(): NodeInstance {
    if (this.live === null) this.pool.hold(this, this.pool.instanceAt(this.at));
    return this.live!;
  }

  /** A node in the same state, without an instance of its own until it steps. */
  copy(): ReplayedNode {
    const copy = new ReplayedNode(this.pool, this.at);
    if (this.digest !== undefined) {
      copy.digest = this.digest;
      copy.stateDigest = () => copy.digest as string;
    }
    return copy;
  }

  dispose(): void {
    this.pool.release(this)?.dispose?.();
  }
}
