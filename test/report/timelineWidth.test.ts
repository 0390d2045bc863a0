// `show --width N` is a promise for every line of the timeline: the table, the header, the
// violation's message and evidence. Long text wraps onto indented lines; nothing is cut.

import { describe, expect, it } from 'vitest';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { runSeed, traceOf } from '../../src/check/run.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { formatTimeline } from '../../src/report/timeline.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { allInvariants } from '../../invariants/index.js';

const bug = 'vote-without-log-check';
const run = runSeed({ seed: 1, implementation: referenceImplementation(bugsFromNames([bug])), scenario: defaultScenario(), invariants: allInvariants, recordEvents: true });
const trace = traceOf(run, [bug]);
const colourCodes = /\x1b\[[0-9;]*m/g;

/** The text without colour and without spaces or line breaks, where wrapping may have cut. */
function letters(text: string): string {
  return text.replace(colourCodes, '').replace(/\s/g, '');
}

describe('the timeline at a given width', () => {
  for (const color of [false, true]) {
    it(`keeps every line within 100 columns ${color ? 'counting no colour code' : 'in plain text'}`, () => {
      const lines = formatTimeline(trace, { color, width: 100 }).split('\n');
      const widest = Math.max(...lines.map((line) => line.replace(colourCodes, '').length));
      expect(widest).toBeLessThanOrEqual(100);
      expect(widest).toBeGreaterThan(90);
    });
  }

  it('wraps the violation message and evidence without losing any of it', () => {
    const text = letters(formatTimeline(trace, { color: false, width: 80 }));
    expect(text).toContain(letters(run.violation!.message));
    expect(text).toContain(letters(JSON.stringify(run.violation!.evidence)));
  });

  it('keeps the violation marker on the row of its event', () => {
    const marked = formatTimeline(trace, { color: false, width: 100, eventsMax: Number.POSITIVE_INFINITY })
      .split('\n')
      .filter((line) => line.includes('<< VIOLATION'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(new RegExp(`^ *\\d+ +#${run.violation!.eventNumber} \\|.*<< VIOLATION: leader-completeness$`));
  });
});
