// The timeline of a trace for `raftcheck show`: a header with the verdict, then one row per event
// with one column per node, the violation marked on its row and explained after the table.
// Pure text in, text out: colour only through a Chalk instance whose level follows the `color`
// flag, so with color false the result holds no escape codes. Every cell is measured before it
// is coloured, so the columns stay aligned either way.
//
// Ticks are most of a trace and say nothing unless they changed something, so they are hidden by
// default (and counted); the housekeeping events (fault and workload clocks, liveness checks,
// sync completions) likewise unless they carry a note. The rows printed are bounded by eventsMax.
//
// A trace file is foreign text: every string in it is neutralised (src/core/text.ts) before any
// of it is measured or printed.

import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import type { NodeId } from '../core/ids.js';
import type { TraceEvent } from '../sim/events.js';
import type { TraceFile } from '../sim/trace.js';
import type { PathStart } from '../shrink/paths.js';
import type { InitialNode } from '../world/system.js';
import { formatCount } from './format.js';
import { escapeControlCharacters, escapeControlCharactersDeep, plural } from '../core/text.js';
import { harnessErrorHeadline } from './exitCodes.js';
import type { Violation } from '../contract/observation.js';
import { clusterSizeText } from '../check/options.js';

export interface TimelineOptions {
  color: boolean;
  /** The width of the table in terminal columns. */
  width?: number;
  /** The most rows to print; Infinity prints every row. */
  eventsMax?: number;
  /** Show every tick, not only the ticks that changed something. */
  ticks?: boolean;
  /** Whether the run shown is a replay of the trace's choices or only what its file says. */
  replay?: TimelineReplay;
}

export type TimelineReplay =
  | { replayed: true; matches: boolean; recordedHash: string; recordedStatus: string }
  | { replayed: false; reason: string };

export const timelineWidthDefault = 120;
export const timelineEventsMaxDefault = 2_000;

/** Below this a node's column is too narrow to say anything; the table grows wider instead. */
const columnWidthMin = 8;
/** A cell wraps onto at most this many lines; the rest is cut. */
const cellLinesMax = 4;
const separator = ' | ';
const ellipsis = '…';

type Style = 'plain' | 'dim' | 'bold' | 'leader' | 'crash' | 'restart' | 'partition' | 'heal' | 'fault' | 'phase' | 'violation' | 'ok';

/** A piece of a cell: measured as plain text, coloured only when written out. */
interface Segment {
  text: string;
  style: Style;
}

type Row =
  | { layout: 'cell'; event: TraceEvent; column: number; segments: Segment[] }
  | { layout: 'wide'; event: TraceEvent; title: Segment; detail: Segment | null };

interface Layout {
  columns: number;
  /** The time column's heading: ms, or step for an explore path, whose clock counts steps. */
  timeHeading: string;
  timeWidth: number;
  numberWidth: number;
  columnWidth: number;
}

export function formatTimeline(traceGiven: TraceFile, options: TimelineOptions): string {
  const trace = escapeControlCharactersDeep(traceGiven);
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const paint = (segment: Segment): string => stylePainter(c, segment.style)(segment.text);
  const width = options.width ?? timelineWidthDefault;
  const eventsMax = Math.max(0, options.eventsMax ?? timelineEventsMaxDefault);
  const showTicks = options.ticks ?? false;
  const violation = trace.result.violation;
  const implementationError = trace.result.implementationError;
  const events = trace.events;
  const at = timeOf(trace);

  const lines = formatHeader(trace, paint);
  if (options.replay !== undefined) lines.push(formatReplay(options.replay, paint));
  lines.push('');

  if (events.length === 0) {
    lines.push(trace.result.events === 0 ? '(no events: the run ended before its first event)' : '(the trace holds no event list)');
  }

  const layout = tableLayout(trace, width);
  const tableWidth = layout.timeWidth + 1 + layout.numberWidth + separator.length + layout.columns * layout.columnWidth + (layout.columns - 1) * separator.length;
  if (events.length > 0) lines.push(...formatColumnHeader(layout));

  // Rows that must be seen whatever the filters say: where the run went wrong.
  const violationEvent = violation !== null && violation.eventNumber > 0 ? violation.eventNumber : null;
  const errorEvent = implementationError !== null && implementationError.eventNumber > 0 ? implementationError.eventNumber : null;

  let rowsPrinted = 0;
  let ticksHidden = 0;
  let housekeepingHidden = 0;
  let cutAt: TraceEvent | null = null;
  let cutIndex = 0;
  let violationMarked = false;
  let errorMarked = false;
  for (const [index, event] of events.entries()) {
    const forced = event.n === violationEvent || event.n === errorEvent;
    const hidden = forced ? null : hiddenAs(event, showTicks);
    if (hidden === 'tick') {
      ticksHidden += 1;
      continue;
    }
    if (hidden === 'housekeeping') {
      housekeepingHidden += 1;
      continue;
    }
    if (rowsPrinted >= eventsMax) {
      cutAt = event;
      cutIndex = index;
      break;
    }
    rowsPrinted += 1;
    const markers: Segment[] = [];
    if (event.n === violationEvent && violation !== null) {
      markers.push({ text: violationMarker(violation), style: 'violation' });
      violationMarked = true;
    }
    if (event.n === errorEvent) {
      markers.push({ text: errorMarker, style: 'violation' });
      errorMarked = true;
    }
    lines.push(...formatRow(describeRow(event), layout, tableWidth, markers, paint));
  }

  if (cutAt !== null) {
    const remaining = events.length - cutIndex;
    const beyond = violationEvent !== null && !violationMarked ? `; the violation is at event #${violationEvent}` : '';
    lines.push(
      `... cut after ${formatCount(eventsMax)} rows, at event #${cutAt.n} (${at(cutAt.t)}): ${formatCount(remaining)} more events not shown${beyond} (--all shows everything)`,
    );
  }
  if (violation !== null && !violationMarked && (cutAt === null || violation.eventNumber === 0)) {
    const where = violation.eventNumber === 0 ? 'event 0: at the start or in the end-of-run audit' : `event #${violation.eventNumber}, not in the event list`;
    lines.push(paint({ text: `<< VIOLATION: ${violation.invariant} (${where})`, style: 'violation' }));
  }
  if (implementationError !== null && !errorMarked && cutAt === null) {
    lines.push(paint({ text: `<< IMPLEMENTATION ERROR (event #${implementationError.eventNumber})`, style: 'violation' }));
  }

  const hiddenParts: string[] = [];
  if (ticksHidden > 0) hiddenParts.push(`${formatCount(ticksHidden)} ${ticksHidden === 1 ? 'tick' : 'ticks'} that changed nothing (--ticks shows them)`);
  if (housekeepingHidden > 0) hiddenParts.push(`${formatCount(housekeepingHidden)} clock, sync and liveness-check ${housekeepingHidden === 1 ? 'row' : 'rows'} without a note`);
  const hiddenTotal = ticksHidden + housekeepingHidden;
  lines.push(
    paint({
      text: `${formatCount(rowsPrinted)} ${rowsPrinted === 1 ? 'row' : 'rows'} shown; ${formatCount(hiddenTotal)} hidden${hiddenParts.length > 0 ? `: ${hiddenParts.join(', ')}` : ''}`,
      style: 'dim',
    }),
  );

  if (violation !== null) {
    lines.push('', ...formatViolation(violation, paint, at));
  } else if (implementationError !== null) {
    const error = implementationError;
    lines.push('', paint({ text: `IMPLEMENTATION ERROR at event #${error.eventNumber}, ${at(error.timeMs)}`, style: 'violation' }));
    lines.push(`  n${error.node} on ${error.input}: ${error.message}`);
  }
  // The width is a promise for every line, not only the table's: long messages and evidence wrap.
  return lines.flatMap((line) => wrapToWidth(line, width)).join('\n');
}

function formatHeader(trace: TraceFile, paint: (segment: Segment) => string): string[] {
  const { implementation, scenario, result } = trace;
  const bugs = implementation.bugs !== undefined && implementation.bugs.length > 0 ? `, bugs: ${implementation.bugs.join(', ')}` : '';
  return [
    paint({ text: `raftcheck show: ${implementation.name} ${traceOrigin(trace)}`, style: 'bold' }),
    `  implementation  ${implementation.name} ${implementation.version}${bugs}`,
    ...(trace.explore !== undefined
      ? [`  explore path    ${formatCount(result.events)} ${plural(result.events, 'step')} on ${scenario.nodes} ${plural(scenario.nodes, 'node')} (every step a choice; the step column counts them)`, ...startLines(trace)]
      : [
          `  scenario        ${scenario.name} (${clusterSizeText(scenario)}, ${formatCount(scenario.durationMs)} ms of faults)`,
          `  seed            ${trace.seed}`,
          `  events          ${formatCount(result.events)} over ${formatCount(result.simulatedMs)} ms virtual`,
        ]),
    `  verdict         ${formatVerdict(trace, paint)}`,
    `  trace hash      ${trace.traceHash}`,
  ];
}

function formatReplay(replay: TimelineReplay, paint: (segment: Segment) => string): string {
  const label = '  replayed        ';
  if (!replay.replayed) {
    return `${label}${paint({ text: 'no', style: 'violation' })}: ${escapeControlCharacters(replay.reason)}; what follows is what the file says, unchecked`;
  }
  if (replay.matches) return `${label}${paint({ text: 'yes', style: 'ok' })}: the replay reproduces the recorded trace hash; what follows is the replay`;
  return (
    `${label}${paint({ text: 'DIFFERS', style: 'violation' })}: the file records trace hash ${escapeControlCharacters(replay.recordedHash)} and verdict ` +
    `${escapeControlCharacters(replay.recordedStatus)}; what follows is the replay, not the file`
  );
}

/** Where a cut path begins (src/shrink/paths.ts PathStart), in a sentence; null for a path from empty storage. */
export function pathStartSummary(trace: TraceFile): string | null {
  const start = pathStartOf(trace);
  if (start === undefined) return null;
  const named = (test: (node: InitialNode) => boolean) => start.nodes.flatMap((node, index) => (test(node) ? [`n${index + 1}`] : []));
  const restarted = named((node) => node !== null && 'records' in node);
  const retired = named((node) => node !== null && 'retired' in node);
  return (
    `the durable state after ${formatCount(start.cutAfterSteps)} ${plural(start.cutAfterSteps, 'step')} of a longer path: ${restarted.join(', ') || 'no node'} restarted over the records ${plural(restarted.length, 'it', 'they')} had synced` +
    (retired.length > 0 ? `; ${retired.join(', ')} removed for good` : '')
  );
}

function pathStartOf(trace: TraceFile): PathStart | undefined {
  return (trace.explore as { start?: PathStart } | undefined)?.start;
}

/** The start of a cut path: the sentence, then each node's records (the implementation's own: JSON, escaped, clipped). */
function startLines(trace: TraceFile): string[] {
  const summary = pathStartSummary(trace);
  if (summary === null) return [];
  const records = pathStartOf(trace)!.nodes.flatMap((node, index) =>
    node !== null && 'records' in node ? [`    n${index + 1}: ${formatCount(node.records.length)} ${plural(node.records.length, 'record')} ${clipped(escapeControlCharacters(JSON.stringify(node.records)), startRecordsChars)}`] : [],
  );
  return [`  starts from     ${summary}`, ...records];
}

/** How much of a node's starting records a line shows (the trace file holds them whole). */
const startRecordsChars = 400;

function clipped(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars)}... (${formatCount(text.length - chars)} more characters in the trace file)`;
}

/** Where the trace came from: a seed of a scenario, or an explore path (perhaps shrunk from a seed). */
function traceOrigin(trace: TraceFile): string {
  if (trace.explore === undefined) return `on scenario ${trace.scenario.name}, seed ${trace.seed}`;
  const from = trace.shrink?.fromScenario;
  return from === undefined ? 'on an explore path' : `on an explore path shrunk from seed ${trace.seed} of scenario ${from}`;
}

/** A time of the trace in its own unit: virtual ms, or steps on an explore path. */
function timeOf(trace: TraceFile): (time: number) => string {
  return trace.explore !== undefined ? (time) => `step ${time}` : (time) => `${time} ms`;
}

function formatVerdict(trace: TraceFile, paint: (segment: Segment) => string): string {
  const { violation, implementationError } = trace.result;
  if (violation !== null) {
    return `${paint({ text: `${violation.kind} violation of ${violation.invariant}`, style: 'violation' })}: ${violation.message}`;
  }
  if (implementationError !== null) {
    const error = implementationError;
    return `${paint({ text: 'implementation error', style: 'violation' })}: n${error.node} on ${error.input}: ${error.message}`;
  }
  const harnessError = trace.result.harnessError ?? null;
  if (harnessError !== null) return `${paint({ text: harnessErrorHeadline, style: 'violation' })}: ${harnessError.invariant}: ${harnessError.message}`;
  return paint({ text: trace.result.status, style: trace.result.status === 'ok' ? 'ok' : 'violation' });
}

function formatViolation(violation: Violation, paint: (segment: Segment) => string, at: (time: number) => string): string[] {
  const where = violation.eventNumber === 0 ? 'at event 0 (the start or the end-of-run audit)' : `after event #${violation.eventNumber}`;
  return [
    paint({ text: `VIOLATION of ${violation.invariant} (${violation.kind}) ${where}, at ${at(violation.timeMs)}`, style: 'violation' }),
    `  ${violation.message}`,
    `  nodes     ${violation.nodes.map((node) => `n${node}`).join(', ')}`,
    `  evidence  ${JSON.stringify(violation.evidence)}`,
    ...(violation.alsoViolated !== undefined ? [`  the same step also violated ${violation.alsoViolated.join(', ')}`] : []),
  ];
}

const violationMarker = (violation: Violation): string => `<< VIOLATION: ${violation.invariant}`;
const errorMarker = '<< IMPLEMENTATION ERROR';

/** Room for the markers on the row where the run went wrong: the table leaves it within the width. */
function markerRoom(trace: TraceFile): number {
  const { violation, implementationError } = trace.result;
  const markers = [
    ...(violation !== null && violation.eventNumber > 0 ? [violationMarker(violation)] : []),
    ...(implementationError !== null && implementationError.eventNumber > 0 ? [errorMarker] : []),
  ];
  return markers.length === 0 ? 0 : 2 + markers.join(' ').length;
}

function tableLayout(trace: TraceFile, tableAndMarkerWidth: number): Layout {
  const width = tableAndMarkerWidth - markerRoom(trace);
  // Nodes beyond the scenario's (added by a membership change) still get a column.
  let columns = trace.scenario.nodes;
  let timeMax = 0;
  let numberMax = 0;
  for (const event of trace.events) {
    if (event.node !== undefined && event.node > columns) columns = event.node;
    if (event.from !== undefined && event.from > columns) columns = event.from;
    if (event.t > timeMax) timeMax = event.t;
    if (event.n > numberMax) numberMax = event.n;
  }
  columns = Math.max(columns, 1);
  const timeHeading = trace.explore !== undefined ? 'step' : 'ms';
  const timeWidth = Math.max(timeHeading.length, String(timeMax).length);
  const numberWidth = String(numberMax).length + 1;
  const fixed = timeWidth + 1 + numberWidth + separator.length + (columns - 1) * separator.length;
  const columnWidth = Math.max(columnWidthMin, Math.floor((width - fixed) / columns));
  return { columns, timeHeading, timeWidth, numberWidth, columnWidth };
}

function formatColumnHeader(layout: Layout): string[] {
  const names = Array.from({ length: layout.columns }, (_, index) => nodeColumnName(index + 1).padEnd(layout.columnWidth));
  const rules = Array.from({ length: layout.columns }, () => '-'.repeat(layout.columnWidth));
  return [
    `${layout.timeHeading.padStart(layout.timeWidth)} ${'#'.padStart(layout.numberWidth)}${separator}${names.join(separator)}`.trimEnd(),
    `${'-'.repeat(layout.timeWidth)} ${'-'.repeat(layout.numberWidth)}-+-${rules.join('-+-')}`,
  ];
}

function nodeColumnName(node: NodeId): string {
  return `n${node}`;
}

/**
 * Did the event change what a reader follows (a role, a term, a commit index) or carry a note?
 * A tick that did not is hidden, here and in the HTML diagram (which also keeps ticks that sent).
 */
export function changedSomething(event: TraceEvent): boolean {
  return event.role !== undefined || event.term !== undefined || event.commitIndex !== undefined || event.note !== undefined;
}

/** Which kind of hidden row the event is, or null when it is shown. */
function hiddenAs(event: TraceEvent, showTicks: boolean): 'tick' | 'housekeeping' | null {
  if (changedSomething(event)) return null;
  switch (event.kind) {
    case 'tick':
      return showTicks ? null : 'tick';
    case 'faultClock':
    case 'workloadClock':
    case 'livenessCheck':
    case 'syncComplete':
      return 'housekeeping';
    default:
      return null;
  }
}

const wideTitles: Partial<Record<TraceEvent['kind'], string>> = {
  partition: 'partition',
  heal: 'heal',
  recover: 'recover',
  livenessCheck: 'liveness check',
  faultClock: 'fault clock',
  workloadClock: 'workload clock',
};

function describeRow(event: TraceEvent): Row {
  if (event.node === undefined || wideTitles[event.kind] !== undefined) {
    // Cluster-wide events, and faults aimed at a role that found no node to hit.
    const title = wideTitles[event.kind] ?? event.kind;
    const titleStyle: Style = event.kind === 'partition' ? 'partition' : event.kind === 'heal' ? 'heal' : event.kind === 'recover' ? 'phase' : 'plain';
    const detail: Segment | null = event.note === undefined ? null : { text: event.note, style: event.kind === 'partition' ? 'partition' : 'dim' };
    return { layout: 'wide', event, title: { text: title, style: titleStyle }, detail };
  }
  const segments: Segment[] = [];
  const main = mainSegment(event);
  if (main !== null) segments.push(main);
  if (event.role !== undefined || event.term !== undefined) {
    const role = event.role === undefined ? '' : event.role === 'leader' ? 'LEADER' : event.role;
    const term = event.term === undefined ? '' : `t${event.term}`;
    segments.push({ text: [role, term].filter((part) => part !== '').join(' '), style: event.role === 'leader' ? 'leader' : 'plain' });
  }
  if (event.commitIndex !== undefined) segments.push({ text: `commit ${event.commitIndex}`, style: 'plain' });
  if (event.note !== undefined) {
    for (const part of event.note.split('; ')) segments.push({ text: part, style: 'dim' });
  }
  if (segments.length === 0) segments.push({ text: event.kind, style: 'plain' });
  return { layout: 'cell', event, column: event.node, segments };
}

/** What happened to the node; null for a tick, which shows only what it changed. */
function mainSegment(event: TraceEvent): Segment | null {
  switch (event.kind) {
    case 'tick':
      return event.role !== undefined || event.term !== undefined || event.commitIndex !== undefined || event.note !== undefined ? null : { text: 'tick', style: 'dim' };
    case 'deliver':
      return { text: `<-${event.from === undefined ? '?' : nodeColumnName(event.from)} ${event.type ?? 'message'}`, style: 'plain' };
    case 'propose':
      return { text: `propose c${event.commandId ?? '?'}${event.type === undefined ? '' : ` ${event.type}`}`, style: 'plain' };
    case 'crash':
      return { text: 'CRASH', style: 'crash' };
    case 'restart':
      return { text: 'RESTART', style: 'restart' };
    case 'isolate':
      return { text: 'ISOLATED', style: 'partition' };
    case 'pause':
      return { text: 'PAUSE', style: 'fault' };
    case 'resume':
      return { text: 'RESUME', style: 'fault' };
    case 'slow':
      return { text: 'SLOW', style: 'fault' };
    case 'clockJump':
      return { text: 'CLOCK JUMP', style: 'fault' };
    case 'corrupt':
      return { text: 'CORRUPT', style: 'crash' };
    case 'syncComplete':
      return { text: 'synced', style: 'dim' };
    default:
      return { text: event.kind, style: 'plain' };
  }
}

function formatRow(row: Row, layout: Layout, tableWidth: number, markers: Segment[], paint: (segment: Segment) => string): string[] {
  const time = String(row.event.t).padStart(layout.timeWidth);
  const number = `#${row.event.n}`.padStart(layout.numberWidth);
  const prefix = `${time} ${number}${separator}`;
  const marker = markers.length === 0 ? '' : `  ${markers.map(paint).join(' ')}`;
  if (row.layout === 'wide') {
    const room = tableWidth - prefix.length;
    const head = `-- ${row.title.text}`;
    const detailRoom = room - head.length - 2 - 1;
    const detail = row.detail === null || detailRoom < 1 ? null : { ...row.detail, text: truncate(row.detail.text, detailRoom) };
    const plain = `${truncate(head, room)}${detail === null ? '' : `: ${detail.text}`} `;
    const fill = '-'.repeat(Math.max(0, room - plain.length));
    const text = `${paint({ text: truncate(head, room), style: row.title.style })}${detail === null ? '' : `: ${paint(detail)}`} ${paint({ text: fill, style: 'dim' })}`;
    return [`${prefix}${text}`.trimEnd() + marker];
  }
  const cellLines = wrapSegments(row.segments, layout.columnWidth);
  const blankPrefix = ' '.repeat(layout.timeWidth + 1 + layout.numberWidth) + separator;
  return cellLines.map((segments, index) => {
    const cells: string[] = [];
    for (let column = 1; column <= layout.columns; column += 1) {
      if (column !== row.column) {
        cells.push(' '.repeat(layout.columnWidth));
        continue;
      }
      const plainLength = segments.reduce((sum, segment, position) => sum + segment.text.length + (position > 0 ? 1 : 0), 0);
      cells.push(segments.map(paint).join(' ') + ' '.repeat(Math.max(0, layout.columnWidth - plainLength)));
    }
    const line = `${index === 0 ? prefix : blankPrefix}${cells.join(separator)}`;
    // Only the first line carries the marker, after the full width so that it lines up.
    return index === 0 && marker !== '' ? `${line}${marker}` : line.trimEnd();
  });
}

/** Packs segments into lines of the column's width, cutting any segment longer than a line. */
function wrapSegments(segments: Segment[], width: number): Segment[][] {
  const lines: Segment[][] = [];
  let current: Segment[] = [];
  let used = 0;
  for (const segment of segments) {
    const text = truncate(segment.text, width);
    if (current.length > 0 && used + 1 + text.length > width) {
      lines.push(current);
      current = [];
      used = 0;
    }
    used += (current.length > 0 ? 1 : 0) + text.length;
    current.push({ ...segment, text });
  }
  if (current.length > 0) lines.push(current);
  if (lines.length <= cellLinesMax) return lines;
  const rest = lines.slice(cellLinesMax - 1).flat();
  const last = { text: truncate(rest.map((segment) => segment.text).join(' '), width), style: rest[0].style };
  return [...lines.slice(0, cellLinesMax - 1), [last]];
}

const colourCode = /\x1b\[[0-9;]*m/y;
const continuationIndent = '    ';

/**
 * A line cut into lines of at most `width` columns: at the last space in the second half of the
 * room where there is one, anywhere otherwise; continuations indented. Colour codes take no room.
 */
function wrapToWidth(line: string, width: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  for (let cut = visibleIndex(rest, width); cut < rest.length; cut = visibleIndex(rest, width)) {
    const space = rest.lastIndexOf(' ', cut);
    const at = space > visibleIndex(rest, Math.floor(width / 2)) ? space : cut;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = `${continuationIndent}${rest.slice(at).trimStart()}`;
  }
  pieces.push(rest);
  return pieces;
}

/** The index in `text` after `count` visible characters, colour codes skipped; its length if shorter. */
function visibleIndex(text: string, count: number): number {
  let index = 0;
  for (let seen = 0; index < text.length; ) {
    colourCode.lastIndex = index;
    if (colourCode.test(text)) {
      index = colourCode.lastIndex;
      continue;
    }
    if (seen === count) return index;
    seen += 1;
    index += 1;
  }
  return index;
}

function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 0) return '';
  return `${text.slice(0, width - 1)}${ellipsis}`;
}

function stylePainter(c: ChalkInstance, style: Style): (text: string) => string {
  switch (style) {
    case 'plain':
      return (text) => text;
    case 'dim':
      return c.dim;
    case 'bold':
      return c.bold;
    case 'leader':
      return c.green.bold;
    case 'crash':
      return c.red;
    case 'restart':
      return c.green;
    case 'partition':
      return c.yellow;
    case 'heal':
      return c.green;
    case 'fault':
      return c.magenta;
    case 'phase':
      return c.cyan;
    case 'violation':
      return c.red.bold;
    case 'ok':
      return c.green.bold;
  }
}
