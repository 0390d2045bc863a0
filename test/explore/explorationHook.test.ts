// Symmetry reduction comes through the contract's optional exploration hook, which any
// implementation may offer: the explorer never looks past the contract at what a node is. An
// implementation that offers the hook (here a module wrapping the reference in nodes of its own)
// is reduced as the reference is; one without it, even one made of reference nodes, is opaque and
// keeps symmetry off.

import { describe, expect, it } from 'vitest';
import type { ExplorationHook, Implementation, Input, NodeInstance, Output } from '../../src/contract/contract.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { referenceExploration } from '../../src/raft/exploration.js';
import type { RaftNode } from '../../src/raft/node.js';
import { smallExplore } from '../support/explore.js';

/** A node of the module's own that holds a reference node, as a module wrapping a library would. */
interface WrappedNode extends NodeInstance {
  readonly inner: RaftNode;
}

function wrap(inner: RaftNode): WrappedNode {
  return {
    inner,
    step: (input: Input): Output => inner.step(input),
    stateDigest: () => inner.stateDigest(),
    clone: () => wrap(inner.clone()),
  };
}

/** The module's hook: the reference's, reached through its own nodes. */
const wrappedExploration: ExplorationHook = {
  ...referenceExploration,
  symmetryNote: 'on: the wrapped reference renames exactly',
  digestNode: (instance, sink) => referenceExploration.digestNode((instance as WrappedNode).inner, sink),
  digestNodeIds: (instance, rename, sink) => referenceExploration.digestNodeIds((instance as WrappedNode).inner, rename, sink),
};

function moduleImplementation(hook: ExplorationHook | null): Implementation {
  const reference = referenceImplementation();
  const implementation: Implementation = { name: 'wrapped-reference', version: '1.0.0', createNode: () => wrap(reference.createNode() as RaftNode) };
  if (hook !== null) implementation.exploration = hook;
  return implementation;
}

const search = (implementation: Implementation) => smallExplore(implementation, { symmetry: true });

describe('symmetry reduction through the exploration hook', () => {
  const reference = search(referenceImplementation());
  const hooked = search(moduleImplementation(wrappedExploration));

  it('is on for a module implementation that offers the hook, though its nodes are not the reference objects', () => {
    expect(hooked.status).toBe('ok');
    expect(hooked.symmetry).toEqual({ enabled: true, permutations: 6, note: 'on: the wrapped reference renames exactly' });
    expect(hooked.distinctStates).toBeLessThan(hooked.distinctStatesWithoutSymmetry);
  });

  it('reaches the very states and transitions of the reference, whose adapter offers the same hook', () => {
    expect(reference.symmetry.enabled).toBe(true);
    expect([hooked.distinctStates, hooked.transitions]).toEqual([reference.distinctStates, reference.transitions]);
  });

  it('is off for the same module without the hook, saying why, and every permutation of a state counts apart', () => {
    const opaque = search(moduleImplementation(null));
    expect(opaque.status).toBe('ok');
    expect(opaque.symmetry.enabled).toBe(false);
    expect(opaque.symmetry.note).toMatch(/^off: the implementation is opaque/);
    expect(opaque.distinctStates).toBe(opaque.distinctStatesWithoutSymmetry);
    expect(opaque.distinctStates).toBeGreaterThan(hooked.distinctStates);
  });

  it('is off for an implementation whose nodes are reference nodes but that offers no hook: nothing looks past the contract', () => {
    const { name, version, createNode } = referenceImplementation();
    const bare = search({ name, version, createNode });
    expect(bare.symmetry.enabled).toBe(false);
    expect(bare.symmetry.note).toMatch(/^off: the implementation is opaque/);
  });
});
