// npm run bench:bugs: the detection benchmark. For each bug of the corpus, run seeds of the
// swarm scenario until the first violation (up to a cap), shrink it, and compare with the
// hand-written minimal scenario for that bug (scenarios/minimal/<bug>.json, run with the seed in
// scenarios/minimal/seeds.json). The shrinker keeps the invariant the run failed, so where the
// bug has a hand-written form for the shrunk trace's invariant (<bug>.<invariant>.json), the
// comparison is with that form; the table names the form. Prints a table, or JSON with --json.
//
//   npm run bench:bugs -- [--seeds-max N] [--shrink-time S] [--scenario NAME] [--strategy S] [--jobs N] [--bug NAME ...] [--json]

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceImplementation } from '../src/adapters/reference.js';
import { withStrategy } from '../src/check/options.js';
import { seedRange } from '../src/check/campaign.js';
import { runSeed } from '../src/check/run.js';
import { defaultJobs, runCampaignInWorkers } from '../src/check/workers.js';
import { loadScenario } from '../src/check/scenarios.js';
import { shrinkToTrace } from '../src/check/shrinkRun.js';
import { packageRoot } from '../src/core/paths.js';
import { wallClockMs } from '../src/core/wallClock.js';
import { bugCatalog, bugsFromNames } from '../src/raft/bugs.js';
import type { SchedulingStrategy } from '../src/sim/scenario.js';
import { flag, option, repeated } from './arguments.js';

const json = flag('json');
const seedsMax = Number(option('seeds-max', '2000'));
const jobs = Number(option('jobs', String(defaultJobs())));
const shrinkTimeMs = Number(option('shrink-time', '30')) * 1000;
const scenarioName = option('scenario', 'swarm');
const chosen = repeated('bug');
const bugs = bugCatalog.filter((bug) => chosen.length === 0 || chosen.includes(bug.name));

const minimalSeeds: Record<string, number> = (() => {
  const path = join(packageRoot(), 'scenarios', 'minimal', 'seeds.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>) : {};
})();

interface Row {
  bug: string;
  found: boolean;
  seedsToFirstFailure: number | null;
  wallMsToFirstFailure: number | null;
  invariant: string | null;
  events: number | null;
  shrunkEvents: number | null;
  shrinkStoppedBy: string | null;
  /** Candidate runs and wall time of the shrink (both stages). */
  shrinkRuns: number | null;
  shrinkWallMs: number | null;
  /** The invariant the shrunk trace fails (another of the failing step's, at times). */
  shrunkInvariant: string | null;
  /** The hand-written scenario compared with: its file name without .json. */
  handMinimalForm: string | null;
  handMinimalEvents: number | null;
  ratioToHandMinimal: number | null;
}

/** The hand-written minimal run of the bug, in the form of this invariant where there is one. */
function handMinimal(bug: string, invariant: string | null, implementation: ReturnType<typeof referenceImplementation>) {
  for (const form of [...(invariant === null ? [] : [`${bug}.${invariant}`]), bug]) {
    const path = join(packageRoot(), 'scenarios', 'minimal', `${form}.json`);
    if (!existsSync(path) || minimalSeeds[form] === undefined) continue;
    return { form, events: runSeed({ seed: minimalSeeds[form], implementation, scenario: loadScenario(path) }).events };
  }
  return null;
}

// The scheduling strategy as `run` applies it: the portfolio unless --strategy says otherwise.
const scenario = withStrategy(loadScenario(scenarioName), option('strategy', '') === '' ? undefined : (option('strategy', '') as SchedulingStrategy));
const rows: Row[] = [];
for (const bug of bugs) {
  const implementation = referenceImplementation(bugsFromNames([bug.name]));
  const started = wallClockMs();
  // As `raftcheck run --bug NAME` runs them: seeds in order, over `jobs` threads.
  const campaign = await runCampaignInWorkers({
    seeds: seedRange(1, seedsMax),
    implementation,
    scenario,
    failuresMax: 1,
    jobs,
    implementationSpec: { name: implementation.name, bugs: [bug.name], source: { kind: 'reference' } },
  });
  const found = campaign.failures[0]?.run ?? null;
  const seeds = campaign.seeds;
  const wallMs = wallClockMs() - started;
  let shrunkEvents: number | null = null;
  let stoppedBy: string | null = null;
  let shrunkInvariant: string | null = null;
  let shrinkRuns: number | null = null;
  let shrinkWallMs: number | null = null;
  if (found !== null) {
    const shrunk = shrinkToTrace({ implementation, scenario, choices: found.choices, seed: found.seed, bugs: [bug.name], timeBudgetMs: shrinkTimeMs });
    shrunkEvents = shrunk.shrink.eventsAfter;
    stoppedBy = shrunk.shrink.stoppedBy;
    shrunkInvariant = shrunk.shrink.result.violation?.invariant ?? shrunk.shrink.result.status;
    shrinkRuns = shrunk.shrink.runs;
    shrinkWallMs = Math.round(shrunk.shrink.wallMs);
  }
  const minimal = handMinimal(bug.name, shrunkInvariant, implementation);
  const handMinimalEvents = minimal?.events ?? null;
  const row: Row = {
    bug: bug.name,
    found: found !== null,
    seedsToFirstFailure: found !== null ? seeds : null,
    wallMsToFirstFailure: found !== null ? Math.round(wallMs) : null,
    invariant: found?.violation?.invariant ?? (found !== null ? found.status : null),
    events: found?.events ?? null,
    shrunkEvents,
    shrinkStoppedBy: stoppedBy,
    shrinkRuns,
    shrinkWallMs,
    shrunkInvariant,
    handMinimalForm: minimal?.form ?? null,
    handMinimalEvents,
    ratioToHandMinimal: shrunkEvents !== null && handMinimalEvents !== null ? Number((shrunkEvents / handMinimalEvents).toFixed(2)) : null,
  };
  rows.push(row);
  if (!json) process.stderr.write(`${bug.name}: ${row.found ? `found at seed ${row.seedsToFirstFailure} (${row.invariant}), shrunk ${row.events} -> ${row.shrunkEvents} in ${row.shrinkRuns} runs, ${row.shrinkWallMs} ms` : `not found in ${seeds} seeds`}\n`);
}

const foundCount = rows.filter((row) => row.found).length;
// A bug not found within the cap counts as later than every found one (the median is then a bound).
const times = rows.map((row) => (row.found ? (row.wallMsToFirstFailure as number) : Number.POSITIVE_INFINITY)).sort((a, b) => a - b);
const medianTime = times.length === 0 ? null : times[Math.floor((times.length - 1) / 2)];
const medianWallMs = medianTime === null || medianTime === Number.POSITIVE_INFINITY ? null : medianTime;
const summary = { scenario: scenarioName, seedsMax, jobs, shrinkTimeSeconds: shrinkTimeMs / 1000, found: foundCount, bugs: rows.length, medianWallMsToFirstFailure: medianWallMs, rows };
if (json) {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} else {
  const header = ['bug', 'found', 'seeds', 'wall ms', 'invariant', 'events', 'shrunk', 'hand-minimal', 'ratio'];
  const cells = rows.map((row) => [
    row.bug,
    row.found ? 'yes' : 'no',
    String(row.seedsToFirstFailure ?? `>${seedsMax}`),
    String(row.wallMsToFirstFailure ?? '-'),
    row.invariant ?? '-',
    String(row.events ?? '-'),
    row.shrunkEvents === null ? '-' : `${row.shrunkEvents}${row.shrinkStoppedBy === 'fixpoint' ? '' : ` (${row.shrinkStoppedBy})`}`,
    row.handMinimalEvents === null ? '-' : `${row.handMinimalEvents}${row.handMinimalForm === row.bug ? '' : ` (${row.handMinimalForm})`}`,
    row.ratioToHandMinimal === null ? '-' : `${row.ratioToHandMinimal}x`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column].length)));
  const line = (values: string[]) => values.map((value, column) => value.padEnd(widths[column])).join('  ');
  process.stdout.write(`raftcheck bench:bugs on scenario ${scenarioName} (up to ${seedsMax} seeds over ${jobs} thread(s), shrink ${shrinkTimeMs / 1000} s)\n`);
  process.stdout.write(`${line(header)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
  process.stdout.write(`found ${foundCount} of ${rows.length}; median wall time to first failure ${medianWallMs === null ? `over the cap of ${seedsMax} seeds` : `${(medianWallMs / 1000).toFixed(2)} s`}\n`);
}
