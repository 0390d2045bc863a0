// The reference implementation listing only the features a test gives it, recording the options
// every start hands a node: how tests see which options an implementation is handed.

import type { Implementation, ImplementationOptions, Input } from '../../src/contract/contract.js';
import { referenceImplementation } from '../../src/adapters/reference.js';

export function recordingStarts(features: Implementation['features'], starts: ImplementationOptions[] = []): Implementation {
  const reference = referenceImplementation();
  return {
    ...reference,
    features,
    createNode() {
      const node = reference.createNode();
      return {
        ...node,
        step: (input: Input) => {
          if (input.kind === 'start') starts.push(input.options);
          return node.step(input);
        },
      };
    },
  };
}
