// Trace files are checked section by section as scenario files are: an unknown key anywhere is
// refused with its path, never silently ignored.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed, traceOf } from '../../src/check/run.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { parseTrace } from '../../src/sim/trace.js';
import { allInvariants } from '../../invariants/index.js';

const bug = 'vote-without-log-check';
const run = runSeed({ seed: 1, implementation: referenceImplementation(bugsFromNames([bug])), scenario: defaultScenario(), invariants: allInvariants, recordEvents: true });
const written = JSON.stringify(traceOf(run, [bug]));

function parsedWith(change: (trace: Record<string, any>) => void) {
  const trace = JSON.parse(written);
  change(trace);
  return parseTrace(JSON.stringify(trace));
}

function messageOf(change: (trace: Record<string, any>) => void): string {
  const parsed = parsedWith(change);
  return parsed.ok ? 'accepted' : parsed.message;
}

describe('parseTrace', () => {
  it('reads back a trace that raftcheck wrote, violation and all', () => {
    expect(run.violation).not.toBeNull();
    expect(parsedWith(() => {}).ok).toBe(true);
  });

  it('refuses an unknown key in the result, its violation or an event, naming its path', () => {
    expect(messageOf((trace) => (trace.result.verdict = 'ok'))).toContain('result.verdict: unknown field');
    expect(messageOf((trace) => (trace.result.violation.severity = 'low'))).toContain('result.violation.severity: unknown field');
    expect(messageOf((trace) => (trace.events[3].nnote = 'x'))).toContain('events[3].nnote: unknown field (did you mean "note"?)');
  });

  it('refuses an unknown key in the implementation source, the shrink record and the explore path', () => {
    const source = { kind: 'process', command: 'node', args: [], cwd: '/', shell: true };
    expect(messageOf((trace) => (trace.implementation.source = source))).toContain('implementation.source.shell: unknown field');
    const shrink = { eventsBefore: 9, eventsAfter: 3, runs: 5, stoppedBy: 'fixpoint', passes: [], wallMs: 1, eventsSaved: 6 };
    expect(messageOf((trace) => (trace.shrink = shrink))).toContain('shrink.eventsSaved: unknown field');
    const explore = { nodes: 3, implementationOptions: {}, strategy: 'bfs', bounds: {}, distinctStates: 1, steps: [], depth: 2 };
    expect(messageOf((trace) => (trace.explore = explore))).toContain('explore.depth: unknown field');
  });

  it('refuses a result whose fields have the wrong type', () => {
    expect(messageOf((trace) => (trace.result.status = 'fine'))).toContain('result.status: expected one of "ok"');
    expect(messageOf((trace) => (trace.result.implementationError = 'none'))).toContain('result.implementationError: expected an object or null');
  });

  it('names the first few problems of a damaged event list and counts the rest', () => {
    const message = messageOf((trace) => trace.events.forEach((event: Record<string, unknown>) => (event.t = 'soon')));
    expect(message.match(/events\[\d+\]\.t/g)).toHaveLength(5);
    expect(message).toMatch(/and \d+ more$/);
  });
});
