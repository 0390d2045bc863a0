// JUnit XML for CI systems: one case for the campaign and one per failing seed with its replay
// command; hostile text from an implementation cannot break the XML or reach it raw.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitXml } from '../../src/report/junit.js';
import type { CampaignSummary } from '../../src/report/campaignSummary.js';
import { raftcheck } from '../support/cli.js';

function summaryWith(overrides: Partial<CampaignSummary>): CampaignSummary {
  return {
    result: 'ok', exitCode: 0, implementation: 'reference', scenario: 'swarm', options: { seeds: '1..4' }, seeds: 4, firstSeed: 1,
    seedRange: { first: 1, count: 4 }, shard: null, failuresMax: 3, events: 100, eventsPerSecond: 10, simulatedMs: 1000, wallMs: 10,
    failuresWallMs: 0, violationsByInvariant: {}, stoppedEarly: false, interrupted: null, seedsPlanned: 4, inconclusiveSeeds: [],
    inconclusive: [], inconclusiveByBound: {}, failures: [], reportDirectory: 'reports/x',
    ...overrides,
  } as CampaignSummary;
}

describe('junitXml', () => {
  it('writes one passing case for a campaign without failures', () => {
    const xml = junitXml(summaryWith({}));
    expect(xml).toContain('<testsuite name="raftcheck run: reference on swarm" tests="1" failures="0"');
    expect(xml).toContain('name="campaign, seeds 1..4"');
    expect(xml).not.toContain('<failure');
  });

  it('marks an inconclusive campaign skipped, not passed', () => {
    const xml = junitXml(summaryWith({ result: 'inconclusive', inconclusiveSeeds: [2], inconclusiveByBound: { events: 1 } }));
    expect(xml).toContain('<skipped message="inconclusive: a bound cut 1 seed(s) short (events x1): not a pass"/>');
  });

  it('escapes markup and writes control characters from an implementation as visible escapes', () => {
    const failure = { seed: 7, invariant: 'implementation-error', message: 'threw </failure><script>alert(1)</script> "x" \u001b[31m\u0000', replay: 'npx raftcheck run --seed 7', trace: null };
    const xml = junitXml(summaryWith({ result: 'implementationError', failures: [failure] as unknown as CampaignSummary['failures'] }));
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('&lt;/failure&gt;&lt;script&gt;');
    expect(xml).toContain('\\x1b[31m\\x00');
    expect(xml.match(/<failure /g)).toHaveLength(2);
    expect(xml.match(/<\/failure>/g)).toHaveLength(1);
  });
});

describe('run --junit', () => {
  it('writes a case per failing seed whose text starts with the command that replays it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'raftcheck-junit-')), 'results.xml');
    const result = raftcheck(['run', '--bug', 'term-rollback', '--seeds', '4', '--no-shrink', '--failures-max', '2', '--junit', file]);
    expect(result.status).toBe(1);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('tests="3" failures="3"');
    expect(xml).toMatch(/message="safety: [^"]+ \(stopped early after 2 of 4 seeds at the failure limit\)"/);
    expect(xml).toMatch(/<testcase classname="raftcheck run: reference\+term-rollback on swarm" name="seed 1">\n      <failure type="[a-z-]+" message="[^"]+">replay: npx raftcheck run --seed 1 --scenario swarm --bug term-rollback/);
  });

  it('refuses a file that cannot be written before the campaign runs, exit 2', () => {
    const folder = mkdtempSync(join(tmpdir(), 'raftcheck-junit-'));
    const result = raftcheck(['run', '--seeds', '1', '--junit', folder]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--junit file ${folder} is a folder`);
  });
});
