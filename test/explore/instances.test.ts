// Implementations without clone() (process programs, most modules) in the explorer: node states
// keep a bounded number of live instances and re-create the others by replaying their inputs
// (src/world/instancePool.ts), which changes the cost of a search, never what it finds; a path
// replayed once hands each input once; and an implementation that fails, even while a state is
// re-created, is an implementation error with its path, never an exception.

import { allInvariants } from '../../invariants/index.js';
import { describe, expect, it } from 'vitest';
import type { Implementation, NodeInstance } from '../../src/contract/contract.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { replayExplorePath } from '../../src/shrink/paths.js';
import { implementationErrorKind } from '../../src/shrink/shrink.js';
import { ProcessTimeoutError } from '../../src/adapters/process.js';
import { smallExplore } from '../support/explore.js';

interface Counts {
  created: number;
  live: number;
  livePeak: number;
  steps: number;
}

/**
 * The reference behind a wrapper that counts its instances and inputs, with clone() or without
 * (then the explorer pools and replays it), and whose createNode may fail after a number of
 * instances (a program that no longer starts).
 */
function counted(options: { bugs?: string[]; clone: boolean; createdMax?: number }): { implementation: Implementation; counts: Counts } {
  const base = referenceImplementation(bugsFromNames(options.bugs ?? []));
  const counts: Counts = { created: 0, live: 0, livePeak: 0, steps: 0 };
  const wrap = (inner: NodeInstance): NodeInstance => {
    counts.live += 1;
    counts.livePeak = Math.max(counts.livePeak, counts.live);
    let disposed = false;
    const node: NodeInstance = {
      step: (input) => {
        counts.steps += 1;
        return inner.step(input);
      },
      stateDigest: () => inner.stateDigest!(),
      dispose: () => {
        if (!disposed) counts.live -= 1;
        disposed = true;
      },
    };
    if (options.clone) node.clone = () => wrap(inner.clone!());
    return node;
  };
  const implementation: Implementation = {
    name: base.name,
    version: base.version,
    createNode: () => {
      counts.created += 1;
      if (options.createdMax !== undefined && counts.created > options.createdMax) throw new Error('the program no longer starts');
      return wrap(base.createNode());
    },
  };
  return { implementation, counts };
}

const search = smallExplore;

describe('an implementation without clone() in the explorer', () => {
  const small = counted({ clone: false });
  const pooled = search(small.implementation, { liveInstancesMax: 3 });
  const roomy = counted({ clone: false });
  const unpooled = search(roomy.implementation, { liveInstancesMax: 100_000 });

  it('keeps at most the bound of live instances at once, whatever the number of states', () => {
    expect(pooled.distinctStates).toBeGreaterThan(1000);
    expect(small.counts.livePeak).toBeLessThanOrEqual(3);
    expect(pooled.instances).toMatchObject({ livePeak: 3 });
    expect(roomy.counts.livePeak).toBeGreaterThan(100);
  });

  it('finds the same states and transitions whatever the bound', () => {
    expect(pooled.status).toBe('ok');
    expect([pooled.distinctStates, pooled.transitions]).toEqual([unpooled.distinctStates, unpooled.transitions]);
    expect(pooled.instances!.inputsReplayed).toBeGreaterThan(unpooled.instances!.inputsReplayed);
  });

  it('disposes every instance when the search ends', () => {
    expect(small.counts.live).toBe(0);
    expect(roomy.counts.live).toBe(0);
  });

  it('finds a bug by the same path as with clone()', () => {
    const withClone = search(counted({ bugs: ['leader-votes-for-other'], clone: true }).implementation);
    const without = search(counted({ bugs: ['leader-votes-for-other'], clone: false }).implementation, { liveInstancesMax: 2 });
    expect(without.violation?.invariant).toBe('election-safety');
    expect(without.path).toEqual(withClone.path);
  });
});

describe('a path replayed without clone()', () => {
  const path = search(referenceImplementation(bugsFromNames(['leader-votes-for-other']))).path!;
  const replay = (clone: boolean) => {
    const { implementation, counts } = counted({ bugs: ['leader-votes-for-other'], clone });
    const result = replayExplorePath(implementation, { nodes: 3, implementationOptions: exploreImplementationOptions, steps: path }, allInvariants);
    return { result, counts };
  };

  it('hands each input to its node once, as with clone(), and disposes every instance', () => {
    const cloned = replay(true);
    const replayed = replay(false);
    expect('error' in replayed.result ? replayed.result.error : replayed.result.violation?.invariant).toBe('election-safety');
    expect(replayed.counts.steps).toBe(cloned.counts.steps);
    expect(replayed.counts.live).toBe(0);
  });
});

describe('an implementation that fails in the explorer', () => {
  it('is an implementation error at the first start, not an exception, when createNode() throws', () => {
    for (const clone of [true, false]) {
      const cannotCreate = { name: 'cannot-create', version: '1', createNode: () => { throw new Error('no memory'); } };
      const result = search(cannotCreate, { clone, liveInstancesMax: 3 });
      expect(result.status).toBe('implementationError');
      expect(result.implementationError?.message).toBe('threw Error: no memory');
    }
  });

  it('is an implementation error with its path when re-creating a state fails, not an exception', () => {
    const { implementation, counts } = counted({ clone: false, createdMax: 40 });
    const result = search(implementation, { liveInstancesMax: 1 });
    expect(counts.created).toBe(41);
    expect(result.status).toBe('implementationError');
    expect(result.implementationError?.message).toBe('threw Error: the program no longer starts');
    expect(result.path!.length).toBe(result.depth);
    expect(counts.live).toBe(0);
  });

  it('is an implementation error of the same kind, with its path, when an input throws while a state is re-created', () => {
    const base = counted({ clone: false });
    let replays = 0;
    // Times out on the 30th start input, here one replayed to re-create a state.
    const implementation: Implementation = {
      ...base.implementation,
      createNode: () => {
        const node = base.implementation.createNode();
        const step = node.step;
        node.step = (input) => {
          if (input.kind === 'start' && ++replays >= 30) throw new ProcessTimeoutError('start timed out');
          return step(input);
        };
        return node;
      },
    };
    const result = search(implementation, { liveInstancesMax: 1 });
    expect(result.status).toBe('implementationError');
    expect(result.implementationError?.message).toMatch(/^threw ProcessTimeoutError: re-creating a node state by handing its inputs again \(input 1 of \d+, a start; .*\): start timed out$/);
    expect(implementationErrorKind(result.implementationError!.message)).toBe('timedOut');
    expect(result.path).not.toBeNull();
    expect(base.counts.live).toBe(0);
  });
});
