// A module implementation that is not deterministic: a counter shared by every node of every run
// in the process makes one step in 997 lose its messages, so the same seed run twice parts at
// some event, where the input is the same and what the node did is not.

import { referenceImplementation } from 'raftcheck';

let stepsInProcess = 0;

export default function createImplementation() {
  const reference = referenceImplementation();
  return {
    name: 'nondeterministic-reference',
    version: '1.0.0',
    createNode() {
      const node = reference.createNode();
      return {
        step(input) {
          stepsInProcess += 1;
          const output = node.step(input);
          return stepsInProcess % 997 === 0 ? { ...output, messages: [] } : output;
        },
      };
    },
  };
}
