// The timeline of `raftcheck show`, checked on traces of real simulations: a passing run of the
// reference implementation, and two tiny lying implementations that break election safety, one
// at the start (event 0) and one on a tick (a row to mark).

import { describe, expect, it } from 'vitest';
import type { Implementation, Input, Output, StateView } from '../../src/contract/contract.js';
import { emptyOutput } from '../../src/contract/contract.js';
import { runSeed, traceOf } from '../../src/check/run.js';
import { formatTimeline } from '../../src/report/timeline.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import type { TraceFile } from '../../src/sim/trace.js';

const escapeCode = /\u001b\[/;

function shortScenario(): Scenario {
  const scenario = defaultScenario();
  return { ...scenario, durationMs: 800, liveness: { ...scenario.liveness, enabled: false } };
}

function lyingNode(view: (ticks: number) => Omit<StateView, 'log'>): Implementation['createNode'] {
  return () => {
    let ticks = 0;
    return {
      step(input: Input): Output {
        if (input.kind === 'tick') ticks += 1;
        const state = view(ticks);
        return input.kind === 'start' ? { ...emptyOutput(), state: { ...state, log: { from: 1, entries: [] } } } : { ...emptyOutput(), state };
      },
    };
  };
}

/** Every node claims to lead term 1 from the start: a violation at event 0, before any row. */
const everyoneLeads: Implementation = {
  name: 'everyone-leads',
  version: '1',
  createNode: lyingNode(() => ({ role: 'leader', term: 1, votedFor: null, commitIndex: 0, appliedIndex: 0, leaderHint: null })),
};

/** Every node claims to lead term 1 after its third tick: the second such tick is the violation. */
const everyoneLeadsAfterThreeTicks: Implementation = {
  name: 'everyone-leads-after-three-ticks',
  version: '1',
  createNode: lyingNode((ticks) => ({
    role: ticks >= 3 ? 'leader' : 'follower',
    term: ticks >= 3 ? 1 : 0,
    votedFor: null,
    commitIndex: 0,
    appliedIndex: 0,
    leaderHint: null,
  })),
};

const passing: TraceFile = traceOf(runSeed({ seed: 3, recordEvents: true, scenario: shortScenario() }));
const failingAtStart: TraceFile = traceOf(runSeed({ seed: 3, recordEvents: true, scenario: shortScenario(), implementation: everyoneLeads }));
const failingOnTick: TraceFile = traceOf(runSeed({ seed: 3, recordEvents: true, scenario: shortScenario(), implementation: everyoneLeadsAfterThreeTicks }));

function tableLines(text: string): string[] {
  const lines = text.split('\n');
  const header = lines.findIndex((line) => /^\s*ms\s+#\s\|/.test(line));
  const end = lines.findIndex((line, index) => index > header && /rows? shown;/.test(line));
  return lines.slice(header, end === -1 ? undefined : end);
}

describe('the timeline of a trace', () => {
  it('opens with the implementation, scenario, seed, events, verdict and trace hash', () => {
    const text = formatTimeline(failingOnTick, { color: false });
    expect(text).toContain('implementation  everyone-leads-after-three-ticks 1');
    expect(text).toContain('scenario        default (5 nodes');
    expect(text).toContain('seed            3');
    expect(text).toContain(`events          ${failingOnTick.result.events} over`);
    expect(text).toContain('verdict         safety violation of election-safety: two leaders in term 1');
    expect(text).toContain(`trace hash      ${failingOnTick.traceHash}`);
  });

  it('is plain text without escape codes when color is off', () => {
    for (const trace of [passing, failingAtStart, failingOnTick]) {
      expect(formatTimeline(trace, { color: false, ticks: true })).not.toMatch(escapeCode);
    }
  });

  it('is coloured with ANSI codes when color is on', () => {
    expect(formatTimeline(failingOnTick, { color: true })).toMatch(escapeCode);
  });

  it('has a column header for each node', () => {
    const [header] = tableLines(formatTimeline(passing, { color: false }));
    expect(header.split('|').slice(1).map((name) => name.trim())).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
  });

  it('keeps every column aligned with its header and the table within the width', () => {
    const lines = tableLines(formatTimeline(passing, { color: false, width: 100 }));
    const separators = (line: string) => [...line.matchAll(/ \| /g)].map((match) => match.index);
    const headerSeparators = separators(lines[0]);
    const cellRows = lines.slice(2).filter((line) => !line.includes('| -- '));
    expect(cellRows.length).toBeGreaterThan(20);
    for (const line of cellRows) {
      expect(line.length).toBeLessThanOrEqual(100);
      expect(separators(line)).toEqual(headerSeparators.slice(0, separators(line).length));
    }
  });

  it('shows a partition as a full-width line with its label', () => {
    const partition = passing.events.find((event) => event.kind === 'partition');
    expect(partition?.note).toBeDefined();
    expect(formatTimeline(passing, { color: false })).toMatch(new RegExp(`#${partition?.n} \\| -- partition: ${partition?.note} -+\\n`));
  });

  it('hides the ticks that changed nothing and says how many it hid', () => {
    const quietTicks = passing.events.filter(
      (event) => event.kind === 'tick' && event.role === undefined && event.term === undefined && event.commitIndex === undefined && event.note === undefined,
    ).length;
    expect(quietTicks).toBeGreaterThan(100);
    expect(formatTimeline(passing, { color: false })).toContain(`${quietTicks} ticks that changed nothing`);
  });

  it('shows every tick when asked to', () => {
    const lines = tableLines(formatTimeline(passing, { color: false, ticks: true }));
    const tickRows = lines.filter((line) => /^\s*\d+\s+#\d+ \|[ |]*tick(\s|$)/.test(line));
    expect(tickRows.length).toBeGreaterThan(100);
    expect(tickRows.length).toBe(passing.events.filter((event) => event.kind === 'tick' && event.role === undefined && event.commitIndex === undefined && event.note === undefined).length);
  });

  it('marks the row of the violating event', () => {
    const eventNumber = failingOnTick.result.violation?.eventNumber ?? 0;
    expect(eventNumber).toBeGreaterThan(0);
    const marked = formatTimeline(failingOnTick, { color: false })
      .split('\n')
      .filter((line) => line.includes('<< VIOLATION'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(new RegExp(`#${eventNumber} \\|.*LEADER t1 .*<< VIOLATION: election-safety$`));
  });

  it('prints the violation message, nodes and evidence after the rows', () => {
    const lines = formatTimeline(failingOnTick, { color: false }).split('\n');
    const block = lines.findIndex((line) => line.startsWith('VIOLATION of election-safety (safety)'));
    expect(block).toBeGreaterThan(lines.findIndex((line) => line.includes('<< VIOLATION')));
    expect(lines.slice(block + 1, block + 4)).toEqual([
      `  ${failingOnTick.result.violation?.message}`,
      '  nodes     n1, n2',
      `  evidence  ${JSON.stringify(failingOnTick.result.violation?.evidence)}`,
    ]);
  });

  it('prints a violation of event 0 after the last row', () => {
    expect(failingAtStart.result.violation?.eventNumber).toBe(0);
    const lines = formatTimeline(failingAtStart, { color: false }).split('\n');
    const marker = lines.findIndex((line) => line.startsWith('<< VIOLATION: election-safety'));
    expect(marker).toBeGreaterThan(-1);
    expect(lines.slice(marker + 1).some((line) => /^\s*\d+\s+#\d+ \|/.test(line))).toBe(false);
  });

  it('prints at most eventsMax rows and says how to see them all', () => {
    const text = formatTimeline(passing, { color: false, eventsMax: 10 });
    const rows = tableLines(text).filter((line) => /^\s*\d+\s+#\d+ \|/.test(line));
    expect(rows).toHaveLength(10);
    expect(text).toMatch(/\.\.\. cut after 10 rows, at event #\d+ \(\d+ ms\): \d+ more events not shown \(--all shows everything\)/);
  });
});
