// A TypeScript module implementation: raftcheck transpiles it before importing it.
import { referenceImplementation } from 'raftcheck';

interface Named {
  name: string;
  version: string;
}

const identity: Named = { name: 'typed-reference', version: '2.0.0' };

export const implementation = { ...referenceImplementation(), ...identity };
