// The bug corpus as data: every bug named once, described in one line, tied to invariants that
// exist, switched on only by name, and never on by default.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { bugByName, bugCatalog, bugNames, bugsFromNames, bugSwitches, noBugs, UnknownBugError } from '../../src/raft/bugs.js';
import { livenessInvariant } from '../../src/sim/liveness.js';
import { durabilityInvariant } from '../../src/world/probes.js';
import { allInvariants } from '../../invariants/index.js';

const invariantNames = new Set([...allInvariants.map((definition) => definition.name), livenessInvariant, durabilityInvariant]);

describe('the bug catalog', () => {
  it('holds the twenty-six safety bugs and three liveness bugs of the corpus, each named once', () => {
    expect(bugNames()).toEqual([
      'figure8',
      'vote-without-log-check',
      'vote-not-persisted',
      'truncate-on-stale-append',
      'commit-beyond-new-entries',
      'accept-old-term-append',
      'count-stale-votes',
      'term-rollback',
      'log-not-persisted',
      'leader-votes-for-other',
      'stale-read',
      'no-client-dedup',
      'read-before-noop',
      'fixed-election-timeout',
      'idle-leader-no-heartbeat',
      'snapshot-drops-newer-entries',
      'snapshot-without-configuration',
      'install-snapshot-older-than-commit',
      'config-change-before-term-commit',
      'concurrent-config-changes',
      'config-on-commit-not-append',
      'learner-votes-counted',
      'removed-node-disrupts',
      'prevote-bumps-term',
      'checkquorum-never-steps-down',
      'lease-read-ignores-drift',
      'prevote-skips-log-check',
      'transfer-to-lagging-node',
      'transfer-accepts-proposals',
    ]);
    expect(bugCatalog.filter((bug) => bug.kind === 'safety')).toHaveLength(26);
    expect(bugCatalog.filter((bug) => bug.kind === 'liveness')).toHaveLength(3);
  });

  it('names the source of every bug class in one line: a paper or thesis section, an issue, an analysis', () => {
    for (const bug of bugCatalog) {
      expect(bug.source).not.toContain('\n');
      expect(bug.source, bug.name).toMatch(/Raft paper|Raft thesis|Ongaro|#\d+|Jepsen/);
    }
  });

  it('names every bug in kebab case with a one-line description', () => {
    for (const bug of bugCatalog) {
      expect(bug.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(bug.description).not.toContain('\n');
      expect(bug.description.length).toBeGreaterThan(20);
      expect(bug.description.length).toBeLessThanOrEqual(120);
    }
  });

  it('expects only invariants that are registered (or the liveness check)', () => {
    for (const bug of bugCatalog) {
      for (const name of [bug.invariant, ...bug.alsoCaughtBy]) expect(invariantNames, `${bug.name}: ${name}`).toContain(name);
    }
  });

  it('expects the liveness check for the liveness bugs', () => {
    for (const bug of bugCatalog.filter((entry) => entry.kind === 'liveness')) expect(bug.invariant).toBe(livenessInvariant);
  });
});

describe('bugsFromNames', () => {
  it('switches on exactly the bugs named', () => {
    const bugs = bugsFromNames(['figure8', 'term-rollback']);
    expect([...bugs.enabled].sort()).toEqual(['figure8', 'term-rollback']);
    expect(bugByName('figure8')?.kind).toBe('safety');
  });

  it('gives no bugs for no names', () => {
    expect(bugsFromNames([])).toBe(noBugs);
    expect(noBugs.enabled.size).toBe(0);
  });

  it('rejects an unknown name, listing every known bug', () => {
    expect(() => bugsFromNames(['figure8', 'figure9'])).toThrow(UnknownBugError);
    expect(() => bugsFromNames(['figure9'])).toThrow(`unknown bug "figure9"; known bugs: ${bugNames().join(', ')}`);
  });
});

describe('the reference implementation', () => {
  it('is the correct Raft by default and names the bugs it runs with', () => {
    expect(referenceImplementation().name).toBe('reference');
    expect(referenceImplementation(bugsFromNames(['term-rollback', 'figure8'])).name).toBe('reference+figure8+term-rollback');
  });
});

describe('bugSwitches', () => {
  it('is one frozen switch per bug of the catalog, on for exactly the bugs named', () => {
    const switches = bugSwitches(bugsFromNames(['figure8', 'stale-read']));
    expect(Object.isFrozen(switches)).toBe(true);
    expect(Object.keys(switches)).toEqual(bugNames());
    expect(Object.entries(switches).filter(([, on]) => on).map(([name]) => name)).toEqual(['figure8', 'stale-read']);
    expect(Object.values(bugSwitches(noBugs)).some((on) => on)).toBe(false);
  });

  it('is made once per set of bugs, however many nodes read it', () => {
    const bugs = bugsFromNames(['term-rollback']);
    expect(bugSwitches(bugs)).toBe(bugSwitches(bugs));
  });
});
