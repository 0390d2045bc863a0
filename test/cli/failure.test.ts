// A failing seed must reproduce from its own output: the replay command comes first, then the
// invariant, the evidence and the trace file. Driven through the library with a deliberately
// broken implementation, so the failure path is exercised without relying on any bug corpus.

import { describe, expect, it } from 'vitest';
import type { Implementation, Input, Output } from '../../src/contract/contract.js';
import { emptyOutput } from '../../src/contract/contract.js';
import { runCampaign } from '../../src/check/campaign.js';
import { traceOf } from '../../src/check/run.js';
import { formatFailure } from '../../src/report/console.js';
import { parseTrace } from '../../src/sim/trace.js';
import { defaultScenario } from '../../src/sim/scenario.js';

/** Every node claims to lead term 1 from the start: an election-safety violation at once. */
const everyoneLeads: Implementation = {
  name: 'everyone-leads',
  version: '1',
  createNode: () => ({
    step(input: Input): Output {
      const output = emptyOutput();
      const view = { role: 'leader' as const, term: 1, votedFor: null, commitIndex: 0, appliedIndex: 0, leaderHint: null };
      return input.kind === 'start' ? { ...output, state: { ...view, log: { from: 1, entries: [] } } } : { ...output, state: view };
    },
  }),
};

/** Throws on the first tick: an implementation error, not a violation. */
const throwsOnTick: Implementation = {
  name: 'throws-on-tick',
  version: '1',
  createNode: () => ({
    step(input: Input): Output {
      if (input.kind === 'tick') throw new Error('boom');
      return emptyOutput();
    },
  }),
};

describe('a failing campaign', () => {
  it('reports a safety violation with the invariant, the nodes and the event', () => {
    const campaign = runCampaign({ seeds: [5], implementation: everyoneLeads, scenario: defaultScenario() });
    expect(campaign.result).toBe('safety');
    const [failure] = campaign.failures;
    expect(failure.run.violation).toMatchObject({ invariant: 'election-safety', nodes: [1, 2], kind: 'safety' });
    expect(campaign.violationsByInvariant).toEqual({ 'election-safety': 1 });
  });

  it('prints the replay command before anything else about the failure', () => {
    const [failure] = runCampaign({ seeds: [5], implementation: everyoneLeads }).failures;
    const text = formatFailure({ failure, replayCommand: 'npx raftcheck run --seed 5 --scenario default', tracePath: 'reports/x/seed-5.trace.json' }, { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('FAILED seed 5: safety violation of election-safety');
    expect(lines[1]).toBe('  replay: npx raftcheck run --seed 5 --scenario default');
    expect(text).toContain('two leaders in term 1');
    expect(text).toContain('trace: reports/x/seed-5.trace.json');
  });

  it('writes a trace that parses back with its violation and events', () => {
    const [failure] = runCampaign({ seeds: [5], implementation: everyoneLeads }).failures;
    const parsed = parseTrace(JSON.stringify(traceOf(failure.run)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.trace.seed).toBe(5);
    expect(parsed.trace.result.violation?.invariant).toBe('election-safety');
    expect(parsed.trace.implementation.name).toBe('everyone-leads');
    expect(Object.keys(parsed.trace.choices)).toContain('timers/n1');
  });

  it('reports an implementation that throws as an implementation error naming the node and input', () => {
    const campaign = runCampaign({ seeds: [1], implementation: throwsOnTick });
    expect(campaign.result).toBe('implementationError');
    expect(campaign.failures[0].run.implementationError).toMatchObject({ input: 'tick', message: 'threw Error: boom' });
  });

  it('reports a createNode() that throws as an implementation error at the start, not a harness crash', () => {
    const cannotCreate: Implementation = { name: 'cannot-create', version: '1', createNode: () => { throw new Error('no memory'); } };
    const campaign = runCampaign({ seeds: [1], implementation: cannotCreate });
    expect(campaign.result).toBe('implementationError');
    expect(campaign.failures[0].run.implementationError).toMatchObject({ input: 'start (0 durable records)', message: 'createNode() threw Error: no memory' });
  });

  it('refuses a trace from a newer format version with a clear message', () => {
    const parsed = parseTrace(JSON.stringify({ format: 'raftcheck-trace', formatVersion: 99 }));
    expect(parsed).toEqual({ ok: false, message: expect.stringContaining('format version 99 is newer') });
  });

  it('refuses a truncated trace file with a clear message', () => {
    const [failure] = runCampaign({ seeds: [5], implementation: everyoneLeads }).failures;
    const text = JSON.stringify(traceOf(failure.run));
    const parsed = parseTrace(text.slice(0, text.length / 2));
    expect(parsed).toEqual({ ok: false, message: expect.stringContaining('not valid JSON (truncated or corrupted?)') });
  });
});
