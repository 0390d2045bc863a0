// The explorer's options are checked before anything runs, as etcd's Config.validate: every bad
// field is named with the reason, all at once, and explore() throws ExploreOptionsError instead
// of failing somewhere inside the search.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import type { Implementation } from '../../src/contract/contract.js';
import { ExploreOptionsError, exploreOptionProblems } from '../../src/explore/options.js';
import type { ExploreOptions } from '../../src/explore/search.js';
import { defaultExploreBounds, explore } from '../../src/explore/search.js';

function validOptions(): ExploreOptions {
  return {
    implementation: referenceImplementation(),
    nodes: 3,
    strategy: 'bfs',
    bounds: { ...defaultExploreBounds, depthMax: 3 },
    implementationOptions: { ...exploreImplementationOptions },
    symmetry: true,
    clone: true,
    seed: 1,
    walksMax: 10,
    pctDepth: 3,
  };
}

/** The options with one field (a dotted path) set to a value. */
function withField(path: string, value: unknown): Record<string, unknown> {
  const options = structuredClone({ ...validOptions(), implementation: undefined }) as Record<string, unknown>;
  options.implementation = referenceImplementation();
  const parts = path.split('.');
  const parent = parts.slice(0, -1).reduce((object, part) => object[part] as Record<string, unknown>, options);
  parent[parts[parts.length - 1]] = value;
  return options;
}

const notANumber = ['3', null, Number.NaN, Number.POSITIVE_INFINITY, true];
const counts = ['bounds.depthMax', 'bounds.termMax', 'bounds.crashesMax', 'bounds.requestsMax', 'bounds.dropsMax', 'bounds.reordersMax', 'bounds.messagesInFlightMax', 'bounds.statesMax', 'walksMax'];
const badValues: [field: string, values: unknown[]][] = [
  ['nodes', [0, 8, 2.5, -1, undefined, ...notANumber]],
  ['strategy', ['bfs ', 'BFS', 'astar', 1, undefined]],
  ...counts.map((field): [string, unknown[]] => [field, [-1, 0.5, 1_000_000_001, undefined, ...notANumber]]),
  ['bounds.timeMs', [0, -5, 0.5, undefined, ...notANumber]],
  ['bounds.memoryBytesMax', [0, -1, undefined, ...notANumber]],
  ['implementationOptions.electionTicksMin', [0, 1.5, 100_001, undefined, ...notANumber]],
  ['implementationOptions.electionTicksMax', [0, 1.5, 100_001, undefined, ...notANumber]],
  ['implementationOptions.heartbeatTicks', [0, 1.5, undefined, ...notANumber]],
  ['implementationOptions.entriesPerMessageMax', [0, 10_001, undefined, ...notANumber]],
  ['symmetry', ['yes', 1, null, undefined]],
  ['clone', ['no', 0, null, undefined]],
  ['liveInstancesMax', [0, 1_000_000_001, 1.5, ...notANumber]],
  ['intern', ['true', 1, null]],
  ['memoize', ['true', 1, null]],
  ['reduction', ['true', 0, null]],
  ['seed', [-1, 0x1_0000_0000, 0.5, undefined, ...notANumber]],
  ['pctDepth', [0, 101, 1.5, undefined, ...notANumber]],
  ['implementation', [null, 'reference', {}, { name: 'x' }, { name: 1, createNode: () => null }, undefined]],
  ['onProgress', ['print', 1, null]],
  ['bounds', [null, 'deep', []]],
  ['implementationOptions', [null, 'fast', undefined]],
];

describe('exploreOptionProblems', () => {
  it('finds nothing wrong with the options the command line builds', () => {
    expect(exploreOptionProblems(validOptions())).toEqual([]);
  });

  for (const [field, values] of badValues) {
    it(`names ${field} for each bad value: ${values.map((value) => (typeof value === 'function' ? 'a function' : String(JSON.stringify(value) ?? value))).join(', ')}`, () => {
      for (const value of values) {
        const problems = exploreOptionProblems(withField(field, value));
        expect(problems.map((problem) => problem.field), `${field} = ${String(value)}`).toEqual([field]);
        expect(problems[0].reason.length).toBeGreaterThan(0);
      }
    });
  }

  it('says what was expected and what it got', () => {
    expect(exploreOptionProblems(withField('bounds.depthMax', -1))).toEqual([{ field: 'bounds.depthMax', reason: 'expected an integer from 0 to 1000000000, got -1' }]);
  });

  it('names an election timeout range that runs backwards, and heartbeats no faster than elections', () => {
    const backwards = withField('implementationOptions.electionTicksMax', 1);
    expect(exploreOptionProblems(backwards).map((problem) => problem.field)).toContain('implementationOptions.electionTicksMin');
    const slowHeartbeat = withField('implementationOptions.heartbeatTicks', 2);
    expect(exploreOptionProblems(slowHeartbeat)).toEqual([{ field: 'implementationOptions.heartbeatTicks', reason: expect.stringContaining('below electionTicksMin') }]);
  });

  it('names an unknown field and suggests the known one it is closest to', () => {
    const problems = exploreOptionProblems({ ...validOptions(), reductions: false });
    expect(problems).toEqual([{ field: 'reductions', reason: expect.stringContaining('did you mean "reduction"') }]);
  });

  it('reports every problem at once, not the first only', () => {
    const options = { ...validOptions(), nodes: 0, seed: -1, bounds: { ...validOptions().bounds, depthMax: -1 } };
    expect(exploreOptionProblems(options).map((problem) => problem.field).sort()).toEqual(['bounds.depthMax', 'nodes', 'seed']);
  });

  it('refuses options that are not an object at all', () => {
    expect(exploreOptionProblems(null)).toEqual([{ field: '(top level)', reason: 'expected an object, got null' }]);
  });
});

describe('explore with bad options', () => {
  it('throws ExploreOptionsError naming the fields, before it creates a single node', () => {
    let nodesCreated = 0;
    const reference = referenceImplementation();
    const counted: Implementation = { ...reference, createNode: () => ((nodesCreated += 1), reference.createNode()) };
    const attempt = () => explore({ ...validOptions(), implementation: counted, nodes: 0, pctDepth: 0 });
    expect(attempt).toThrow(ExploreOptionsError);
    try {
      attempt();
    } catch (error) {
      expect((error as ExploreOptionsError).problems.map((problem) => problem.field)).toEqual(['nodes', 'pctDepth']);
      expect((error as Error).message).toBe('invalid explore options:\n  nodes: expected an integer from 1 to 7, got 0\n  pctDepth: expected an integer from 1 to 100, got 0');
    }
    expect(nodesCreated).toBe(0);
  });
});
