// An end-of-run audit that finds the harness's own incremental state wrong is raftcheck's bug,
// not the implementation's: the run ends as a harness error (exit code 5), never as a safety
// violation, and every report says so. Driven by a checker that corrupts a prefix hash on purpose.

import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../src/check/campaign.js';
import { runSeed, traceOf } from '../../src/check/run.js';
import { isHarnessError } from '../../src/contract/observation.js';
import type { Violation } from '../../src/contract/observation.js';
import { formatFailure } from '../../src/report/console.js';
import { exitCodeOf, exitCodes } from '../../src/report/exitCodes.js';
import { failureRecord } from '../../src/report/failureRecord.js';
import { formatTimeline } from '../../src/report/timeline.js';
import { parseTrace } from '../../src/sim/trace.js';
import { judgeAudit } from '../../src/world/judge.js';
import { harnessError, violation } from '../../invariants/support.js';
import type { InvariantChecker } from '../../invariants/types.js';
import { logMatching } from '../../invariants/logMatching.js';
import { corruptedInvariants } from '../support/corruptedChecker.js';

const seed = 5;

describe('an end-of-run audit that finds the harness state wrong', () => {
  it('ends the run as a harness error naming the audit, not as a safety violation', () => {
    const run = runSeed({ seed, invariants: corruptedInvariants });
    expect(run.status).toBe('harnessError');
    expect(run.violation).toBeNull();
    expect(run.harnessError).toMatchObject({ harness: true, invariant: 'log-matching', evidence: { index: 1 } });
    expect(run.harnessError?.message).toContain('incremental prefix hash');
  });

  it('leaves the same run ok when nothing corrupts the state', () => {
    expect(runSeed({ seed, invariants: [logMatching] }).status).toBe('ok');
  });

  it('makes the campaign a harness error, counted as such, with exit code 5', () => {
    const campaign = runCampaign({ seeds: [seed], invariants: corruptedInvariants });
    expect(campaign.result).toBe('harnessError');
    expect(campaign.failures.map((failure) => failure.status)).toEqual(['harnessError']);
    expect(campaign.violationsByInvariant).toEqual({ 'harness-error': 1 });
    expect(exitCodeOf(campaign.result)).toBe(exitCodes.harnessError);
    expect(exitCodes.harnessError).toBe(5);
  });

  it('is printed and recorded as a bug in raftcheck, with its message and evidence', () => {
    const [failure] = runCampaign({ seeds: [seed], invariants: corruptedInvariants }).failures;
    const text = formatFailure({ failure, replayCommand: `npx raftcheck run --seed ${seed}`, tracePath: null }, { color: false });
    expect(text.split('\n')[0]).toBe(`FAILED seed ${seed}: harness error (a bug in raftcheck, please report it with the trace)`);
    expect(text).toContain('log-matching: audit: the incremental prefix hash');
    const record = failureRecord(failure.run, { seed, replay: 'x', trace: null });
    expect(record).toMatchObject({ status: 'harnessError', invariant: 'harness-error', evidence: { index: 1 } });
    expect(record.message).toContain('incremental prefix hash');
  });

  it('travels in the trace file, and show names it', () => {
    const run = runSeed({ seed, invariants: corruptedInvariants, recordEvents: true });
    const parsed = parseTrace(JSON.stringify(traceOf(run)));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.trace.result).toMatchObject({ status: 'harnessError', harnessError: { invariant: 'log-matching' } });
    expect(formatTimeline(parsed.trace, { color: false })).toContain('verdict         harness error (a bug in raftcheck');
  });
});

describe('judgeAudit', () => {
  const nodes = [1];
  const found = violation({ invariant: 'first', message: 'two leaders', nodes, eventNumber: 9, timeMs: 90, evidence: {} });
  const broken = harnessError({ invariant: 'second', message: 'a count is off', nodes, eventNumber: 9, timeMs: 90, evidence: {} });
  const checker = (name: string, finding: Violation | ReturnType<typeof harnessError> | null): InvariantChecker => ({ name, fork: () => checker(name, finding), afterStep: () => null, audit: () => finding });

  it('puts a harness error before a violation another checker found in the same audit', () => {
    const finding = judgeAudit([checker('first', found), checker('second', broken)], (candidate) => candidate.audit(null as never, 9, 90));
    expect(finding !== null && isHarnessError(finding)).toBe(true);
    expect(finding?.invariant).toBe('second');
  });

  it('reports a violation the audit found in the nodes themselves as the violation it is', () => {
    const finding = judgeAudit([checker('first', found), checker('third', null)], (candidate) => candidate.audit(null as never, 9, 90));
    expect(finding).toEqual(found);
  });
});
