// The HTML reports as files: run writes a campaign page linking a page per failure, explore and
// replay --html write the failure's page, --no-html writes none; every page is self-contained
// and lets only its own script run. (test/report/browser.test.ts looks at them in Chromium.)

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { raftcheck } from '../support/cli.js';
import { campaignPage } from '../../src/report/html.js';
import type { CampaignSummary } from '../../src/report/campaignSummary.js';

function reportOf(stdout: string): string {
  return JSON.parse(stdout).reportDirectory as string;
}

describe('HTML reports on disk', () => {
  const run = raftcheck(['run', '--bug', 'term-rollback', '--seeds', '2', '--failures-max', '1', '--shrink-time', '5', '--json']);
  const folder = reportOf(run.stdout);

  it('run writes index.html linking seed-N.html, a page per failure', () => {
    const index = readFileSync(join(folder, 'index.html'), 'utf8');
    expect(index).toContain('<a href="seed-1.html">1</a>');
    expect(existsSync(join(folder, 'seed-1.html'))).toBe(true);
  });

  it('is self-contained: nothing fetched, and only the page script whose hash the policy names may run', () => {
    const page = readFileSync(join(folder, 'seed-1.html'), 'utf8');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = page.match(/<script>([\s\S]*?)<\/script>/)![1];
    const hash = createHash('sha256').update(script).digest('base64');
    expect(page).toContain(`script-src 'sha256-${hash}'`);
    expect(page).toContain("default-src 'none'");
  });

  it('run --no-html writes no page', () => {
    const quiet = raftcheck(['run', '--bug', 'term-rollback', '--seeds', '1', '--no-shrink', '--no-html', '--json']);
    expect(readdirSync(reportOf(quiet.stdout)).filter((name) => name.endsWith('.html'))).toEqual([]);
  });

  it('explore writes explore.html beside its trace, and replay --html the replay\'s page', () => {
    const explored = raftcheck(['explore', '--bug', 'term-rollback', '--depth', '4', '--json']);
    const trace = JSON.parse(explored.stdout).failures[0].trace as string;
    expect(existsSync(trace.replace(/explore\.trace\.json$/, 'explore.html'))).toBe(true);
    const replayed = raftcheck(['replay', trace, '--html']);
    expect(replayed.stderr).toContain(`report ${trace.replace(/explore\.trace\.json$/, 'explore.html')}`);
  });
});

describe('campaignPage', () => {
  it('escapes what an implementation named, and shows a failure without a page unlinked', () => {
    const summary = {
      result: 'safety', implementation: '<b>impl</b>', scenario: 'swarm', options: { seeds: '1..2' }, seeds: 2, seedsPlanned: 2, stoppedEarly: false,
      events: 10, eventsPerSecond: 5, violationsByInvariant: { 'election-safety': 1 }, inconclusiveSeeds: [],
      failures: [{ seed: 2, invariant: 'election-safety', message: 'two <i>leaders</i>', replay: 'npx raftcheck run --seed 2' }],
    } as unknown as CampaignSummary;
    const page = campaignPage(summary, new Map());
    expect(page).toContain('&lt;b&gt;impl&lt;/b&gt;');
    expect(page).toContain('two &lt;i&gt;leaders&lt;/i&gt;');
    expect(page).toContain('<tr><td>2</td>');
    expect(page).not.toContain('<script>');
  });
});
