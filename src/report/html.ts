// HTML reports: one self-contained file per failure and one per campaign (no network, no CDN,
// nothing fetched), for a person to look at. A failure's page draws its trace as a space-time
// (Lamport) diagram: a lane per node and one for the cluster, time flowing down, an arrow per
// message from the event that sent it to its delivery (a lost one ends in a cross), crashes,
// restarts, partitions, heals and clock jumps marked, the violating step ringed with its evidence.
// Clicking a step shows every node's role, term and commit index after it.
//
// A trace file is foreign text: every string is neutralised (control characters made visible)
// and escaped for HTML; the data the page's script reads is JSON that cannot close its element;
// and a Content-Security-Policy lets only the page's own script (by its hash) run, so a trace
// carrying markup shows it as text and runs nothing.

import { createHash } from 'node:crypto';
import type { TraceEvent } from '../sim/events.js';
import type { TraceFile } from '../sim/trace.js';
import { faultSummary } from '../check/options.js';
import { escapeControlCharacters, escapeControlCharactersDeep } from '../core/text.js';
import type { CampaignSummary } from './campaignSummary.js';
import { markCatalog, markNeeds } from '../world/marks.js';
import { changedSomething, pathStartSummary } from './timeline.js';

/** Most events a diagram draws; a longer trace is cut there, and the page says so. */
export const diagramEventsMax = 1500;

const laneWidth = 130;
const rowHeight = 22;
const top = 40;
const left = 150;

export interface FailurePageContext {
  /** The command that reproduces the failure: shown first. */
  replayCommand: string;
}

export function failurePage(traceGiven: TraceFile, context: FailurePageContext): string {
  const trace = escapeControlCharactersDeep(traceGiven);
  const violation = trace.result.violation;
  const error = trace.result.implementationError ?? trace.result.harnessError ?? null;
  const headline = violation !== null ? `${violation.invariant}: ${violation.message}` : error !== null ? `${trace.result.status}: ${error.message}` : trace.result.status;
  const shown = diagramEvents(trace);
  const body = [
    `<h1>${escapeHtml(headline)}</h1>`,
    `<p class="command">replay: <code>${escapeHtml(escapeControlCharacters(context.replayCommand))}</code></p>`,
    `<table class="facts">${factRows(trace).join('')}</table>`,
    violation === null ? '' : `<h2>Evidence</h2><pre class="evidence">${escapeHtml(JSON.stringify(violation.evidence, null, 2) ?? 'none')}</pre>`,
    `<h2>State after step <span id="chosen"></span></h2><table id="state" class="state"></table>`,
    `<h2>Space-time diagram</h2>`,
    shown.cut ? `<p class="note">The trace has ${shown.total} events to show; the diagram draws ${diagramEventsMax} of them, events ${shown.events[0].n} to ${shown.events.at(-1)!.n}${violation === null ? '' : ', up to the violation'}.</p>` : '',
    diagram(trace, shown.events),
  ];
  const data = { nodes: nodesOf(trace), steps: shown.events.map(stepData), chosen: violation?.eventNumber ?? shown.events.at(-1)?.n ?? 0 };
  return page(`raftcheck: ${headline}`, body.join('\n'), data);
}

/**
 * The coverage marks: each mark of the catalog with the seeds that hit it and how often; those
 * never hit first, those out of the campaign's reach (a feature not in force, a fault its scenario
 * leaves out) last.
 */
function marksSection(summary: CampaignSummary): string[] {
  const marks = summary.marks ?? {};
  const never = new Set(summary.marksNeverHit ?? []);
  const rows = markCatalog.map((mark) => {
    const hit = marks[mark.name];
    const state = hit !== undefined ? 1 : never.has(mark.name) ? 0 : 2;
    const counts = hit !== undefined ? `<td>${hit.seeds}</td><td>${hit.hits}</td>` : state === 0 ? '<td class="never">never</td><td></td>' : `<td>n/a</td><td></td>`;
    const description = state === 2 ? `${mark.description} (out of reach in this campaign: it needs ${markNeeds(mark) ?? 'what the campaign left out'})` : mark.description;
    return { state, row: `<tr><td>${escapeHtml(mark.name)}</td>${counts}<td>${escapeHtml(description)}</td></tr>` };
  });
  const ordered = [0, 1, 2].flatMap((state) => rows.filter((row) => row.state === state).map((row) => row.row));
  const hitCount = rows.filter((row) => row.state === 1).length;
  return [
    `<h2>Coverage marks: ${hitCount} of ${hitCount + never.size} hit</h2>`,
    `<table class="marks"><tr><th>mark</th><th>seeds</th><th>hits</th><th>situation</th></tr>${ordered.join('')}</table>`,
  ];
}

export function campaignPage(summaryGiven: CampaignSummary, failurePages: ReadonlyMap<number, string>): string {
  const summary = escapeControlCharactersDeep(summaryGiven);
  const counts = Object.entries(summary.violationsByInvariant).map(([name, count]) => `${name} x${count}`).join(', ') || 'none';
  const rows = summary.failures.map((failure) => {
    const link = failurePages.get(failure.seed);
    const seed = link === undefined ? `${failure.seed}` : `<a href="${escapeHtml(encodeURI(link))}">${failure.seed}</a>`;
    return `<tr><td>${seed}</td><td>${escapeHtml(failure.invariant)}</td><td>${escapeHtml(failure.message)}</td><td><code>${escapeHtml(failure.replay)}</code></td></tr>`;
  });
  const body = [
    `<h1>raftcheck run: ${escapeHtml(summary.implementation)} on ${escapeHtml(summary.scenario)}: ${escapeHtml(summary.result)}</h1>`,
    '<table class="facts">',
    fact('seeds', `${summary.seeds} of ${summary.seedsPlanned} (${String(summary.options.seeds ?? '')})${summary.stoppedEarly ? ', stopped early at the failure limit' : ''}`),
    fact('events', `${summary.events} (${summary.eventsPerSecond} events/s)`),
    fact('violations', counts),
    fact('inconclusive', `${summary.inconclusiveSeeds.length} seed(s)`),
    '</table>',
    ...marksSection(summary),
    '<h2>Failures</h2>',
    rows.length === 0 ? '<p>None.</p>' : `<table class="failures"><tr><th>seed</th><th>invariant</th><th>message</th><th>replay</th></tr>${rows.join('')}</table>`,
  ];
  return page(`raftcheck: ${summary.result}`, body.join('\n'), null);
}

/**
 * The events the diagram draws: not ticks that changed nothing and sent nothing (show hides those
 * too), the violating step always; past diagramEventsMax, the last ones up to the violation.
 */
export function diagramEvents(trace: TraceFile): { events: TraceEvent[]; total: number; cut: boolean } {
  const violating = trace.result.violation?.eventNumber;
  const worth = trace.events.filter((event) => event.n === violating || event.kind !== 'tick' || event.sent !== undefined || changedSomething(event));
  if (worth.length <= diagramEventsMax) return { events: worth, total: worth.length, cut: false };
  const end = violating === undefined ? worth.length : worth.findIndex((event) => event.n === violating) + 1;
  const from = Math.max(0, end - diagramEventsMax);
  return { events: worth.slice(from, from + diagramEventsMax), total: worth.length, cut: true };
}

/** Every node of the cluster, and any other an event names (a lane each). */
function nodesOf(trace: TraceFile): number[] {
  const cluster = Array.from({ length: trace.scenario.nodes }, (_, index) => index + 1);
  return [...new Set([...cluster, ...trace.events.flatMap((event) => (event.node === undefined ? [] : [event.node]))])].sort((a, b) => a - b);
}

function factRows(trace: TraceFile): string[] {
  const violation = trace.result.violation;
  const start = pathStartSummary(trace);
  return [
    fact('implementation', `${trace.implementation.name} ${trace.implementation.version}`),
    fact('scenario', `${trace.scenario.name}, seed ${trace.seed}, ${trace.scenario.nodes} nodes`),
    fact('faults', trace.explore !== undefined ? 'an explore path: every step (delivery, timer, crash, request) chosen explicitly' : faultSummary(trace.scenario)),
    ...(start === null ? [] : [fact('starts from', start)]),
    fact('verdict', `${trace.result.status} after ${trace.result.events} events, ${trace.result.simulatedMs} ms virtual`),
    ...(violation === null ? [] : [fact('violating step', `event ${violation.eventNumber} at ${violation.timeMs} ms, nodes ${violation.nodes.map((node) => `n${node}`).join(', ')}`)]),
    fact('trace hash', trace.traceHash),
  ];
}

function fact(name: string, value: string): string {
  return `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`;
}

/** What the page's script needs of a step: its number, node and the state it left. */
function stepData(event: TraceEvent): (number | string | null)[] {
  return [event.n, event.node ?? null, event.role ?? null, event.term ?? null, event.commitIndex ?? null];
}

function diagram(trace: TraceFile, events: readonly TraceEvent[]): string {
  const nodes = nodesOf(trace);
  const laneX = new Map<number, number>(nodes.map((node, index) => [node, left + (index + 1) * laneWidth]));
  const clusterX = left;
  const height = top + (events.length + 1) * rowHeight;
  const width = left + (nodes.length + 1) * laneWidth;
  const rowOf = new Map<number, number>(events.map((event, index) => [event.n, top + (index + 1) * rowHeight]));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" class="diagram">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>',
    lane(clusterX, 'cluster', height),
    ...nodes.map((node) => lane(laneX.get(node)!, `n${node}`, height)),
    ...messageArrows(events, laneX, rowOf),
    ...events.map((event) => eventMark(event, laneX.get(event.node ?? -1) ?? clusterX, rowOf.get(event.n)!, trace, width)),
    '</svg>',
  ];
  return parts.join('\n');
}

function lane(x: number, name: string, height: number): string {
  return `<text x="${x}" y="${top - 14}" class="lane-name">${escapeHtml(name)}</text><line x1="${x}" y1="${top}" x2="${x}" y2="${height}" class="lane"/>`;
}

/** An arrow per delivered (or lost) message whose send is among the events drawn. */
function messageArrows(events: readonly TraceEvent[], laneX: ReadonlyMap<number, number>, rowOf: ReadonlyMap<number, number>): string[] {
  const sentAt = new Map<number, number>();
  const arrows: string[] = [];
  for (const event of events) {
    if (event.sent !== undefined) for (let id = event.sent[0]; id <= event.sent[1]; id += 1) sentAt.set(id, event.n);
    if (event.kind !== 'deliver' || event.messageId === undefined || event.from === undefined || event.node === undefined) continue;
    const sender = sentAt.get(event.messageId);
    if (sender === undefined) continue;
    const lost = event.note?.startsWith('lost') === true;
    const [x1, y1, x2, y2] = [laneX.get(event.from), rowOf.get(sender), laneX.get(event.node), rowOf.get(event.n)];
    if (x1 === undefined || x2 === undefined || y1 === undefined || y2 === undefined) continue;
    const label = `${event.type ?? 'message'} n${event.from} → n${event.node}${lost ? ` (${event.note})` : ''}`;
    arrows.push(
      `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" class="message${lost ? ' lost' : ''}" data-n="${event.n}"${lost ? '' : ' marker-end="url(#arrow)"'}><title>${escapeHtml(label)}</title></line>`,
    );
  }
  return arrows;
}

/** One event's mark on its lane: shape and colour by kind, its description as a tooltip and a label. */
function eventMark(event: TraceEvent, x: number, y: number, trace: TraceFile, width: number): string {
  const violating = trace.result.violation?.eventNumber === event.n;
  const kindClass = markClasses[event.kind] ?? 'other';
  const description = describe(event);
  const time = `<text x="8" y="${y + 4}" class="time">${event.n} · ${event.t} ms</text>`;
  const across = event.kind === 'partition' || event.kind === 'heal' || event.kind === 'isolate' || event.kind === 'recover';
  const band = across ? `<line x1="${left}" y1="${y}" x2="${width - 20}" y2="${y}" class="band ${kindClass}"/>` : '';
  const mark =
    event.kind === 'crash'
      ? `<path d="M ${x - 7} ${y - 7} L ${x + 7} ${y + 7} M ${x + 7} ${y - 7} L ${x - 7} ${y + 7}" class="mark ${kindClass}"/>`
      : `<circle cx="${x}" cy="${y}" r="${violating ? 9 : 5}" class="mark ${kindClass}${violating ? ' violation' : ''}"/>`;
  return `<g class="step" data-n="${event.n}" tabindex="0">${band}${time}${mark}<text x="${x + 10}" y="${y + 4}" class="label">${escapeHtml(shorten(description))}</text><title>${escapeHtml(description)}</title></g>`;
}

const markClasses: Partial<Record<TraceEvent['kind'], string>> = {
  deliver: 'deliver', tick: 'tick', crash: 'crash', restart: 'restart', partition: 'partition', heal: 'heal', isolate: 'partition',
  propose: 'client', clientRequest: 'client', clockJump: 'clock', pause: 'fault', resume: 'heal', slow: 'fault', corrupt: 'crash', recover: 'heal',
};

function describe(event: TraceEvent): string {
  const parts: string[] = [event.kind === 'deliver' ? `${event.type ?? 'message'} from n${event.from ?? '?'}` : event.kind];
  if (event.commandId !== undefined) parts.push(`command ${event.commandId}`);
  if (event.role !== undefined || event.term !== undefined) parts.push(`→ ${event.role ?? ''} t${event.term ?? '?'}`);
  if (event.commitIndex !== undefined) parts.push(`commit ${event.commitIndex}`);
  if (event.note !== undefined) parts.push(`(${event.note})`);
  return parts.join(' ');
}

function shorten(text: string): string {
  return text.length > 38 ? `${text.slice(0, 37)}…` : text;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON that may sit inside a script element: nothing in it can end the element or open a comment. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function page(title: string, body: string, data: unknown): string {
  const script = data === null ? '' : stateScript;
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const policy = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style></head><body>`,
    body,
    data === null ? '' : `<script type="application/json" id="data">${scriptJson(data)}</script>`,
    data === null ? '' : `<script>${script}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

const style = [
  'body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:18px;color:#b00020}h2{font-size:15px;margin-top:22px}',
  'code,pre{font:12px ui-monospace,monospace}pre.evidence{background:#f6f6f6;padding:8px;max-height:300px;overflow:auto}',
  'table.facts th{text-align:left;padding-right:12px;color:#555}table.state td,table.state th{border:1px solid #ccc;padding:2px 8px}',
  'table.failures td,table.failures th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}',
  '.lane{stroke:#bbb;stroke-width:1}.lane-name{font-weight:bold;text-anchor:middle}.time{fill:#888;font-size:11px}.label{font-size:11px;fill:#333}',
  '.message{stroke:#3465a4;stroke-width:1.2}.message.lost{stroke:#cc0000;stroke-dasharray:4 3}marker path{fill:#3465a4}',
  '.mark{stroke:#333;stroke-width:1;fill:#ddd}.deliver{fill:#3465a4}.tick{fill:#aaa}.crash{stroke:#cc0000;stroke-width:3}.restart{fill:#4e9a06}',
  '.partition{stroke:#f57900;fill:#f57900}.heal{stroke:#4e9a06;fill:#4e9a06}.band{stroke-dasharray:6 4;stroke-width:1}.client{fill:#75507b}.clock{fill:#c4a000}.fault{fill:#f57900}',
  '.violation{fill:#ff0000;stroke:#800000;stroke-width:3}.step{cursor:pointer}.step.chosen .label{font-weight:bold;fill:#000}.note{color:#a05a00}',
].join('\n');

/** The page's only script: the state table after the chosen step (by the hash in the CSP, the only one that runs). */
const stateScript = `
const data = JSON.parse(document.getElementById('data').textContent);
function show(chosen) {
  const state = new Map(data.nodes.map((node) => [node, { role: '-', term: '-', commit: '-' }]));
  for (const [n, node, role, term, commit] of data.steps) {
    if (n > chosen) break;
    const s = state.get(node);
    if (s === undefined) continue;
    if (role !== null) s.role = role;
    if (term !== null) s.term = term;
    if (commit !== null) s.commit = commit;
  }
  const table = document.getElementById('state');
  table.replaceChildren();
  const head = table.insertRow();
  for (const text of ['node', 'role', 'term', 'commit index']) { const cell = document.createElement('th'); cell.textContent = text; head.appendChild(cell); }
  for (const [node, s] of state) {
    const row = table.insertRow();
    for (const text of ['n' + node, s.role, s.term, s.commit]) row.insertCell().textContent = String(text);
  }
  document.getElementById('chosen').textContent = String(chosen);
  for (const step of document.querySelectorAll('.step')) step.classList.toggle('chosen', Number(step.dataset.n) === chosen);
}
for (const step of document.querySelectorAll('.step')) {
  step.addEventListener('click', () => show(Number(step.dataset.n)));
  step.addEventListener('keydown', (event) => { if (event.key === 'Enter') show(Number(step.dataset.n)); });
}
show(data.chosen);
`;
