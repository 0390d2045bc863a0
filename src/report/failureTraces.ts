// A failing seed of a campaign, put on disk and described: its trace first (whatever happens
// next, it is on disk), then, on request, the shrunk trace beside it (the best so far on disk
// while the shrink runs), and the JSON record and console block that start with the command
// reproducing it. `raftcheck run` and assertRaft (src/report/assertRaft.ts) share this, so a
// failure in a test runner reads as it does on the command line.

import { join } from 'node:path';
import type { CampaignFailure } from '../check/campaign.js';
import { faultsExercised, faultSummary } from '../check/options.js';
import { traceOf } from '../check/run.js';
import { shrinkToTrace } from '../check/shrinkRun.js';
import type { Implementation } from '../contract/contract.js';
import { writeFileAtomic, writeJsonAtomic } from '../core/files.js';
import { failurePage } from './html.js';
import { escapeControlCharacters, plural } from '../core/text.js';
import type { ShrinkProgress, ShrinkResult } from '../shrink/shrink.js';
import { keptFailureNote } from '../shrink/shrink.js';
import type { Scenario } from '../sim/scenario.js';
import type { ConsoleStyle } from './console.js';
import { formatFailure } from './console.js';
import type { FailureRecord } from './failureRecord.js';
import { failureRecord } from './failureRecord.js';
import type { ReportDirectory } from './reportDirectory.js';

export interface FailureTraceOptions {
  implementation: Implementation;
  /** The campaign's scenario (a swarm seed's run holds what it drew). */
  scenario: Scenario;
  /** Bugs of the reference switched on, recorded in the traces. */
  bugs: readonly string[];
  report: ReportDirectory;
  /**
   * The command that re-runs the seed (`raftcheck run --seed ...`), shown as the replay command
   * when the failure is not shrunk; null: replay the trace file.
   */
  rerunCommand: string | null;
  shrink: boolean;
  /** Wall-clock bound of the shrink, in milliseconds. */
  shrinkTimeMs: number;
  onShrinkProgress?: (progress: ShrinkProgress) => void;
  /** Also write the failure's HTML page (seed-N.html) beside its traces (default on). */
  html?: boolean;
}

export interface FailureOnDisk {
  /** The failure as shown: with the shrunk trace's run when the shrink ran. */
  failure: CampaignFailure;
  /** The trace to replay (the shrunk one when the shrink ran), for display. */
  tracePath: string;
  /** The command that reproduces the failure: the first thing to print. */
  replayCommand: string;
  /** The command that re-runs the seed, when it differs from replayCommand. */
  rerunCommand: string | null;
  /** What the shrink did, in one line; null when it did not run. */
  shrinkLine: string | null;
  /** The faults of the trace shown: the seed's fault mix, or what happened in the shrunk trace. */
  faults: string;
  record: FailureRecord;
  /** The failure's HTML page, for display, when written. */
  htmlPath: string | null;
}

export function writeFailureTraces(failure: CampaignFailure, options: FailureTraceOptions): FailureOnDisk {
  const { report } = options;
  const originalTrace = join(report.path, `seed-${failure.seed}.trace.json`);
  let traceShown = traceOf(failure.run, options.bugs);
  writeJsonAtomic(originalTrace, traceShown);
  let shown = failure.run;
  let tracePath = originalTrace;
  let shrinkLine: string | null = null;
  let shrunkEvents: number | undefined;
  let faults = faultSummary(failure.run.scenario);
  // A failure before the first event (a handshake) is as short as it gets: no budget spent on it.
  if (options.shrink && failure.determinism === null && failure.run.events === 0) shrinkLine = 'not shrunk: it fails before the first event';
  else if (options.shrink && failure.determinism === null) {
    const shrunkTrace = join(report.path, `seed-${failure.seed}.shrunk.trace.json`);
    const shrunk = shrinkToTrace({
      implementation: options.implementation,
      scenario: options.scenario,
      choices: failure.run.choices,
      seed: failure.seed,
      bugs: options.bugs,
      timeBudgetMs: options.shrinkTimeMs,
      onProgress: options.onShrinkProgress,
      // Resumable: the best trace so far is always on disk (raftcheck shrink continues it).
      bestSoFarPath: shrunkTrace,
    });
    writeJsonAtomic(shrunkTrace, shrunk.trace);
    traceShown = shrunk.trace;
    // An explore trace has no fault processes: the faults shown stay those the seed's run exercised.
    shown = { ...failure.run, ...shrunk.shrink.result, ...(shrunk.trace.explore !== undefined ? { scenario: failure.run.scenario } : {}) };
    tracePath = shrunkTrace;
    shrunkEvents = shrunk.shrink.eventsAfter;
    shrinkLine = describeShrink(shrunk.shrink);
    // The block shows the shrunk trace: its faults are what happened in it, not the seed's mix.
    faults = `in the shrunk trace: ${faultsExercised(shrunk.shrink.result.statistics)}; the seed's run drew: ${faults}`;
  }
  const replayTrace = `npx raftcheck replay ${shellWord(report.display(tracePath))}`;
  const replayCommand = tracePath === originalTrace && options.rerunCommand !== null ? options.rerunCommand : replayTrace;
  const htmlPath = options.html === false ? null : join(report.path, `seed-${failure.seed}.html`);
  if (htmlPath !== null) writeFileAtomic(htmlPath, failurePage(traceShown, { replayCommand }));
  const record = failureRecord(shown, {
    seed: failure.seed,
    replay: replayCommand,
    trace: report.display(tracePath),
    determinism: failure.determinism,
    origin: failure.origin,
    events: failure.run.events,
    ...(shrunkEvents !== undefined ? { shrunkEvents } : {}),
    ...(failure.run.violation !== null ? { runInvariant: failure.run.violation.invariant } : {}),
  });
  return {
    failure: { ...failure, run: shown },
    tracePath: report.display(tracePath),
    replayCommand,
    rerunCommand: options.rerunCommand !== null && options.rerunCommand !== replayCommand ? options.rerunCommand : null,
    shrinkLine,
    faults,
    record,
    htmlPath: htmlPath === null ? null : report.display(htmlPath),
  };
}

/** The console block of a failure on disk, as `raftcheck run` prints it. */
export function formatFailureOnDisk(written: FailureOnDisk, style: ConsoleStyle): string {
  const lines = [formatFailure({ failure: written.failure, replayCommand: written.replayCommand, tracePath: written.tracePath, faults: written.faults }, style)];
  if (written.shrinkLine !== null) lines.push(`  ${written.shrinkLine}`);
  if (written.shrinkLine !== null && written.rerunCommand !== null) lines.push(`  rerun the seed: ${written.rerunCommand}`);
  if (written.htmlPath !== null) lines.push(`  page: ${escapeControlCharacters(written.htmlPath)}`);
  return lines.join('\n');
}

export function describeShrink(result: ShrinkResult): string {
  const helped = result.passes.filter((pass) => pass.improvements > 0).map((pass) => pass.pass);
  const stop =
    result.stoppedBy === 'fixpoint' ? 'to a fixpoint' : result.stoppedBy === 'interrupted' ? 'until interrupted (the best so far)' : `until the ${result.stoppedBy} bound (--shrink-time)`;
  const kept = keptFailureNote(result);
  const cut = result.cutAfterSteps === undefined ? '' : ` (begun from the durable state ${result.cutAfterSteps} ${plural(result.cutAfterSteps, 'step')} of the path left)`;
  return `shrunk ${result.eventsBefore} -> ${result.eventsAfter} ${plural(result.eventsAfter, 'event')}${cut} in ${result.runs} ${plural(result.runs, 'run')}, ${stop}; passes that helped: ${helped.join(', ') || 'none'}${kept === null ? '' : ` (${kept})`}`;
}

/** A word as a POSIX shell reads it back: quoted unless it is plainly safe. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
