// Coverage marks (src/world/marks.ts): every mark of the catalog fires on a real run of a shipped
// scenario (the first seed that reached it, found by running them), marks of a feature never fire
// where the feature is off, and a campaign adds them up and names the marks it never hit.

import { describe, expect, it } from 'vitest';
import { runCampaign, seedRange } from '../../src/check/campaign.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { scenarioReach } from '../../src/check/options.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { campaignSummary } from '../../src/report/campaignSummary.js';
import { formatSummary } from '../../src/report/console.js';
import { campaignPage } from '../../src/report/html.js';
import type { MarkName } from '../../src/world/marks.js';
import { markCatalog, marksNeverHit } from '../../src/world/marks.js';

/** Where each mark first fired, seeds 1 to 10 of the first scenario in which it did (2026-12-04; the membership marks again 2026-12-06, when the waits between changes came to grow with their choice). Not the swarm: its draws move whenever it learns a new dimension. */
const firstHit: Record<MarkName, [scenario: string, seed: number]> = {
  'leader-elected': ['default', 1],
  'leader-shorter-log': ['default', 1],
  'leader-after-restart': ['default', 1],
  'two-leaders': ['default', 1],
  'leader-elected-during-partition': ['default', 1],
  'leader-stepped-down': ['default', 1],
  'election-repeated': ['default', 1],
  'term-jumped': ['default', 1],
  'suffix-truncated': ['default', 1],
  'logs-diverged': ['default', 1],
  'earlier-term-committed-through-later': ['default', 1],
  'commit-leap': ['default', 1],
  'large-catch-up': ['default', 1],
  'restart-missing-committed': ['default', 1],
  'restart-from-snapshot': ['snapshot-catch-up', 1],
  'snapshot-taken': ['snapshot-catch-up', 1],
  'snapshot-installed': ['snapshot-catch-up', 1],
  'snapshot-over-longer-log': ['snapshot-catch-up', 1],
  'joint-configuration': ['membership-churn', 2],
  'joint-configuration-during-partition': ['membership-churn', 5],
  'learner-in-configuration': ['membership-churn', 2],
  'leader-removed-itself': ['membership-churn', 3],
  'leader-elected-after-membership-change': ['membership-churn', 1],
  'message-from-outside-configuration': ['membership-churn', 1],
  'stale-message-delivered': ['default', 1],
  'leader-crashed': ['default', 7],
  'crash-after-leader-commit': ['leader-crash-during-replication', 1],
  'crash-after-snapshot': ['snapshot-catch-up', 1],
  'unsynced-records-lost': ['crash-loses-unsynced-writes', 1],
  'torn-write': ['crash-loses-unsynced-writes', 1],
};

const runs = new Map<string, Record<string, number>>();
function marksOf(scenario: string, seed: number): Record<string, number> {
  const key = `${scenario}#${seed}`;
  if (!runs.has(key)) runs.set(key, runSeed({ seed, scenario: loadScenario(scenario) }).marks ?? {});
  return runs.get(key)!;
}

describe('coverage marks', () => {
  it('has at least 25 marks, each named once', () => {
    const names = markCatalog.map((mark) => mark.name);
    expect(names.length).toBeGreaterThanOrEqual(25);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(firstHit).sort()).toEqual([...names].sort());
  });

  it.each(Object.entries(firstHit))('%s fires on a real run (%j)', (mark, [scenario, seed]) => {
    expect(marksOf(scenario, seed)[mark]).toBeGreaterThan(0);
  });

  it('never fires a snapshot or membership mark where neither feature is in play', () => {
    const featureMarks = ['restart-from-snapshot', 'snapshot-taken', 'snapshot-installed', 'snapshot-over-longer-log', 'joint-configuration', 'learner-in-configuration', 'leader-removed-itself', 'leader-elected-after-membership-change', 'message-from-outside-configuration', 'crash-after-snapshot'];
    for (const seed of [1, 2, 3, 7]) {
      const marks = marksOf('default', seed);
      for (const mark of featureMarks) expect(marks[mark], `${mark} on default seed ${seed}`).toBeUndefined();
    }
  });

  it('are the same for the same seed', () => {
    expect(runSeed({ seed: 8, scenario: loadScenario('swarm-membership') }).marks).toEqual(marksOf('swarm-membership', 8));
  });

  it('add up over a campaign, with the seeds that hit each, and the summary names those never hit', () => {
    const campaign = runCampaign({ seeds: seedRange(1, 3), scenario: loadScenario('default') });
    const perSeed = [1, 2, 3].map((seed) => marksOf('default', seed));
    const elected = perSeed.reduce((total, marks) => total + (marks['leader-elected'] ?? 0), 0);
    expect(campaign.marks['leader-elected']).toEqual({ hits: elected, seeds: 3 });
    const never = marksNeverHit(campaign.marks);
    expect(never).toContain('snapshot-installed');
    expect(never).not.toContain('leader-elected');
    const text = formatSummary(campaign, { implementation: 'reference', scenario: 'default', reportDirectory: null, options: '' }, { color: false });
    expect(text).toContain(`coverage    ${markCatalog.length - never.length} of ${markCatalog.length} marks hit; never hit: ${never.join(', ')}`);
  });

  it('are listed on the campaign page, the marks never hit first', () => {
    const campaign = runCampaign({ seeds: seedRange(1, 2), scenario: loadScenario('default') });
    const summary = campaignSummary(campaign, { implementation: 'reference', scenario: 'default', options: {}, seedRange: { first: 1, count: 2 }, shard: null, failuresMax: 3, failures: [], reportDirectory: 'out' });
    expect(Object.keys(summary.marks)).toEqual(markCatalog.map((mark) => mark.name).filter((name) => campaign.marks[name] !== undefined));
    const never = marksNeverHit(campaign.marks);
    const page = campaignPage(summary, new Map());
    expect(page).toContain(`Coverage marks: ${markCatalog.length - never.length} of ${markCatalog.length} hit`);
    expect(page.indexOf(never[0])).toBeLessThan(page.indexOf('leader-elected'));
  });

  it('count only the marks an implementation can reach: none of a feature it does not list', () => {
    const campaign = runCampaign({ seeds: seedRange(1, 2), scenario: loadScenario('default') });
    const featureless = marksNeverHit(campaign.marks, []);
    expect(featureless).not.toContain('snapshot-installed');
    expect(featureless).not.toContain('joint-configuration');
    expect(marksNeverHit(campaign.marks, ['snapshots'])).toContain('snapshot-installed');
    const reachable = markCatalog.filter((mark) => mark.feature === undefined).length;
    const text = formatSummary(campaign, { implementation: 'plain', scenario: 'default', reportDirectory: null, options: '', features: [] }, { color: false });
    expect(text).toContain(`coverage    ${reachable - featureless.length} of ${reachable} marks hit`);
    const summary = campaignSummary(campaign, { implementation: 'plain', scenario: 'default', options: {}, seedRange: { first: 1, count: 2 }, shard: null, failuresMax: 3, failures: [], reportDirectory: 'out', features: [] });
    expect(summary.marksNeverHit).toEqual(featureless);
    expect(campaignPage(summary, new Map())).toContain('n/a');
  });

  it('count only the marks a scenario can reach: none of a fault it leaves out, none of a feature it does not use', () => {
    const plain = scenarioReach(loadScenario('default'), referenceImplementation());
    expect(plain.features).toEqual([]);
    const never = marksNeverHit({}, plain.features, plain.faults);
    expect(never).not.toContain('torn-write');
    expect(never).not.toContain('snapshot-installed');
    expect(never).toContain('leader-elected');
    const unsynced = scenarioReach(loadScenario('crash-loses-unsynced-writes'), referenceImplementation());
    expect(unsynced.faults).toContain('unsyncedWrites');
    // A swarm draws its faults, and the features the implementation lists among the swarm's.
    const swarm = scenarioReach(loadScenario('swarm'), referenceImplementation());
    expect(swarm.faults).toEqual(expect.arrayContaining(['unsyncedWrites', 'tornWrites', 'crashAfterLeaderCommit']));
    expect(swarm.features).toEqual(expect.arrayContaining(['membership', 'snapshots']));
    const summary = campaignSummary(
      { ...runCampaign({ seeds: seedRange(1, 1), scenario: loadScenario('default') }) },
      { implementation: 'reference', scenario: 'default', options: {}, seedRange: { first: 1, count: 1 }, shard: null, failuresMax: 3, failures: [], reportDirectory: 'out', ...plain },
    );
    expect(summary.marksNeverHit).not.toContain('unsynced-records-lost');
    expect(campaignPage(summary, new Map())).toContain('out of reach in this campaign: it needs writes left unsynced for a while (sync latency)');
  });
});
