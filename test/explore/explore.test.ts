// The explorer as a specification: breadth-first search finds corpus bugs by their shortest
// paths, the correct reference passes a bounded exhaustive run with exact, repeatable counts,
// symmetry reduction merges exactly the permuted states, and node copies are independent.
// Durability probes run in the same world (src/world/probes.ts): a search finds an unsynced vote
// or acknowledgement where it is made, without a crash, and adds or takes away no state.

import { allInvariants } from '../../invariants/index.js';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import type { ExploreBounds, ExploreOptions } from '../../src/explore/search.js';
import { defaultExploreBounds, explore } from '../../src/explore/search.js';
import type { ExploreStep, World } from '../../src/world/system.js';
import { TransitionSystem } from '../../src/world/system.js';
import { exploreTraceOf, replayExplorePath } from '../../src/shrink/paths.js';
import { durabilityInvariant } from '../../src/world/probes.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { RaftNode } from '../../src/raft/node.js';

const bounds: ExploreBounds = { ...defaultExploreBounds, depthMax: 7, termMax: 3, reordersMax: 1, statesMax: 10_000_000, timeMs: 600_000, memoryBytesMax: 8 * 1024 ** 3 };

function options(overrides: Partial<ExploreOptions> & { bugs?: string[] } = {}): ExploreOptions {
  const { bugs = [], ...rest } = overrides;
  return {
    implementation: referenceImplementation(bugsFromNames(bugs)),
    nodes: 3,
    strategy: 'bfs',
    bounds,
    implementationOptions: exploreImplementationOptions,
    symmetry: true,
    clone: true,
    seed: 1,
    walksMax: 1000,
    pctDepth: 3,
    ...rest,
  };
}

describe('breadth-first exploration of buggy Raft', () => {
  it('finds vote-without-log-check as a leader lacking a committed entry after 8 steps, the shortest path', () => {
    const result = explore(options({ bugs: ['vote-without-log-check'], bounds: { ...bounds, depthMax: 12 } }));
    expect(result.status).toBe('safety');
    expect(result.violation?.invariant).toBe('leader-completeness');
    expect(result.path).toHaveLength(8);
    expect(result.depth).toBe(8);
  });

  it('finds leader-votes-for-other as two leaders in one term after 6 steps', () => {
    const result = explore(options({ bugs: ['leader-votes-for-other'], bounds: { ...bounds, depthMax: 12 } }));
    expect(result.violation?.invariant).toBe('election-safety');
    expect(result.path).toHaveLength(6);
  });
});

describe('durability probes in the explorer', () => {
  const shallow: ExploreBounds = { ...bounds, depthMax: 8, termMax: 4, reordersMax: 0, crashesMax: 0 };

  it('find an unsynced vote where it is granted, after 2 steps and without a crash', () => {
    const result = explore(options({ bugs: ['vote-not-persisted'], bounds: shallow }));
    expect(result.violation?.invariant).toBe(durabilityInvariant);
    expect(result.violation?.message).toMatch(/^n\d granted its vote in term 1 to n\d, but a restart from its records durable as the message leaves has term 0/);
    expect(result.path?.map((step) => step.kind)).toEqual(['timeout', 'deliver']);
  });

  it('find an unsynced acknowledgement where it is sent, after 4 steps', () => {
    const result = explore(options({ bugs: ['log-not-persisted'], bounds: shallow }));
    expect(result.violation?.invariant).toBe(durabilityInvariant);
    expect(result.violation?.message).toMatch(/acknowledged entries up to index 1, but a restart .* holds entries only up to 0/);
    expect(result.path).toHaveLength(4);
  });

  it('are on by default for the in-process reference (the searches above), and leave the vote to the invariants when off', () => {
    const off = explore(options({ bugs: ['vote-not-persisted'], bounds: shallow, durabilityProbes: false }));
    expect(off.violation?.invariant).not.toBe(durabilityInvariant);
  });

  it('add no state and take no transition away from a search of the correct reference', () => {
    const withCrashes = { ...bounds, depthMax: 7, crashesMax: 1, requestsMax: 1 };
    const on = explore(options({ bounds: withCrashes, durabilityProbes: true }));
    const off = explore(options({ bounds: withCrashes, durabilityProbes: false }));
    expect(on.status).toBe('ok');
    expect([on.distinctStates, on.distinctStatesWithoutSymmetry, on.transitions]).toEqual([off.distinctStates, off.distinctStatesWithoutSymmetry, off.transitions]);
  });

  it('are recorded in the trace of the path found, whose replay breaks the same promise at the same step', () => {
    const search = options({ bugs: ['log-not-persisted'], bounds: shallow });
    const result = explore(search);
    const traced = exploreTraceOf(result, { ...search, invariants: allInvariants, bugs: ['log-not-persisted'], durabilityProbes: true, bounds: {} });
    expect(traced?.trace.explore?.durabilityProbes).toBe(true);
    expect(traced?.replay.violation?.invariant).toBe(durabilityInvariant);
    expect(traced?.replay.violation?.eventNumber).toBe(4);
    // The same path without probes: the promise is broken, but nothing looks.
    const unprobed = replayExplorePath(search.implementation, { nodes: 3, implementationOptions: exploreImplementationOptions, steps: result.path! }, allInvariants);
    expect('error' in unprobed ? unprobed.error : unprobed.status).toBe('ok');
  });
});

describe('the memory bound', () => {
  it('counts the array buffers the frontier lives in: a search held under them stops as inconclusive', () => {
    // 64 MB of array buffers held, and a bound just above the heap alone: only their count stops it.
    const held = new Int32Array(16 * 1024 * 1024);
    held[0] = 1;
    const memoryBytesMax = process.memoryUsage().heapUsed + 32 * 1024 * 1024;
    const result = explore(options({ bounds: { ...bounds, memoryBytesMax } }));
    expect(held[0]).toBe(1);
    expect(result.stoppedBy).toBe('memory');
    expect(result.complete).toBe(false);
  });
});

describe('bounded exhaustive exploration of the correct reference', () => {
  const first = explore(options());
  const second = explore(options());

  it('covers everything within depth 7, term 3, one reorder and 10 messages in flight without a violation: bounded, not complete', () => {
    expect(first.status).toBe('ok');
    expect(first.stoppedBy).toBe('exhausted');
    expect(first.boundsHit.depth).toBeGreaterThan(0);
    // The depth bound withheld states: the search is bounded, never complete.
    expect(first.complete).toBe(false);
    expect(first.coverage).toBe('bounded');
  });

  it('counts the same states and transitions on every run', () => {
    expect([second.distinctStates, second.transitions, second.distinctStatesWithoutSymmetry]).toEqual([
      first.distinctStates,
      first.transitions,
      first.distinctStatesWithoutSymmetry,
    ]);
  });

  it('reduces the states by symmetry, and the orbits add up to the states of a search without it', () => {
    const unreduced = explore(options({ symmetry: false }));
    expect(first.distinctStates * 3).toBeLessThan(unreduced.distinctStates);
    expect(first.distinctStatesWithoutSymmetry).toBe(unreduced.distinctStates);
  });

  it('counts the same states when nodes are copied by replaying their inputs instead of clone()', () => {
    const replayed = explore(options({ clone: false, bounds: { ...bounds, depthMax: 6 } }));
    const cloned = explore(options({ bounds: { ...bounds, depthMax: 6 } }));
    expect(replayed.clone).toBe(false);
    expect(replayed.distinctStates).toBe(cloned.distinctStates);
  });
});

describe('partial-order reduction by sleep sets', () => {
  // The reduction must not change what is found: the same distinct states (with and without
  // symmetry), the same verdicts, the same shortest path length, only fewer transitions taken.
  const cases: { name: string; bugs: string[]; bounds: Partial<ExploreBounds>; symmetry: boolean }[] = [
    { name: 'the reference, depth 7, symmetry', bugs: [], bounds: {}, symmetry: true },
    { name: 'the reference, depth 6, no symmetry', bugs: [], bounds: { depthMax: 6 }, symmetry: false },
    { name: 'the reference with crashes, requests and drops, depth 5', bugs: [], bounds: { depthMax: 5, crashesMax: 1, requestsMax: 1, dropsMax: 1 }, symmetry: true },
    // A tight messages bound cuts s.a off where s.b.a is kept: a must wake up (it did not, once).
    { name: 'the reference, 4 messages in flight and a drop, depth 8, no symmetry', bugs: [], bounds: { depthMax: 8, messagesInFlightMax: 4, dropsMax: 1 }, symmetry: false },
    { name: 'vote-without-log-check', bugs: ['vote-without-log-check'], bounds: { depthMax: 12 }, symmetry: true },
    { name: 'leader-votes-for-other', bugs: ['leader-votes-for-other'], bounds: { depthMax: 12 }, symmetry: true },
    { name: 'vote-not-persisted with a crash', bugs: ['vote-not-persisted'], bounds: { depthMax: 9, crashesMax: 1 }, symmetry: true },
  ];
  for (const { name, bugs, bounds: overrides, symmetry } of cases) {
    it(`visits the same states and finds the same verdict as the full search: ${name}`, () => {
      const common = { bugs, symmetry, bounds: { ...bounds, ...overrides } };
      const full = explore(options({ ...common, reduction: false }));
      const reduced = explore(options({ ...common, reduction: true }));
      expect(reduced.reduction.enabled).toBe(true);
      expect(full.reduction).toEqual({ enabled: false, transitionsSkipped: 0 });
      expect([reduced.status, reduced.violation?.invariant, reduced.path?.length, reduced.depth]).toEqual([full.status, full.violation?.invariant, full.path?.length, full.depth]);
      if (full.status === 'ok') {
        expect([reduced.distinctStates, reduced.distinctStatesWithoutSymmetry]).toEqual([full.distinctStates, full.distinctStatesWithoutSymmetry]);
        expect(reduced.transitions).toBeLessThan(full.transitions);
        expect(reduced.transitions + reduced.reduction.transitionsSkipped).toBe(full.transitions);
      }
    });
  }

  it('counts the same states, transitions and skipped transitions on every run', () => {
    const runs = [explore(options()), explore(options())].map((run) => [run.distinctStates, run.transitions, run.reduction.transitionsSkipped]);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[0][2]).toBeGreaterThan(0);
  });
});

describe('the default bounds', () => {
  it('explore the fault-free protocol: FIFO links, no crash, proposal, drop or reorder', () => {
    expect(defaultExploreBounds).toMatchObject({ crashesMax: 0, requestsMax: 0, dropsMax: 0, reordersMax: 0 });
  });

  // Why figure8 is deep: four elections (n1 in term 1, n3 in 2, n1 in 3, n3 in 4), each a timer,
  // a RequestVote and its answer; two old leaders stepped down by a stale append's rejection
  // (FIFO links: the stale append is ahead on its link anyway); and in term 3 the old entry
  // reaches n2 only after n1's first append (its no-op, one entry per message) is refused.
  const figure8: [kind: 'timeout' | 'deliver', from: number, to?: number][] = [
    ['timeout', 1], ['deliver', 1, 2], ['deliver', 2, 1], ['deliver', 1, 3], ['timeout', 3], ['deliver', 3, 2], ['deliver', 2, 3],
    ['deliver', 1, 2], ['deliver', 2, 1], ['timeout', 1], ['deliver', 1, 2], ['deliver', 2, 1], ['deliver', 1, 2], ['deliver', 2, 1],
    ['deliver', 1, 2], ['deliver', 2, 1], ['deliver', 3, 2], ['deliver', 2, 3], ['timeout', 3], ['deliver', 3, 2], ['deliver', 2, 3],
  ];

  it('admit figure8 by a path of 21 steps, FIFO, with at most 10 messages in flight', () => {
    const system = new TransitionSystem({
      invariants: allInvariants,
      implementation: referenceImplementation(bugsFromNames(['figure8'])),
      nodes: 3,
      implementationOptions: exploreImplementationOptions,
      symmetry: false,
      clone: true,
      ...defaultExploreBounds,
    });
    let world = system.initial().world;
    const steps: ExploreStep[] = [];
    const invariants: (string | null)[] = [];
    for (const [kind, node, to] of figure8) {
      const choice = kind === 'timeout' ? { kind, node } : { kind, message: world.messages.findIndex((inFlight) => inFlight.from === node && inFlight.to === to) };
      steps.push(system.describe(world, choice));
      const transition = system.apply(world, choice);
      expect(transition.pruned).toBeNull();
      world = transition.world;
      invariants.push(transition.violation?.invariant ?? null);
    }
    expect(invariants.indexOf('leader-completeness')).toBe(20);
    expect(world.reorders).toBe(0);
    const replay = replayExplorePath(referenceImplementation(bugsFromNames(['figure8'])), { nodes: 3, implementationOptions: exploreImplementationOptions, steps }, allInvariants);
    expect('error' in replay ? replay.error : replay.violation?.invariant).toBe('leader-completeness');
  });
});

describe('shared node states, messages and histories, and steps computed once', () => {
  // Interning and memoization change what is computed and kept, never what is found.
  const cases: { name: string; bugs: string[]; bounds: Partial<ExploreBounds>; symmetry: boolean }[] = [
    { name: 'the reference, depth 7, symmetry', bugs: [], bounds: {}, symmetry: true },
    { name: 'the reference with crashes, requests and drops, depth 5, no symmetry', bugs: [], bounds: { depthMax: 5, crashesMax: 1, requestsMax: 1, dropsMax: 1 }, symmetry: false },
    { name: 'vote-without-log-check', bugs: ['vote-without-log-check'], bounds: { depthMax: 12 }, symmetry: true },
    { name: 'vote-not-persisted with a crash', bugs: ['vote-not-persisted'], bounds: { depthMax: 9, crashesMax: 1 }, symmetry: true },
  ];
  for (const { name, bugs, bounds: overrides, symmetry } of cases) {
    it(`counts the same states and transitions and finds the same verdict as a search that shares and keeps nothing: ${name}`, () => {
      const common = { bugs, symmetry, bounds: { ...bounds, ...overrides } };
      const plain = explore(options({ ...common, intern: false, memoize: false }));
      const shared = explore(options(common));
      const counts = (result: typeof plain) => [result.status, result.violation?.invariant, result.path?.length, result.distinctStates, result.distinctStatesWithoutSymmetry, result.transitions];
      expect(counts(shared)).toEqual(counts(plain));
      expect(shared.path).toEqual(plain.path);
    });
  }

  it('decodes a world of the frontier to one with the same fingerprint', () => {
    const system = new TransitionSystem({ implementation: referenceImplementation(), invariants: allInvariants, nodes: 3, implementationOptions: exploreImplementationOptions, symmetry: true, clone: true, ...bounds });
    let world = system.initial().world;
    for (const choice of [{ kind: 'timeout', node: 2 }, { kind: 'deliver', message: 0 }] as const) world = system.apply(world, choice).world;
    const data = new Int32Array(system.encodedSize(world));
    system.encode(world, data, 0);
    const decoded = system.decode(data, 0);
    expect(decoded).toEqual(world);
    expect(system.fingerprint(decoded)).toEqual(system.fingerprint(world));
  });
});

describe('world fingerprints', () => {
  const system = new TransitionSystem({
    invariants: allInvariants,
    implementation: referenceImplementation(),
    nodes: 3,
    implementationOptions: exploreImplementationOptions,
    symmetry: true,
    clone: true,
    termMax: 9,
    crashesMax: 9,
    requestsMax: 9,
    dropsMax: 9,
    reordersMax: 9,
    messagesInFlightMax: 99,
  });
  /** Timer of `candidate`, its RequestVote to `voter` delivered, the answer delivered back. */
  function election(candidate: number, voter: number): World {
    let world = system.initial().world;
    world = system.apply(world, { kind: 'timeout', node: candidate }).world;
    const deliver = (from: number, to: number) => {
      const message = world.messages.findIndex((inFlight) => inFlight.from === from && inFlight.to === to);
      world = system.apply(world, { kind: 'deliver', message }).world;
    };
    deliver(candidate, voter);
    deliver(voter, candidate);
    return world;
  }

  it('is the same for worlds that differ by a permutation of node ids', () => {
    const one = system.fingerprint(election(1, 2));
    const other = system.fingerprint(election(3, 1));
    expect([other.high, other.low]).toEqual([one.high, one.low]);
    expect(one.orbit).toBe(6);
  });

  it('differs for worlds that are not permutations of each other', () => {
    const elected = system.fingerprint(election(1, 2));
    const candidate = system.fingerprint(system.apply(system.initial().world, { kind: 'timeout', node: 1 }).world);
    expect([candidate.high, candidate.low]).not.toEqual([elected.high, elected.low]);
  });
});

describe('RaftNode.clone', () => {
  it('steps on independently of the original', () => {
    const node = new RaftNode();
    node.step({ kind: 'start', id: 1, members: [1, 2, 3], seed: 0, records: [], options: exploreImplementationOptions });
    const copy = node.clone();
    copy.step({ kind: 'tick' });
    copy.step({ kind: 'tick' });
    expect(copy.stateDigest()).not.toBe(node.stateDigest());
    node.step({ kind: 'tick' });
    node.step({ kind: 'tick' });
    expect(node.stateDigest()).toBe(copy.stateDigest());
  });
});
