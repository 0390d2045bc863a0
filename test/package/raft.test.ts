// The README's test-runner example, run by CI (test/package/run.sh) in a fresh project that
// installed the packed raftcheck tarball: the way users meet the package.
import { describe, expect, it } from 'vitest';
import { assertRaft, bugsFromNames, referenceImplementation } from 'raftcheck';

describe('my Raft under raftcheck', () => {
  it('survives 50 seeds of the swarm scenario', async () => {
    await assertRaft({ implementation: referenceImplementation(), seeds: 50 });
  }, 60_000);

  it('fails with the seed on the first line when a bug is in', async () => {
    const buggy = referenceImplementation(bugsFromNames(['vote-without-log-check']));
    await expect(assertRaft({ implementation: buggy, scenario: 'default', seeds: 20, shrinkTimeMs: 5_000 })).rejects.toThrow(
      /^raftcheck: seed \d+ failed: safety violation of [a-z-]+\n/,
    );
  }, 60_000);
});
