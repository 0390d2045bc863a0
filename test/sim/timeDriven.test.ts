// Time-driven implementations (docs/CONTRACT.md): a node whose Implementation says timing
// 'clock' gets advance inputs carrying its local milliseconds instead of ticks, only when its
// earliest timer is due (its last output's wakeAfterMs) or just before any other input, and its
// start options carry tickMs so that it can set its own timers.

import { describe, expect, it } from 'vitest';
import type { Implementation, Input, Output } from '../../src/contract/contract.js';
import { emptyOutput } from '../../src/contract/contract.js';
import { referenceImplementation } from '../../src/adapters/reference.js';
import { parseHello } from '../../src/adapters/process/protocol.js';
import { runSeed } from '../../src/check/run.js';
import { exploreOptionProblems } from '../../src/explore/options.js';
import { defaultScenario } from '../../src/sim/scenario.js';

/** The reference, time-driven: each advance is the ticks it spans (one per advance, since it never says when to wake). */
function clockedReference(): Implementation {
  const reference = referenceImplementation();
  return {
    ...reference,
    timing: 'clock',
    createNode() {
      const inner = reference.createNode();
      let tickMs = 0;
      return {
        step(input: Input): Output {
          if (input.kind === 'start') tickMs = input.options.tickMs ?? 0;
          if (input.kind !== 'advance') return inner.step(input);
          if (input.elapsedMs !== tickMs) throw new Error(`advanced ${input.elapsedMs} ms, not one tick of ${tickMs} ms`);
          return inner.step({ kind: 'tick' });
        },
      };
    },
  };
}

/** A node that does nothing but record its inputs and ask to run again `wakeAfterMs` later. */
function sleeper(wakeAfterMs: number | null, inputs: Input[]): Implementation {
  return {
    name: 'sleeper',
    version: '1',
    timing: 'clock',
    createNode: () => ({
      step(input: Input): Output {
        inputs.push(input);
        return { ...emptyOutput(), wakeAfterMs };
      },
    }),
  };
}

const shortScenario = () => ({ ...defaultScenario(), durationMs: 3_000 });

describe('a time-driven implementation', () => {
  it('advanced at every tick (it never says when to wake) runs exactly as its tick-driven self', () => {
    for (const seed of [1, 2]) {
      const ticked = runSeed({ seed, scenario: shortScenario() });
      const clocked = runSeed({ seed, scenario: shortScenario(), implementation: clockedReference() });
      expect([clocked.status, clocked.events, clocked.traceHash]).toEqual([ticked.status, ticked.events, ticked.traceHash]);
    }
  });

  it('gets tickMs in its start options, and advances instead of ticks', () => {
    const inputs: Input[] = [];
    runSeed({ seed: 3, scenario: shortScenario(), implementation: sleeper(0, inputs) });
    const start = inputs.find((input) => input.kind === 'start');
    expect(start?.kind === 'start' ? start.options.tickMs : undefined).toBe(defaultScenario().tickMs);
    expect(inputs.some((input) => input.kind === 'tick')).toBe(false);
    expect(inputs.some((input) => input.kind === 'advance')).toBe(true);
  });

  it('is advanced only once its earliest timer is due, or to bring its clock up to date before another input', () => {
    const inputs: Input[] = [];
    runSeed({ seed: 4, scenario: shortScenario(), implementation: sleeper(45, inputs) });
    const tickMs = defaultScenario().tickMs;
    const advances = inputs.flatMap((input, index) => (input.kind === 'advance' ? [{ elapsedMs: input.elapsedMs, next: inputs[index + 1]?.kind }] : []));
    expect(advances.length).toBeGreaterThan(10);
    for (const advance of advances) {
      expect(advance.elapsedMs % tickMs).toBe(0);
      // Due (45 ms rounds up to 5 ticks), or a catch-up just before another input.
      if (advance.elapsedMs < 50) expect(['propose', 'read', 'deliver', 'changeMembership']).toContain(advance.next);
    }
    expect(advances.filter((advance) => advance.elapsedMs >= 50).length).toBeGreaterThan(10);
  });

  it('that has no timer pending (wakeAfterMs null) is not advanced until another input comes', () => {
    const inputs: Input[] = [];
    runSeed({ seed: 5, scenario: shortScenario(), implementation: sleeper(null, inputs) });
    expect(inputs.filter((input) => input.kind === 'advance').length).toBeGreaterThan(0);
    inputs.forEach((input, index) => {
      if (input.kind === 'advance') expect(['propose', 'read', 'deliver', 'changeMembership']).toContain(inputs[index + 1]?.kind);
    });
  });

  it('that answers a negative wakeAfterMs ends the run with an implementation error naming it', () => {
    const run = runSeed({ seed: 1, scenario: shortScenario(), implementation: sleeper(-1, []) });
    expect(run.status).toBe('implementationError');
    expect(run.implementationError?.message).toContain('answered wakeAfterMs -1');
  });

  it('says so in its hello over the process protocol (timing "clock"), and any other timing is a protocol error', () => {
    const hello = (timing: unknown) => parseHello(JSON.stringify({ protocol: 1, name: 'n', version: '1', timing }));
    expect(hello('clock')).toMatchObject({ ok: true, hello: { timing: 'clock' } });
    expect(hello(undefined)).toMatchObject({ ok: true, hello: { timing: 'ticks' } });
    expect(hello('sundial')).toMatchObject({ ok: false, message: 'answered hello with timing "sundial": expected "ticks" or "clock"' });
  });

  it('is refused by the explorer, which steps ticks only, with a reason', () => {
    const problems = exploreOptionProblems({ implementation: sleeper(null, []) });
    expect(problems).toContainEqual({ field: 'implementation', reason: expect.stringContaining("sleeper is time-driven (timing 'clock')") });
  });
});
