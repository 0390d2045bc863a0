// Local work (feature 'asyncStorageWrites', Message.local): storage work a node hands to its own
// local threads, as etcd's AsyncStorageWrites does. The simulator and the explorer hand it back
// to the same node in order per thread, never drop, duplicate or cut it, and discard it when the
// node crashes; a node that acknowledges before its append thread persisted is caught by the
// durability probes. The implementation here is the reference made asynchronous
// (test/support/asyncStorage.ts).

import { describe, expect, it } from 'vitest';
import { allInvariants } from '../../invariants/index.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import type { Implementation, Input, Message, NodeInstance, Output } from '../../src/contract/contract.js';
import { emptyOutput } from '../../src/contract/contract.js';
import { validateOutput } from '../../src/contract/validate.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { termPromisedBy } from '../../src/world/asyncStorage.js';
import { durabilityInvariant } from '../../src/world/probes.js';
import type { World } from '../../src/world/system.js';
import { TransitionSystem } from '../../src/world/system.js';
import { asyncStorageImplementation } from '../support/asyncStorage.js';

/** Slow disks, crashes, and a network that drops, duplicates and partitions, with asynchronous storage writes on. */
function asyncScenario(): Scenario {
  const scenario = loadScenario('crash-loses-unsynced-writes');
  scenario.implementation = { ...scenario.implementation, asyncStorageWrites: true };
  scenario.network = { ...scenario.network, dropProbability: 0.1, duplicateProbability: 0.1 };
  return { ...scenario, durationMs: 3_000 };
}

/**
 * `implementation` with every instance checking that the local work handed back to it is the work
 * it sent, in the order sent (the same objects: in process nothing copies them), and counting it.
 */
function checkedLocalWork(implementation: Implementation, problems: string[], counts: { sent: number; back: number }): Implementation {
  const wrap = (inner: NodeInstance): NodeInstance => {
    const pending: Message[] = [];
    return {
      step(input: Input): Output {
        if (input.kind === 'deliver' && input.message.local !== undefined) {
          counts.back += 1;
          if (pending.shift() !== input.message) problems.push(`local work handed back out of order, twice or to another instance: ${JSON.stringify(input.message).slice(0, 80)}`);
        }
        const output = inner.step(input);
        for (const outbound of output.messages) if (outbound.message.local !== undefined) pending.push(outbound.message);
        counts.sent += output.messages.filter((outbound) => outbound.message.local !== undefined).length;
        return output;
      },
    };
  };
  return { ...implementation, createNode: () => wrap(implementation.createNode()) };
}

describe('local work in the contract', () => {
  const work: Message = { type: 'StorageAppend', body: {}, local: 'append' };
  const input: Input = { kind: 'tick' };

  it('lets a node hand local work to itself', () => {
    expect(validateOutput({ ...emptyOutput(), messages: [{ to: 2, message: work }] }, 2, [1, 2, 3], input)).toBeNull();
  });

  it('refuses local work addressed to another node, and a network message to itself', () => {
    expect(validateOutput({ ...emptyOutput(), messages: [{ to: 1, message: work }] }, 2, [1, 2, 3], input)).toMatch(/local work goes to the node itself/);
    expect(validateOutput({ ...emptyOutput(), messages: [{ to: 2, message: { type: 'Append', body: {} } }] }, 2, [1, 2, 3], input)).toMatch(/to itself/);
  });

  it('refuses a local thread other than append and apply', () => {
    const odd = { type: 'StorageAppend', body: {}, local: 'flush' } as unknown as Message;
    expect(validateOutput({ ...emptyOutput(), messages: [{ to: 2, message: odd }] }, 2, [1, 2, 3], input)).toMatch(/expected 'append' or 'apply'/);
  });
});

describe('the term a message promises with asynchronous storage writes', () => {
  it('is the sender\'s term for every message of a node without them', () => {
    expect(termPromisedBy({ kind: 'voteRequest', term: 5, candidate: 1, lastIndex: 0, lastTerm: 0 }, 5, false)).toBe(5);
    expect(termPromisedBy(null, 5, false)).toBe(5);
  });

  it('is none for vote requests, heartbeat answers and pre-votes, which leave before the storage work', () => {
    expect(termPromisedBy({ kind: 'voteRequest', term: 5, candidate: 1, lastIndex: 0, lastTerm: 0 }, 5, true)).toBe(0);
    expect(termPromisedBy({ kind: 'heartbeatResponse', term: 5 }, 5, true)).toBe(0);
    expect(termPromisedBy({ kind: 'voteResponse', term: 6, granted: true, preVote: true }, 5, true)).toBe(0);
    expect(termPromisedBy(null, 5, true)).toBe(0);
  });

  it('is the term an answer or a leader\'s message carries, never more than the sender\'s', () => {
    expect(termPromisedBy({ kind: 'voteResponse', term: 4, granted: true }, 5, true)).toBe(4);
    expect(termPromisedBy({ kind: 'appendResponse', term: 5, success: true, matchIndex: 3 }, 5, true)).toBe(5);
    expect(termPromisedBy({ kind: 'append', term: 5, prevIndex: 0, prevTerm: 0, entries: 0, commit: 0 }, 5, true)).toBe(5);
  });
});

describe('local work in the simulator', () => {
  it('comes back in order, once, to the instance that sent it, through loss, duplication, partitions and crashes, over 10 seeds', () => {
    const problems: string[] = [];
    const counts = { sent: 0, back: 0 };
    const implementation = checkedLocalWork(asyncStorageImplementation(referenceImplementation()), problems, counts);
    const lost: string[] = [];
    for (let seed = 1; seed <= 10; seed += 1) {
      const result = runSeed({ seed, implementation, scenario: asyncScenario(), recordEvents: true });
      expect(result.status, `seed ${seed}`).toBe('ok');
      for (const event of result.eventLog ?? []) if (event.note?.includes('its local thread with it') === true) lost.push(`seed ${seed} event ${event.n}`);
    }
    expect(problems).toEqual([]);
    expect(counts.back).toBeGreaterThan(1000);
    // Work in flight when its node crashed never came back (and sent minus handed back is what was lost or still pending at the end).
    expect(lost.length).toBeGreaterThan(0);
    expect(counts.sent).toBeGreaterThan(counts.back);
  });

  it('replays a seed to the same trace hash', () => {
    const implementation = asyncStorageImplementation(referenceImplementation());
    const first = runSeed({ seed: 7, implementation, scenario: asyncScenario() });
    const second = runSeed({ seed: 7, implementation, scenario: asyncScenario() });
    expect(second.traceHash).toBe(first.traceHash);
  });

  it('is not handed to an implementation that does not list the feature: the option is left out', () => {
    const reference = referenceImplementation();
    const starts: Input[] = [];
    const watching: Implementation = {
      ...reference,
      createNode: () => {
        const inner = reference.createNode();
        return { step: (input) => (input.kind === 'start' && starts.push(input), inner.step(input)) };
      },
    };
    runSeed({ seed: 1, implementation: watching, scenario: { ...asyncScenario(), durationMs: 200 } });
    expect(starts.length).toBeGreaterThan(0);
    expect(starts.every((start) => start.kind === 'start' && start.options.asyncStorageWrites === undefined)).toBe(true);
  });

  it('catches a node that acknowledges before its append thread persisted, on every one of 5 seeds', () => {
    const broken = asyncStorageImplementation(referenceImplementation(), { acknowledgeBeforePersisting: true });
    for (let seed = 1; seed <= 5; seed += 1) {
      const result = runSeed({ seed, implementation: broken, scenario: asyncScenario() });
      expect(result.status, `seed ${seed}`).toBe('safety');
      expect(result.violation?.invariant).toBe(durabilityInvariant);
    }
  });
});

describe('local work in the explorer', () => {
  function explorer(): TransitionSystem {
    const unbounded = Number.POSITIVE_INFINITY;
    return new TransitionSystem({
      ...{ implementation: asyncStorageImplementation(referenceImplementation()), invariants: allInvariants, nodes: 3 },
      implementationOptions: { ...exploreImplementationOptions, asyncStorageWrites: true },
      ...{ symmetry: false, clone: false, durabilityProbes: true },
      ...{ termMax: unbounded, crashesMax: unbounded, requestsMax: unbounded, dropsMax: unbounded, reordersMax: unbounded, messagesInFlightMax: unbounded },
    });
  }

  /** The local work in flight to node `id`, in order. */
  const localWork = (world: World, id: number) => world.messages.filter((message) => message.to === id && message.message.local !== undefined);

  it('offers only the oldest work of a thread, never drops it, and a crash discards it', () => {
    const system = explorer();
    let world = system.initial().world;
    // Time out n1 (it campaigns: its vote for itself is local append work), then follow the first deliverable choice of each kind.
    world = system.apply(world, { kind: 'timeout', node: 1 }).world;
    expect(localWork(world, 1).length).toBeGreaterThan(0);
    world = system.apply(world, { kind: 'timeout', node: 1 }).world;
    const pending = localWork(world, 1);
    expect(pending.length).toBeGreaterThan(1);
    const choices = system.choices(world);
    const local = choices.filter((choice) => (choice.kind === 'deliver' || choice.kind === 'drop') && world.messages[choice.message].message.local !== undefined);
    expect(local).toEqual([{ kind: 'deliver', message: world.messages.indexOf(pending[0]) }]);
    const crashed = system.apply(world, { kind: 'crash', node: 1, unsyncedKept: 0 }).world;
    expect(localWork(crashed, 1)).toEqual([]);
  });

  it('refuses a recorded step that drops local work or hands it back out of order', () => {
    const system = explorer();
    let world = system.apply(system.initial().world, { kind: 'timeout', node: 1 }).world;
    world = system.apply(world, { kind: 'timeout', node: 1 }).world;
    const [first, second] = localWork(world, 1);
    expect(system.choiceOf(world, { kind: 'drop', from: 1, to: 1, message: first.message })).toBeNull();
    expect(system.choiceOf(world, { kind: 'deliver', from: 1, to: 1, message: second.message })).toBeNull();
    expect(system.choiceOf(world, { kind: 'deliver', from: 1, to: 1, message: first.message })).not.toBeNull();
  });
});
