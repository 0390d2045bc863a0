// Torn variants of a durability probe (src/world/probes.ts): where a crash may keep a torn prefix
// of the unsynced records, a shadow is restarted from each such prefix too. The broken promise
// here is hand-built so that only a torn variant sees it: the reference, but a node that grants its
// vote again (a duplicated RequestVote) rewrites its hard state without a sync, as a cleared vote
// and then the vote. Its synced records hold the vote, and so does everything it wrote; a crash
// that tears the rewrite after the cleared vote leaves a node that may vote again in that term.
// Last, which implementations are probed when nobody says.

import { describe, expect, it } from 'vitest';
import { allInvariants } from '../../invariants/index.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { exploreImplementationOptions } from '../../src/cli/exploreCommand.js';
import type { Implementation, NodeInstance, Output } from '../../src/contract/contract.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { durabilityInvariant, probesByDefault } from '../../src/world/probes.js';
import type { World } from '../../src/world/system.js';
import { TransitionSystem } from '../../src/world/system.js';

/** The reference with the torn-unsafe regrant described above (no exploration hook: its nodes are wrapped). */
function rewritesVoteOnRegrant(): Implementation {
  const reference = referenceImplementation();
  const grantOf = (output: Output) => {
    const outbound = output.messages.find((candidate) => {
      const view = reference.messageView!(candidate.message);
      return view?.kind === 'voteResponse' && view.granted && view.preVote !== true;
    });
    return outbound === undefined ? null : `${reference.messageView!(outbound.message)!.term}/${outbound.to}`;
  };
  /** `granted`: the last vote this node granted, as term/candidate. */
  const wrap = (inner: NodeInstance, granted: string | null): NodeInstance => {
    const node: NodeInstance = {
      step(input) {
        const output = inner.step(input);
        const grant = grantOf(output);
        const again = grant !== null && grant === granted;
        if (grant !== null) granted = grant;
        if (!again) return output;
        const [term, candidate] = grant.split('/').map(Number);
        return { ...output, records: [{ kind: 'hardState', term, votedFor: null }, { kind: 'hardState', term, votedFor: candidate }], sync: false };
      },
      stateDigest: () => inner.stateDigest!(),
      clone: () => wrap(inner.clone!(), granted),
    };
    return node;
  };
  return { name: 'rewrites-vote-on-regrant', version: '1', features: reference.features, messageView: reference.messageView, createNode: () => wrap(reference.createNode(), null) };
}

function explorer(durabilityProbes: boolean): TransitionSystem {
  const unbounded = Number.POSITIVE_INFINITY;
  return new TransitionSystem({
    ...{ implementation: rewritesVoteOnRegrant(), invariants: allInvariants, nodes: 3, implementationOptions: exploreImplementationOptions },
    ...{ symmetry: false, clone: true, durabilityProbes },
    ...{ termMax: unbounded, crashesMax: unbounded, requestsMax: unbounded, dropsMax: unbounded, reordersMax: unbounded, messagesInFlightMax: unbounded },
  });
}

/** n1 campaigns, n2 grants its vote (synced), then n2 is handed the same RequestVote again. */
function regrant(system: TransitionSystem) {
  let world: World = system.initial().world;
  world = system.apply(world, { kind: 'timeout', node: 1 }).world;
  const index = world.messages.findIndex((message) => message.to === 2);
  const request = world.messages[index];
  const granted = system.apply(world, { kind: 'deliver', message: index });
  const again = system.apply(granted.world, { kind: 'duplicate', from: 1, to: 2, message: request.message });
  return { granted, again };
}

describe('torn variants of a durability probe', () => {
  it('catch in the explorer a regrant whose unsynced rewrite a crash could tear, which the synced records alone keep', () => {
    const { granted, again } = regrant(explorer(true));
    expect(granted.violation).toBeNull();
    expect(again.violation?.invariant).toBe(durabilityInvariant);
    expect(again.violation?.message).toMatch(/^n2 granted its vote in term 1 to n1, but a restart from its records durable as the message leaves and a torn 1 of the 2 unsynced after them has term 1 and vote none/);
    expect(again.violation?.evidence).toMatchObject({ tornRecordsKept: 1, allRecordsDurable: false });
  });

  it('leave the same path alone with probes off: nothing else looks at the torn rewrite', () => {
    expect(regrant(explorer(false)).again.violation).toBeNull();
  });

  describe('in the simulator, only where the scenario allows torn writes', () => {
    const duplicating = loadScenario('lossy-duplicating-reordering-network');
    const withTornWrites = (probability: number): Scenario => ({ ...duplicating, nodes: 3, storage: { ...duplicating.storage, tornWriteProbability: probability } });
    const probeFailures = (scenario: Scenario) =>
      Array.from({ length: 10 }, (_, seed) => runSeed({ seed: seed + 1, implementation: rewritesVoteOnRegrant(), scenario }).violation).filter((violation) => violation?.invariant === durabilityInvariant);

    it('names the torn prefix that breaks the regranted vote', () => {
      const found = probeFailures(withTornWrites(0.5));
      expect(found.length).toBeGreaterThan(0);
      expect(found[0]!.message).toMatch(/granted its vote in term \d+ to n\d, but a restart from its records durable as the message leaves and a torn 1 of the 2 unsynced after them has term \d+ and vote none/);
    });

    it('tries no torn prefix where a crash loses every unsynced record', () => {
      expect(probeFailures(withTornWrites(0))).toEqual([]);
    });
  });
});

describe('durability probes by default', () => {
  const bare: Implementation = { name: 'bare', version: '1', createNode: () => referenceImplementation().createNode() };

  it('are on for an implementation that decodes its messages in process, and off for one that does not (a program)', () => {
    expect([probesByDefault(referenceImplementation()), probesByDefault(bare)]).toEqual([true, false]);
  });

  it('are as the implementation says when it says (the wasm host says on)', () => {
    expect(probesByDefault({ ...bare, durabilityProbesByDefault: true })).toBe(true);
    expect(probesByDefault({ ...referenceImplementation(), durabilityProbesByDefault: false })).toBe(false);
  });
});
