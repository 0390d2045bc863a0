// A trace as Chrome trace-event JSON (`raftcheck export TRACE --format perfetto`), which Perfetto
// (ui.perfetto.dev) and chrome://tracing open: a track per node and one for the cluster's own
// events (partitions, heals, phases), every event a slice at its virtual time, each node's term a
// counter, and every delivered or lost message a flow arrow from the event that sent it to its
// delivery. Virtual milliseconds become trace microseconds x 1000; events of one node in the same
// millisecond are laid one microsecond apart, in event order, so that none hides another.
//
// Strings from the trace file are foreign: JSON.stringify escapes them, and no viewer runs them.

import type { TraceEvent } from '../sim/events.js';
import type { TraceFile } from '../sim/trace.js';
import { nodeName } from '../core/ids.js';

interface ChromeEvent {
  name: string;
  ph: 'X' | 's' | 'f' | 'C' | 'M';
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: number;
  bp?: 'e';
  cat?: string;
  args?: Record<string, unknown>;
}

const processId = 1;
/** The cluster's track: events that belong to no node. */
const clusterTrack = 0;
const sliceMicroseconds = 1;

export interface PerfettoExport {
  json: string;
  /** Delivered messages without a recorded send (traces written before sends were recorded, explore paths). */
  unmatchedDeliveries: number;
}

export function perfettoTrace(trace: TraceFile): PerfettoExport {
  const events: ChromeEvent[] = [{ name: 'process_name', ph: 'M', pid: processId, tid: clusterTrack, args: { name: `raftcheck: ${trace.implementation.name}, ${trace.scenario.name}, seed ${trace.seed}` } }];
  const nodes = [...new Set(trace.events.flatMap((event) => (event.node === undefined ? [] : [event.node])))].sort((a, b) => a - b);
  events.push({ name: 'thread_name', ph: 'M', pid: processId, tid: clusterTrack, args: { name: 'cluster' } });
  for (const node of nodes) events.push({ name: 'thread_name', ph: 'M', pid: processId, tid: node, args: { name: nodeName(node) } });
  const placed = placeEvents(trace.events);
  const sends = new Map<number, { ts: number; eventNumber: number }>();
  let unmatchedDeliveries = 0;
  for (const event of trace.events) {
    const ts = placed.get(event.n)!;
    events.push(slice(event, ts, trace));
    if (event.term !== undefined && event.node !== undefined) events.push({ name: `term ${nodeName(event.node)}`, ph: 'C', ts, pid: processId, tid: event.node, args: { term: event.term } });
    if (event.sent !== undefined) for (let id = event.sent[0]; id <= event.sent[1]; id += 1) sends.set(id, { ts, eventNumber: event.n });
    if (event.kind === 'deliver' && event.messageId !== undefined && event.from !== undefined && event.node !== undefined) {
      const send = sends.get(event.messageId);
      if (send === undefined) unmatchedDeliveries += 1;
      else events.push(...flow(event, send.ts, ts, events.length));
    } else if (event.kind === 'deliver') unmatchedDeliveries += 1;
  }
  return { json: JSON.stringify({ traceEvents: events, displayTimeUnit: 'ms' }), unmatchedDeliveries };
}

/** Each event's timestamp: its virtual time, plus its rank among its track's events of that millisecond. */
function placeEvents(events: readonly TraceEvent[]): Map<number, number> {
  const placed = new Map<number, number>();
  const lastOnTrack = new Map<number, number>();
  for (const event of events) {
    const track = event.node ?? clusterTrack;
    const earliest = (lastOnTrack.get(track) ?? -Infinity) + sliceMicroseconds;
    const ts = Math.max(Math.round(event.t * 1000), earliest);
    placed.set(event.n, ts);
    lastOnTrack.set(track, ts);
  }
  return placed;
}

function slice(event: TraceEvent, ts: number, trace: TraceFile): ChromeEvent {
  const violating = trace.result.violation?.eventNumber === event.n;
  const args: Record<string, unknown> = { event: event.n, virtualMs: event.t };
  for (const field of ['from', 'type', 'messageId', 'commandId', 'note', 'role', 'term', 'commitIndex'] as const) {
    if (event[field] !== undefined) args[field] = event[field];
  }
  if (violating) args.violation = `${trace.result.violation!.invariant}: ${trace.result.violation!.message}`;
  const name = violating ? `VIOLATION ${trace.result.violation!.invariant}` : sliceName(event);
  return { name, cat: violating ? 'violation' : event.kind, ph: 'X', ts, dur: sliceMicroseconds, pid: processId, tid: event.node ?? clusterTrack, args };
}

function sliceName(event: TraceEvent): string {
  if (event.kind === 'deliver') return `${event.note?.startsWith('lost') ? 'lost ' : ''}${event.type ?? 'message'} from ${event.from === undefined ? '?' : nodeName(event.from)}`;
  if (event.kind === 'tick') return event.role !== undefined ? `tick: ${event.role}` : 'tick';
  return event.kind;
}

/** The arrow of one message: from its send, on the sender's track, to its delivery. */
function flow(event: TraceEvent, sentTs: number, deliveredTs: number, id: number): ChromeEvent[] {
  // Not the message id: a duplicated message is delivered twice, and each delivery is an arrow.
  const name = event.type ?? 'message';
  return [
    { name, cat: 'message', ph: 's', id, ts: sentTs, pid: processId, tid: event.from! },
    { name, cat: 'message', ph: 'f', bp: 'e', id, ts: deliveredTs, pid: processId, tid: event.node! },
  ];
}
