// The console reporter: a progress line on stderr (only on a TTY), then a summary, and for each
// failure a block that starts with the exact command that reproduces it.

import { Chalk } from 'chalk';
import type { CampaignFailure, CampaignProgress, CampaignResult } from '../check/campaign.js';
import type { InconclusiveBound } from '../check/run.js';
import type { MutationOrigin } from '../check/coverage.js';
import { wallClockMs } from '../core/wallClock.js';
import { escapeControlCharacters, plural, terminalText } from '../core/text.js';
import { formatCount, formatRate, formatSeconds } from './format.js';
import { harnessErrorHeadline } from './exitCodes.js';
import type { Feature } from '../contract/contract.js';
import type { MarkFault } from '../world/marks.js';
import { markCatalog, marksNeverHit } from '../world/marks.js';

export interface ConsoleStyle {
  color: boolean;
}

function palette(style: ConsoleStyle) {
  return new Chalk({ level: style.color ? 1 : 0 });
}

/** A throttled, overwriting progress line; a no-op when the stream is not a terminal. */
export class ProgressLine {
  private lastDrawMs = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream, private readonly enabled: boolean, private readonly intervalMs = 120) {}

  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = wallClockMs();
    if (!force && now - this.lastDrawMs < this.intervalMs) return;
    this.lastDrawMs = now;
    this.stream.write(progressFrame(text, this.stream.columns));
    this.drawn = true;
  }

  clear(): void {
    if (!this.enabled || !this.drawn) return;
    this.stream.write(clearFrame(this.stream.columns));
    this.drawn = false;
  }
}

/**
 * The columns of a terminal, or the fallback where it does not know them: a pty that was never
 * sized (script, some CI runners) says 0.
 */
export function terminalColumns(columns: number | undefined, fallback = 100): number {
  return columns !== undefined && Number.isInteger(columns) && columns > 0 ? columns : fallback;
}

/** Draws a progress line over the last one, one column short of the width so the cursor never wraps. */
export function progressFrame(text: string, columns: number | undefined): string {
  const width = terminalColumns(columns) - 1;
  return `\r${text.slice(0, width).padEnd(width)}`;
}

/** Blanks a progress line and returns the cursor to its start. */
export function clearFrame(columns: number | undefined): string {
  return `\r${' '.repeat(terminalColumns(columns) - 1)}\r`;
}

export function progressText(progress: CampaignProgress): string {
  const fraction = progress.seedsTotal > 0 ? progress.seedsDone / progress.seedsTotal : 1;
  const left = progress.seedsDone > 0 ? (progress.wallMs / progress.seedsDone) * (progress.seedsTotal - progress.seedsDone) : null;
  return (
    `raftcheck: ${progressBar(fraction)} seed ${formatCount(progress.seedsDone)}/${formatCount(progress.seedsTotal)}` +
    `  ${timeLeft(left)}  ${formatRate(progress.events, progress.wallMs)} events/s  failures ${progress.failures}`
  );
}

/** A bar of `width` cells for a fraction done, and the percentage: "[#####-----]  50%". */
export function progressBar(fraction: number, width = 20): string {
  const done = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.floor(done * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(done * 100)).padStart(3)}%`;
}

/** "~1 min 20 s left", or "time left: -" before there is a rate to go by. */
export function timeLeft(milliseconds: number | null): string {
  if (milliseconds === null || !Number.isFinite(milliseconds)) return 'time left: -';
  const seconds = Math.ceil(milliseconds / 1000);
  if (seconds < 60) return `~${seconds} s left`;
  if (seconds < 3600) return `~${Math.floor(seconds / 60)} min ${seconds % 60} s left`;
  return `~${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min left`;
}

/**
 * Progress of work bounded by wall time and, for a search, a state budget: how far toward the
 * nearer bound, and the time left to it (an exhaustive search may finish sooner: the bar says how
 * long at most).
 */
export function boundedProgress(wallMs: number, timeMsMax: number, count = 0, countMax = Number.POSITIVE_INFINITY): string {
  const byTime = timeMsMax > 0 && Number.isFinite(timeMsMax) ? wallMs / timeMsMax : 0;
  const byCount = countMax > 0 && Number.isFinite(countMax) ? count / countMax : 0;
  const fraction = Math.max(byTime, byCount);
  const left = fraction > 0 ? (wallMs / fraction) * (1 - fraction) : null;
  return `${progressBar(fraction)} ${timeLeft(left)} at most`;
}

export interface FailureReport {
  failure: CampaignFailure;
  replayCommand: string;
  tracePath: string | null;
  /** The fault mix the run exercised (for swarm seeds, what the seed drew). */
  faults?: string;
}

export function formatFailure(report: FailureReport, style: ConsoleStyle): string {
  const c = palette(style);
  const { failure } = report;
  const run = failure.run;
  const lines: string[] = [];
  lines.push(c.red.bold(`FAILED seed ${failure.seed}: ${failureHeadline(failure)}`));
  lines.push(`  replay: ${c.bold(escapeControlCharacters(report.replayCommand))}`);
  if (failure.origin !== null && failure.origin !== undefined) lines.push(`  ${describeOrigin(failure.origin, failure.seed)}`);
  if (failure.determinism !== null) {
    const mismatch = failure.determinism;
    const sameInput = describeTraceEvent(mismatch.first) === describeTraceEvent(mismatch.second);
    lines.push(`  first difference after event ${mismatch.eventNumber}${sameInput ? ': the same input, and what the run did with it differs' : ''}`);
    lines.push(`    first run:  ${describeTraceEvent(mismatch.first)}${describeDigest(mismatch.firstDigest)}`);
    lines.push(`    second run: ${describeTraceEvent(mismatch.second)}${describeDigest(mismatch.secondDigest)}`);
    lines.push(`  trace hashes ${mismatch.firstTraceHash} vs ${mismatch.secondTraceHash}`);
  } else if (run.violation !== null) {
    const violation = run.violation;
    lines.push(`  ${escapeControlCharacters(violation.message)}`);
    lines.push(`  nodes ${violation.nodes.map((node) => `n${node}`).join(', ')}; event ${violation.eventNumber} of ${run.events}, at ${formatSeconds(violation.timeMs)} virtual`);
    lines.push(`  evidence ${escapeControlCharacters(JSON.stringify(violation.evidence))}`);
    if (violation.alsoViolated !== undefined) lines.push(`  the same step also violated ${violation.alsoViolated.join(', ')}`);
  } else if (run.harnessError !== null) {
    const error = run.harnessError;
    lines.push(`  ${error.invariant}: ${error.message}`);
    lines.push(`  event ${error.eventNumber} of ${run.events}, at ${formatSeconds(error.timeMs)} virtual; evidence ${JSON.stringify(error.evidence)}`);
  } else if (run.implementationError !== null) {
    const error = run.implementationError;
    // A program's stderr tail keeps its lines; everything it wrote is neutralised.
    lines.push(`  n${error.node} on ${escapeControlCharacters(error.input)}: ${terminalText(error.message)}`);
    lines.push(`  event ${error.eventNumber}, at ${formatSeconds(error.timeMs)} virtual`);
  }
  if (report.faults !== undefined) lines.push(`  faults: ${escapeControlCharacters(report.faults)}`);
  if (report.tracePath !== null) lines.push(`  trace: ${escapeControlCharacters(report.tracePath)}`);
  return lines.join('\n');
}

/** A mutated run of a guided campaign: how it was made, and that its trace, not its seed, reproduces it. */
export function describeOrigin(origin: MutationOrigin, seed: number): string {
  const made = origin.kind === 'splice' ? `a splice of the kept runs of seeds ${origin.parentSeed} and ${origin.donorSeed}` : `a mutation (${origin.kind}) of the kept run of seed ${origin.parentSeed}`;
  return `coverage-guided: ${made}, drawn afresh from seed ${seed}; not the plain run of seed ${seed}: its trace reproduces it`;
}

/** What failed, in a few words: the kind of violation and its invariant, or what else went wrong. */
export function failureHeadline(failure: Pick<CampaignFailure, 'run' | 'determinism'>): string {
  const run = failure.run;
  if (failure.determinism !== null) return 'nondeterministic: the same seed gave two different runs';
  if (run.violation !== null) {
    const violation = `${run.violation.kind} violation of ${run.violation.invariant}`;
    // Unsafe faults break assumptions Raft, or the implementation, declares it needs: what fails
    // under them shows what the assumption guards, not a bug.
    return run.scenario?.unsafeFaults === true ? `${violation}: assumption broken (the scenario's unsafeFaults break what the implementation assumes)` : violation;
  }
  return run.harnessError !== null ? harnessErrorHeadline : 'implementation error';
}

export function describeTraceEvent(event: { n: number; t: number; kind: string; node?: number; from?: number; type?: string; note?: string } | null): string {
  if (event === null) return '(run ended)';
  const parts = [`#${event.n} t=${event.t}ms ${event.kind}`];
  if (event.from !== undefined) parts.push(`n${event.from}->n${event.node}`);
  else if (event.node !== undefined) parts.push(`n${event.node}`);
  if (event.type !== undefined) parts.push(event.type);
  if (event.note !== undefined) parts.push(`(${event.note})`);
  return escapeControlCharacters(parts.join(' '));
}

/** The running trace digest just after an event: where two runs' events read alike, this differs. */
function describeDigest(digest: number | null): string {
  return digest === null ? '' : `  (trace digest after it ${(digest >>> 0).toString(16).padStart(8, '0')})`;
}

const boundNames: Record<InconclusiveBound, string> = {
  events: "the scenario's event bound (eventsMax)",
  queue: 'the event queue capacity',
  'check-budget': "a check's search budget",
};

/** Inconclusive seeds are never passes: counted by bound, and the first few with how far they got. */
function formatInconclusive(campaign: SummaryFigures, c: ReturnType<typeof palette>): string[] {
  const seeds = campaign.inconclusiveSeeds ?? [];
  if (seeds.length === 0) return [];
  const byBound = Object.entries(campaign.inconclusiveByBound ?? {})
    .map(([bound, count]) => `${formatCount(count)} by ${boundNames[bound as InconclusiveBound]}`)
    .join(', ');
  const lines = [`  ${c.yellow('inconclusive')} ${formatCount(seeds.length)} ${plural(seeds.length, 'seed')} cut short by a bound, not passes: ${byBound}`];
  const shown = (campaign.inconclusive ?? []).slice(0, inconclusiveShownMax);
  for (const seed of shown) lines.push(`    seed ${seed.seed}: ${seed.reason}`);
  if (seeds.length > shown.length) {
    const rest = seeds.slice(shown.length);
    lines.push(`    and seeds ${rest.slice(0, 10).join(', ')}${rest.length > 10 ? ', ...' : ''} (summary.json lists them)`);
  }
  return lines;
}

/** How many coverage marks the campaign hit, and which it never did (worth a look: a corner not exercised). */
function formatMarks(marks: NonNullable<SummaryFigures['marks']>, never: readonly string[], c: ReturnType<typeof palette>): string {
  const hit = markCatalog.filter((mark) => marks[mark.name] !== undefined).length;
  const head = `  coverage    ${hit} of ${hit + never.length} marks hit`;
  return never.length === 0 ? head : `${head}; ${c.yellow('never hit')}: ${never.join(', ')}`;
}

/** Inconclusive seeds described one per line in the summary. */
const inconclusiveShownMax = 5;

export interface SummaryContext {
  implementation: string;
  scenario: string;
  reportDirectory: string | null;
  options: string;
  /** The features in force: only the marks they can reach are counted. Absent: every feature. */
  features?: readonly Feature[];
  /** The faults the scenario may produce (as for features). Absent: every one. */
  faults?: readonly MarkFault[];
  /** The marks never hit, when already known (a merged summary's); else from the features. */
  neverHit?: readonly string[];
}

/** What the summary prints: a campaign's result, or a summary.json's (merge). */
export type SummaryFigures = Pick<
  CampaignResult,
  'result' | 'stoppedEarly' | 'interrupted' | 'seeds' | 'events' | 'eventsPerSecond' | 'simulatedMs' | 'wallMs' | 'failuresWallMs' | 'violationsByInvariant' | 'inconclusiveSeeds' | 'inconclusive' | 'inconclusiveByBound'
> & { marks?: CampaignResult['marks']; abstractStates?: number; abstractTransitions?: number; abstractStatesEstimated?: boolean; abstractTransitionsEstimated?: boolean; guided?: CampaignResult['guided'] };

export function formatSummary(campaign: SummaryFigures, context: SummaryContext, style: ConsoleStyle): string {
  const c = palette(style);
  const verdict =
    campaign.result === 'ok'
      ? c.green.bold('ok')
      : campaign.result === 'inconclusive'
        ? `${c.yellow.bold('inconclusive')} (no failure, but a bound cut some run short: not a pass)`
        : c.red.bold(campaign.result);
  const speedup = campaign.wallMs > 0 ? `${formatCount(campaign.simulatedMs / campaign.wallMs)}x` : '-';
  const invariants = Object.entries(campaign.violationsByInvariant);
  const lines = [
    `raftcheck run: ${escapeControlCharacters(context.implementation)} on scenario ${escapeControlCharacters(context.scenario)}`,
    `  options     ${escapeControlCharacters(context.options)}`,
    `  result      ${verdict}${campaign.stoppedEarly ? ' (stopped early at the failure limit)' : ''}` +
      (campaign.interrupted !== null ? `; ${c.yellow.bold(`interrupted by ${campaign.interrupted}`)}: the seeds done so far` : ''),
    `  seeds       ${formatCount(campaign.seeds)}`,
    `  events      ${formatCount(campaign.events)} (${formatCount(campaign.eventsPerSecond)} events/s)`,
    `  time        ${formatSeconds(campaign.simulatedMs)} simulated in ${formatSeconds(campaign.wallMs)} wall (${speedup})` +
      // Shrinking can take far longer than the seeds: a wall time without it would mislead.
      (campaign.failuresWallMs >= 10 ? `, plus ${formatSeconds(campaign.failuresWallMs)} on failures (shrinking, traces)` : ''),
    `  violations  ${invariants.length === 0 ? 'none' : invariants.map(([name, count]) => `${name} x${count}`).join(', ')}`,
  ];
  lines.push(...formatInconclusive(campaign, c));
  if (campaign.marks !== undefined) lines.push(formatMarks(campaign.marks, context.neverHit ?? marksNeverHit(campaign.marks, context.features, context.faults), c));
  if (campaign.abstractStates !== undefined) lines.push(abstractStatesLine(campaign));
  const guided = campaign.guided;
  if (guided !== undefined && guided !== null) lines.push(`  guided      ${formatCount(guided.runsMutated)} of ${formatCount(campaign.seeds)} runs mutated kept runs; ${formatCount(guided.runsKept)} ${plural(guided.runsKept, 'run')} kept for new states`);
  if (context.reportDirectory !== null) lines.push(`  report      ${escapeControlCharacters(context.reportDirectory)}`);
  return lines.join('\n');
}

/** The campaign's abstract coverage; "about" where a count is an estimate (src/core/distinct.ts). */
function abstractStatesLine(campaign: { abstractStates?: number; abstractTransitions?: number; abstractStatesEstimated?: boolean; abstractTransitionsEstimated?: boolean }): string {
  const count = (value: number, estimated: boolean | undefined, noun: string) => `${estimated === true ? 'about ' : ''}${formatCount(value)} ${plural(value, noun)}`;
  const states = count(campaign.abstractStates ?? 0, campaign.abstractStatesEstimated, 'distinct abstract state');
  return `  states      ${states}, ${count(campaign.abstractTransitions ?? 0, campaign.abstractTransitionsEstimated, 'transition')}`;
}
