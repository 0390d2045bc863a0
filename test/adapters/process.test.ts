// The process protocol (docs/PROTOCOL.md): well-behaved programs carry a run exactly as in
// process; misbehaving ones end the run with an implementation error that says what went wrong.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Input, Output } from '../../src/contract/contract.js';
import { processImplementation } from '../../src/adapters/process.js';
import { closeProcessHost, processHost } from '../../src/adapters/process/host.js';
import { referenceImplementation, referenceVersion } from '../../src/adapters/reference.js';
import { runSeed } from '../../src/check/run.js';
import { loadScenario } from '../../src/check/scenarios.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import { failureSignature, implementationErrorKind } from '../../src/shrink/shrink.js';
import { root } from '../support/cli.js';

const fake = (name: string) => ({ command: process.execPath, args: [join(root, 'test/adapters/fakes', `${name}.mjs`)] });
const referenceProgram = (...args: string[]) => ({ command: process.execPath, args: [join(root, 'dist/src/adapters/referenceProcess.js'), ...args] });
const shortScenario = (name: string) => ({ ...loadScenario(name), durationMs: 800 });

afterAll(() => closeProcessHost());

function failedRunOf(program: { command: string; args: string[] }, options: { timeoutMs?: number; outputBytesMax?: number } = {}) {
  const implementation = processImplementation({ program, ...options });
  const run = runSeed({ seed: 1, implementation, scenario: shortScenario('default') });
  expect(run.status).toBe('implementationError');
  return run;
}

function failureOf(program: { command: string; args: string[] }, options: { timeoutMs?: number; outputBytesMax?: number } = {}) {
  return failedRunOf(program, options).implementationError!;
}

describe('a process implementation', () => {
  it('takes its name and version from the hello answer', () => {
    const implementation = processImplementation({ program: fake('well-behaved') });
    expect([implementation.name, implementation.version]).toEqual(['fake', '0.0.1']);
  });

  it('has no features when its program speaks protocol 1', () => {
    expect(processImplementation({ program: fake('well-behaved') }).features).toEqual([]);
  });

  it('takes its features from a protocol 2 hello, and hands the inputs of a feature through whole', () => {
    const implementation = processImplementation({ program: fake('v2-features') });
    expect([implementation.name, implementation.version, implementation.features]).toEqual(['fake', '0.0.2', ['membership']]);
    const node = implementation.createNode();
    const change: Input = { kind: 'changeMembership', change: { id: 41, steps: [{ action: 'addVoter', node: 4 }, { action: 'remove', node: 1 }] } };
    expect(node.step(change).records).toEqual([change]);
    node.dispose?.();
  });

  it('sends each input as one JSON line and returns the answer line as the output', () => {
    const node = processImplementation({ program: fake('well-behaved') }).createNode();
    expect(node.step({ kind: 'tick' }).records).toEqual([{ kind: 'tick' }]);
    node.dispose?.();
  });

  it('runs the reference over the protocol (version 2, with its features) with the same status, event count and trace hash as in process', () => {
    const overProtocol = processImplementation({ program: referenceProgram() });
    for (const scenarioName of ['default', 'majority-minority-partition', 'crash-loses-unsynced-writes']) {
      for (const seed of [1, 2]) {
        const scenario = shortScenario(scenarioName);
        const inProcess = runSeed({ seed, scenario });
        const viaProcess = runSeed({ seed, scenario, implementation: overProtocol });
        expect([viaProcess.status, viaProcess.events, viaProcess.traceHash], `${scenarioName} seed ${seed}`).toEqual([
          inProcess.status,
          inProcess.events,
          inProcess.traceHash,
        ]);
      }
    }
  });

  it('announces, run as a process, the features the in-process reference declares', () => {
    expect(processImplementation({ program: referenceProgram() }).features).toEqual(referenceImplementation().features);
  });

  it('answers, run as a process, a harness of protocol 1 as a version 1 program, and one of protocol 2 with its features', () => {
    const program = referenceProgram();
    const hellos = `${JSON.stringify({ kind: 'hello', protocol: 1 })}\n${JSON.stringify({ kind: 'hello', protocol: 2 })}\n`;
    const lines = spawnSync(program.command, program.args, { input: hellos, encoding: 'utf8' }).stdout.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { protocol: 1, name: 'reference', version: referenceVersion, restartable: true },
      { protocol: 2, name: 'reference', version: referenceVersion, restartable: true, features: ['membership', 'snapshots', 'preVote', 'checkQuorum', 'leadershipTransfer', 'leaseReads'], leaseDriftMax: 0.1 },
    ]);
  });

  it('carries the inputs and outputs of protocol 2 whole: the reference answers alike in process and as a process', () => {
    const options = { electionTicksMin: 3, electionTicksMax: 3, heartbeatTicks: 1, entriesPerMessageMax: 8, snapshotEntriesThreshold: 3 };
    const inputs: Input[] = [
      { kind: 'start', id: 1, members: [1], seed: 7, records: [], options },
      ...Array.from({ length: 4 }, (): Input => ({ kind: 'tick' })),
      ...Array.from({ length: 5 }, (_, index): Input => ({ kind: 'propose', command: { id: 10 + index, op: 'set', key: 'k', value: `v${index}` } })),
      { kind: 'changeMembership', change: { id: 20, steps: [{ action: 'addLearner', node: 2 }] } },
      { kind: 'changeMembership', change: { id: 21, steps: [{ action: 'remove', node: 1 }] } },
    ];
    const inProcess = referenceImplementation().createNode();
    const viaProcess = processImplementation({ program: referenceProgram() }).createNode();
    const outputs = inputs.map((input) => [inProcess.step(input), viaProcess.step(input)]);
    viaProcess.dispose?.();
    // Over the protocol each message carries its view, which the harness asks messageView for in process.
    const reference = referenceImplementation();
    const withViews = (output: Output): Output => ({ ...output, messages: output.messages.map((outbound) => ({ ...outbound, message: { ...outbound.message, view: reference.messageView!(outbound.message) ?? undefined } })) });
    for (const [index, [expected, actual]] of outputs.entries()) expect(actual, `output of input ${index} (${inputs[index].kind})`).toEqual(withViews(expected));
    expect(outputs.flatMap(([, actual]) => actual.messages).length).toBeGreaterThan(0);
    // What passed through: snapshots taken, the configuration in the view, answers to changes.
    const all = outputs.map(([output]) => output);
    expect(all.some((output) => output.snapshotTaken !== undefined)).toBe(true);
    expect(all.at(-2)?.answers).toEqual([expect.objectContaining({ commandId: 20, kind: 'accepted' })]);
    expect(all.at(-1)?.answers).toEqual([expect.objectContaining({ commandId: 21, kind: 'rejected' })]);
    expect(all.at(-2)?.state?.configuration?.latest).toEqual({ voters: [1], learners: [2], votersOutgoing: [] });
  });

  it('runs the reference over protocol 2 with membership churn and snapshots on, with the same trace hashes as in process', () => {
    const overProtocol = processImplementation({ program: referenceProgram() });
    const churn = { ...loadScenario('membership-churn'), durationMs: 2000 };
    const snapshotting = { ...churn, implementation: { ...churn.implementation, snapshotEntriesThreshold: 8 } };
    for (const seed of [1, 2]) {
      const hashes = [churn, snapshotting].map((scenario, index) => {
        const inProcess = runSeed({ seed, scenario, recordEvents: true });
        const viaProcess = runSeed({ seed, scenario, implementation: overProtocol });
        const label = `${index === 0 ? 'membership-churn' : 'membership-churn with snapshots'} seed ${seed}`;
        expect(inProcess.eventLog?.some((event) => event.kind === 'membershipRequest'), label).toBe(true);
        expect([viaProcess.status, viaProcess.events, viaProcess.traceHash], label).toEqual([inProcess.status, inProcess.events, inProcess.traceHash]);
        return inProcess.traceHash;
      });
      // The threshold reached the nodes: snapshots changed the run.
      expect(hashes[1]).not.toBe(hashes[0]);
    }
  });

  it('runs the reference over protocol 2 with pre-vote, check-quorum, transfers and lease reads on, with the same trace hashes as in process', () => {
    const overProtocol = processImplementation({ program: referenceProgram() });
    expect(overProtocol.leaseDriftMax).toBe(referenceImplementation().leaseDriftMax);
    for (const name of ['leader-transfer', 'lease-reads-under-drift']) {
      const scenario = { ...loadScenario(name), durationMs: 2000 };
      for (const seed of [1, 2]) {
        const inProcess = runSeed({ seed, scenario, recordEvents: true });
        const viaProcess = runSeed({ seed, scenario, implementation: overProtocol });
        const label = `${name} seed ${seed}`;
        const used = name === 'leader-transfer' ? (event: { kind: string }) => event.kind === 'transferRequest' : (event: { type?: string }) => event.type === 'read';
        expect(inProcess.eventLog?.some(used), label).toBe(true);
        expect([viaProcess.status, viaProcess.events, viaProcess.traceHash], label).toEqual([inProcess.status, inProcess.events, inProcess.traceHash]);
      }
    }
  });

  it('finds a bug of the reference over the protocol exactly as in process', () => {
    const scenario = loadScenario(join(root, 'scenarios/minimal/figure8.json'));
    const inProcess = runSeed({ seed: 1869, scenario, implementation: referenceImplementation(bugsFromNames(['figure8'])) });
    const viaProcess = runSeed({ seed: 1869, scenario, implementation: processImplementation({ program: referenceProgram('--bug', 'figure8') }) });
    expect(inProcess.violation?.invariant).toBe('leader-completeness');
    expect([viaProcess.status, viaProcess.violation?.invariant, viaProcess.events, viaProcess.traceHash]).toEqual([
      inProcess.status,
      inProcess.violation?.invariant,
      inProcess.events,
      inProcess.traceHash,
    ]);
  });
});

describe('process reuse', () => {
  const startsOf = (capability: string[]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'raftcheck-starts-')), 'pids');
    writeFileSync(file, '');
    const implementation = processImplementation({ program: { ...fake('counts-starts'), args: [...fake('counts-starts').args, file, ...capability] } });
    // The fake does nothing, so it never applies the liveness probe: each run fails liveness at
    // the bound (until the liveness phase checked at its deadline, these runs ended "ok").
    for (const seed of [1, 2]) expect(runSeed({ seed, implementation, scenario: shortScenario('repeated-leader-crash') }).status).toBe('liveness');
    const pids = readFileSync(file, 'utf8').trim().split('\n');
    return { starts: pids.length, processes: new Set(pids).size };
  };

  it('hands a restartable program several instances in turn, one start each', () => {
    const { starts, processes } = startsOf(['restartable']);
    expect(starts).toBe(10); // five nodes, two runs, no crash reaches a fake that never leads
    expect(processes).toBeLessThan(starts);
  });

  it('starts one process per instance for a program that does not say it is restartable', () => {
    const { starts, processes } = startsOf([]);
    expect(starts).toBe(10); // five nodes, two runs, no crash reaches a fake that never leads
    expect(processes).toBe(starts);
  });
});

describe('a misbehaving program ends the run with an implementation error', () => {
  it('that names the exit code and the stderr tail when the program exits', () => {
    const run = failedRunOf(fake('exits'));
    const error = run.implementationError!;
    expect(error.input).toBe('tick');
    expect(error.message).toContain('exited with code 3 before answering its tick input');
    expect(error.message).toContain('fake: panic: tick handling is broken');
    expect(failureSignature(run)).toBe('implementationError:exited');
  });

  it('that names the exit code, the same way every time, when the program is gone before the next input', () => {
    const reports = new Set<string>();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = failureOf(fake('exits-after-start'));
      expect(error.message).toMatch(/exited with code 7 before answering its \w+ input; its stderr ended with:\n {4}fake: gone after start/);
      reports.add(`${error.node} ${error.input} ${error.message}`);
    }
    expect(reports.size).toBe(1);
  });

  it('that names the exit code when the program exits before hello (/bin/false)', () => {
    const run = failedRunOf({ command: '/bin/false', args: [] });
    expect(run.implementationError!.message).toContain('(/bin/false) exited with code 1 before answering hello; its stderr was empty');
    expect(failureSignature(run)).toBe('implementationError:exited');
  });

  it('that names the timeout when the program hangs', () => {
    const run = failedRunOf(fake('hangs'), { timeoutMs: 2_000 });
    const error = run.implementationError!;
    expect(error.input).toBe('tick');
    expect(error.message).toContain('gave no answer within 2000 ms');
    expect(failureSignature(run)).toBe('implementationError:timedOut');
  });

  it('that quotes the line when the program writes malformed JSON', () => {
    const run = failedRunOf(fake('malformed'));
    const error = run.implementationError!;
    expect(error.input).toContain('start');
    expect(error.message).toContain('wrote a line that is not JSON');
    expect(error.message).toContain('{"messages": [');
    expect(failureSignature(run)).toBe('implementationError:protocol');
  });

  it('that names the field when the answer has a wrong shape', () => {
    expect(failureOf(fake('wrong-shape')).message).toContain('output.sync: expected true or false');
  });

  it('that names the protocol versions when the hello answer is wrong', () => {
    const error = failureOf(fake('bad-hello'));
    expect(error.input).toContain('start');
    expect(error.message).toContain('answered hello with protocol 3; this raftcheck speaks protocols 1 and 2');
  });

  it('that names the bad value when the hello lists a feature raftcheck does not know', () => {
    const error = failureOf(fake('unknown-feature'));
    expect(error.message).toContain('answered hello with an unknown feature "prevote" (features[1]); known features: membership, snapshots');
  });

  it('when a later process lists other features than the first one did', () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'raftcheck-features-')), 'marker');
    const implementation = processImplementation({ program: { ...fake('changes-features'), args: [...fake('changes-features').args, marker] } });
    expect(implementation.features).toEqual(['snapshots']);
    const run = runSeed({ seed: 1, implementation, scenario: shortScenario('default') });
    expect(run.implementationError?.message).toContain('answered hello with features none, but its first process with snapshots');
  });

  it('that names the peer when the program sends to an unknown node', () => {
    const run = failedRunOf(fake('unknown-peer'));
    expect(run.implementationError!.message).toContain('unknown node 9');
    expect(failureSignature(run)).toBe('implementationError:badOutput');
  });

  it('that names the limit when an answer line is too long', () => {
    expect(failureOf(fake('oversize'), { outputBytesMax: 1000 }).message).toContain('over the 1000-byte limit');
  });

  it('when the program answers one input with two lines', () => {
    expect(failureOf(fake('two-lines')).message).toContain('wrote more than one line for one input');
  });
});

describe('the pipes of a program that has ended', () => {
  it('stay open until released, so a write to it is a value that says it ended, never EBADF', () => {
    const host = processHost();
    const spawned = host.spawn({ key: 'false-pipes', command: '/bin/false', args: [], cwd: root, spares: 0 }, 5_000);
    if (!spawned.ok) throw new Error(spawned.message);
    // Once the harness has seen the exit, Node's child_process would have closed the pipes.
    expect(host.status(spawned.connection.id, 5_000).message).toBe('exited with code 1');
    expect(spawned.connection.call('{"kind":"hello"}', { timeoutMs: 5_000, outputBytesMax: 1_000 })).toMatchObject({ ok: false, problem: 'ended' });
    spawned.connection.release();
  });
});

describe('the kind of an implementation error, which the shrinker keeps', () => {
  it('tells a thrown exception from an output that breaks the contract', () => {
    expect(implementationErrorKind('threw TypeError: x is undefined')).toBe('threw');
    expect(implementationErrorKind('threw 42')).toBe('threw');
    expect(implementationErrorKind('sent a append message to itself')).toBe('badOutput');
    expect(implementationErrorKind('state view: commitIndex went back')).toBe('badOutput');
  });

  it('gives runs that fail in different ways different signatures', () => {
    const failed = (message: string) => ({ status: 'implementationError' as const, violation: null, implementationError: { node: 1, input: 'tick', message, eventNumber: 1, timeMs: 0 } });
    const exited = failureSignature(failed('threw ProcessExitError: the program (p) exited with code 3 before answering its tick input'));
    const timedOut = failureSignature(failed('threw ProcessTimeoutError: the program (p) gave no answer within 10 ms to its tick input'));
    const harness = failureSignature(failed('threw Error: EBADF: bad file descriptor, write'));
    expect(new Set([exited, timedOut, harness]).size).toBe(3);
  });
});
