// A module implementation for `raftcheck run --impl docs/examples/reference-module.mjs`.
//
// raftcheck imports the module and takes its default export (or its export named
// `implementation`): an Implementation {name, version, createNode}, or a function, sync or
// async, that returns one. createNode() makes one node instance; the harness hands it inputs
// (start, tick, deliver, propose, read) and it answers each with an Output, synchronously
// (docs/CONTRACT.md). This example wraps raftcheck's own reference Raft through the public API
// and counts the inputs each node handled, to show where your own code would go.

import { referenceImplementation } from 'raftcheck';

export default function createImplementation() {
  const reference = referenceImplementation();
  return {
    name: 'example-wrapped-reference',
    version: '1.0.0',
    // Optional (protocol v2): the features the nodes support (docs/CONTRACT.md). The wrapped
    // reference supports membership changes and snapshots, so the default swarm draws them for it.
    features: ['membership', 'snapshots'],
    createNode() {
      const node = reference.createNode();
      let inputs = 0;
      return {
        step(input) {
          inputs += 1;
          return node.step(input);
        },
        // Optional: a digest of the whole state, for the explorer's world fingerprints.
        stateDigest: () => `${node.stateDigest()}:${inputs}`,
      };
    },
  };
}
