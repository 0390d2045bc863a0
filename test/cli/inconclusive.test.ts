// A run cut short by a bound is inconclusive, never ok: the scenario's event bound and a check's
// search budget make a seed inconclusive, a campaign with such seeds and no failure exits 6 (a
// failure still wins), and the console, summary.json and --json say which bound and how far the
// run got. explore says bounded, never complete, when a bound withheld a state or choice.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runCampaign } from '../../src/check/campaign.js';
import { inconclusiveOf, runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { exitCodes } from '../../src/report/exitCodes.js';
import { Simulation } from '../../src/sim/simulation.js';
import { allInvariants } from '../../invariants/index.js';
import { raftcheck } from '../support/cli.js';

const folder = mkdtempSync(join(tmpdir(), 'raftcheck-inconclusive-'));

/** The reproduction: the idle-leader scenario, unnamed, with an event bound of 50. */
function cappedScenarioFile(): string {
  const scenario = JSON.parse(readFileSync('scenarios/minimal/idle-leader-no-heartbeat.json', 'utf8'));
  delete scenario.name;
  scenario.eventsMax = 50;
  const path = join(folder, 'capped.json');
  writeFileSync(path, JSON.stringify(scenario));
  return path;
}

describe('a run stopped by the scenario event bound', () => {
  const capped = cappedScenarioFile();
  const args = ['run', '--scenario', capped, '--bug', 'idle-leader-no-heartbeat', '--seed', '1869', '--no-shrink'];

  it('is a liveness failure without the bound, and inconclusive with it: exit 6, not 0', () => {
    const uncapped = raftcheck(['run', '--scenario', 'scenarios/minimal/idle-leader-no-heartbeat.json', ...args.slice(3)]);
    expect(uncapped.status).toBe(exitCodes.liveness);
    const text = raftcheck(args);
    expect(text.status).toBe(exitCodes.inconclusive);
    expect(text.stdout).toContain('result      inconclusive');
    expect(text.stdout).not.toContain('result      ok');
    expect(text.stdout).toMatch(/seed 1869: stopped at the scenario's event bound \(eventsMax 50\) after 50 events/);
  });

  it('says in --json and summary.json which bound it was and how far the run got', () => {
    const json = raftcheck([...args, '--json']);
    expect(json.status).toBe(6);
    const summary = JSON.parse(json.stdout);
    expect(summary).toMatchObject({ result: 'inconclusive', exitCode: 6, inconclusiveSeeds: [1869], inconclusiveByBound: { events: 1 }, failures: [] });
    expect(summary.inconclusive).toEqual([expect.objectContaining({ seed: 1869, bound: 'events', events: 50, durationMs: 2 })]);
    expect(summary.inconclusive[0].simulatedMs).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(summary.reportDirectory, 'summary.json'), 'utf8'))).toEqual(summary);
  });
});

describe('inconclusive runs in the library', () => {
  it('names the bound and says the liveness phase was never reached when the run stopped in the fault phase', () => {
    const scenario = { ...loadScenario('default'), eventsMax: 300 };
    const inconclusive = inconclusiveOf(runSeed({ seed: 1, scenario }));
    expect(inconclusive).toMatchObject({ bound: 'events', events: 300, durationMs: scenario.durationMs, livenessPhaseReached: false });
    expect(inconclusive!.reason).toContain('the liveness phase was never reached');
    expect(inconclusiveOf(runSeed({ seed: 1 }))).toBeNull();
  });

  it('names a full event queue as the bound when the queue ended the run', () => {
    const scenario = { ...loadScenario('default'), nodes: 3 };
    const result = new Simulation({ implementation: referenceImplementation(), scenario, seed: 7, invariants: allInvariants, eventQueueCapacity: 12 }).run();
    expect(inconclusiveOf(result)).toMatchObject({ bound: 'queue', events: result.events, reason: expect.stringContaining('stopped at a full event queue') });
  });

  it('makes a campaign with no failure inconclusive, and lets a failure win over inconclusive seeds', () => {
    const scenario = { ...loadScenario('swarm'), eventsMax: 1500 };
    const passing = runCampaign({ seeds: [3, 4], scenario });
    expect(passing.result).toBe('inconclusive');
    expect(passing.inconclusiveByBound).toEqual({ events: 2 });
    const failing = runCampaign({ seeds: [1, 3], scenario, implementation: referenceImplementation(bugsFromNames(['truncate-on-stale-append'])) });
    // Re-pinned when the swarm drew a partition after a leader's commit: seed 1 now fails within the bound, 3 does not.
    expect(failing.failures.map((failure) => failure.seed)).toEqual([1]);
    expect(failing.inconclusiveSeeds).toEqual([3]);
    expect(failing.result).toBe('safety');
  });
});

describe('the inconclusive exit code', () => {
  it('is documented in --help and the README', () => {
    expect(raftcheck(['run', '--help']).stdout).toContain('6  inconclusive');
    expect(readFileSync('README.md', 'utf8')).toContain('| 6 | inconclusive');
  });
});

describe('explore at its bounds', () => {
  it('says bounded, not complete, when a shaping bound withheld states, and exits 0', () => {
    const bounded = raftcheck(['explore', '--depth', '5', '--max-term', '2', '--json']);
    expect(bounded.status).toBe(0);
    expect(JSON.parse(bounded.stdout)).toMatchObject({ result: 'ok', stoppedBy: 'exhausted', complete: false, coverage: 'bounded' });
    const text = raftcheck(['explore', '--depth', '5', '--max-term', '2']);
    expect(text.stdout).toContain('bounded, not complete');
    expect(text.stdout).not.toContain('; complete');
  });

  it('is inconclusive, exit 6, when a stopping bound cut the search short', () => {
    const cut = raftcheck(['explore', '--depth', '12', '--max-states', '500', '--json']);
    expect(cut.status).toBe(6);
    expect(JSON.parse(cut.stdout)).toMatchObject({ result: 'inconclusive', exitCode: 6, stoppedBy: 'states', complete: false, coverage: 'cut short' });
  });
});
