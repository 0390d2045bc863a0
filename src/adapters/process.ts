// Implementations in any language, over the process protocol of docs/PROTOCOL.md: each node
// instance is one process, driven by newline-delimited JSON on its stdin and stdout. The
// simulation is synchronous, so every input is a synchronous round trip (./process/host.ts).
// The hello exchange is done at each spawn; its answer must name the same implementation, with
// the same features (protocol 2), as the first process's did.
//
// A program that misbehaves (exits, hangs past the timeout, writes malformed JSON or a wrong
// shape, answers hello wrongly, writes a line over the size limit) never takes the harness down:
// the step throws a ProcessProtocolError whose message says what went wrong, with the tail of
// the program's stderr, and the simulation ends the run with an implementation error naming the
// node and the input.

import { availableParallelism } from 'node:os';
import type { Implementation, Input, NodeInstance, Output } from '../contract/contract.js';
import type { CallResult, ProgramConnection } from './process/host.js';
import { processHost } from './process/host.js';
import type { Hello, ProgramCommand } from './process/protocol.js';
import { answerTimeoutMsDefault, excerpt, helloLine, outputBytesMaxDefault, parseHello, parseOutput } from './process/protocol.js';
import type { ProgramSpec } from './process/worker.js';

export interface ProcessImplementationOptions {
  program: ProgramCommand;
  /** Working directory of the program (default: the harness's). */
  cwd?: string;
  /** Longest wait for one answer (hello included), in milliseconds. */
  timeoutMs?: number;
  /** Longest line the program may write, in bytes. */
  outputBytesMax?: number;
  /** Processes kept started ahead, so that restarts rarely wait for a program to boot. */
  spares?: number;
}

/**
 * What a program did wrong; the simulation reports it as an implementation error. Its name is in
 * the report ("threw ProcessExitError: ..."), and the shrinker keeps a failure of the same name
 * (src/shrink/shrink.ts implementationErrorKind): a program that exits is not a program that hangs.
 */
export class ProcessProtocolError extends Error {
  override name = 'ProcessProtocolError';
}

/** The program exited, or closed its stdin or stdout, before answering. */
export class ProcessExitError extends ProcessProtocolError {
  override name = 'ProcessExitError';
}

/** The program gave no answer within the timeout (and was killed). */
export class ProcessTimeoutError extends ProcessProtocolError {
  override name = 'ProcessTimeoutError';
}

/** A usage problem found before any run: the program cannot be started at all. */
export class ProcessStartError extends Error {
  override name = 'ProcessStartError';
}

interface ProgramSettings {
  program: ProgramSpec;
  commandLine: string;
  timeoutMs: number;
  outputBytesMax: number;
}

/**
 * Starts one process to read the program's hello (its name and version name the implementation
 * in reports and trace hashes; its features, under protocol 2, say which optional inputs the
 * harness may send it). A program that cannot be started is a ProcessStartError; one
 * that starts but answers hello wrongly still yields an implementation, whose every node then
 * fails at its start input, so that the run reports it as an implementation error (exit code 4).
 */
export function processImplementation(options: ProcessImplementationOptions): Implementation {
  const cwd = options.cwd ?? process.cwd();
  const settings: ProgramSettings = {
    program: {
      key: JSON.stringify([options.program.command, options.program.args, cwd]),
      command: options.program.command,
      args: options.program.args,
      cwd,
      spares: options.spares ?? defaultSpares,
    },
    commandLine: [options.program.command, ...options.program.args].join(' '),
    timeoutMs: options.timeoutMs ?? answerTimeoutMsDefault,
    outputBytesMax: options.outputBytesMax ?? outputBytesMaxDefault,
  };
  const probe = startProgram(settings);
  if (probe.ok) probe.connection.release();
  else if (probe.cannotStart) throw new ProcessStartError(`process implementation "${settings.commandLine}" ${probe.error.message}`);
  const name = probe.ok ? probe.name : `process:${settings.commandLine}`;
  const features = probe.ok ? probe.features : [];
  const leaseDriftMax = probe.ok ? probe.leaseDriftMax : undefined;
  const removedNodeGuards = probe.ok ? probe.removedNodeGuards : undefined;
  return {
    name,
    version: probe.ok ? probe.version : 'unknown',
    ...(probe.ok && probe.timing === 'clock' ? { timing: probe.timing } : {}),
    features,
    ...(leaseDriftMax === undefined ? {} : { leaseDriftMax }),
    ...(removedNodeGuards === undefined ? {} : { removedNodeGuards }),
    createNode: () => new ProcessNode(settings, { name, features, leaseDriftMax, removedNodeGuards }),
  };
}

/**
 * Spares overlap a program's boot with the run, which pays on a machine with cores to spare;
 * measured on 2 cores, booting spares slowed every round trip more than it saved (bench/process.ts).
 */
const defaultSpares = availableParallelism() > 2 ? 2 : 0;

type Started = ({ ok: true; connection: ProgramConnection } & Hello) | { ok: false; cannotStart: boolean; error: ProcessProtocolError };

/**
 * Idle processes of restartable programs, by program: an instance that ends (a crash, the end of
 * a run) hands its process back here, and the next instance takes it and sends it a fresh start.
 * Starting a process costs milliseconds (a Go binary) to a tenth of a second (a Node program);
 * a round trip costs tens of microseconds, so reuse is most of the protocol's throughput.
 */
const idleProcesses = new Map<string, Started[]>();
const idleProcessesPerProgramMax = 64;

/** An idle process of this program, or a newly started one. */
function takeProgram(settings: ProgramSettings): Started {
  const idle = idleProcesses.get(settings.program.key);
  return idle?.pop() ?? startProgram(settings);
}

/** Hands a healthy process of a restartable program back for reuse; any other is ended. */
function returnProgram(settings: ProgramSettings, started: Started & { ok: true }): void {
  const idle = idleProcesses.get(settings.program.key) ?? [];
  idleProcesses.set(settings.program.key, idle);
  if (started.restartable && idle.length < idleProcessesPerProgramMax) idle.push(started);
  else started.connection.release();
}

/** Starts a process and does the hello exchange. */
function startProgram(settings: ProgramSettings): Started {
  const host = processHost();
  const spawned = host.spawn(settings.program, settings.timeoutMs);
  if (!spawned.ok) return { ok: false, cannotStart: true, error: new ProcessProtocolError(`${spawned.message}${formatStderr(spawned.stderr)}`) };
  const connection = spawned.connection;
  const answer = connection.call(helloLine, settings);
  if (!answer.ok) {
    const error = describeFailure(settings, connection, answer, 'hello');
    connection.release();
    return { ok: false, cannotStart: false, error };
  }
  const hello = parseHello(answer.line);
  if (!hello.ok) {
    connection.release();
    return { ok: false, cannotStart: false, error: new ProcessProtocolError(`the program (${settings.commandLine}) ${hello.message}`) };
  }
  return { ok: true, connection, ...hello.hello };
}

/** A failed round trip as the error of its kind, with how the program ended and its stderr tail. */
function describeFailure(settings: ProgramSettings, connection: ProgramConnection, result: CallResult & { ok: false }, what: string): ProcessProtocolError {
  let problem = `${result.detail} (answering ${what})`;
  let stderr: readonly string[] = [];
  if (result.problem === 'timeout') problem = `${result.detail} to ${what} (hung? --impl-timeout-ms sets the bound)`;
  if (result.problem === 'timeout' || result.problem === 'ended') {
    // How it ended, and what it said on the way out.
    const status = processHost().status(connection.id, Math.min(settings.timeoutMs, 5_000));
    if (result.problem === 'ended') problem = `${status.message} before answering ${what}`;
    stderr = status.stderr;
  }
  const message = `the program (${settings.commandLine}) ${problem}${formatStderr(stderr)}`;
  if (result.problem === 'timeout') return new ProcessTimeoutError(message);
  return result.problem === 'ended' ? new ProcessExitError(message) : new ProcessProtocolError(message);
}

export function formatStderr(lines: readonly string[]): string {
  const kept = lines.filter((line, index) => line.length > 0 || index < lines.length - 1);
  if (kept.length === 0) return '; its stderr was empty';
  return `; its stderr ended with:\n    ${kept.map((line) => excerpt(line, 500)).join('\n    ')}`;
}

/** How a process's hello differs from the first process's, which named the implementation; null if it does not. */
function helloDifference(hello: Hello, first: FirstHello): string | null {
  if (hello.name !== first.name) return `answered hello as "${hello.name}", but its first process as "${first.name}"`;
  const listed = (features: readonly string[]) => (features.length === 0 ? 'none' : features.join(', '));
  if (hello.features.join() !== first.features.join()) return `answered hello with features ${listed(hello.features)}, but its first process with ${listed(first.features)}`;
  if (hello.leaseDriftMax !== first.leaseDriftMax) return `answered hello with leaseDriftMax ${String(hello.leaseDriftMax)}, but its first process with ${String(first.leaseDriftMax)}`;
  const guards = (declared: Hello['removedNodeGuards']) => (declared === undefined ? 'none' : declared.join(', '));
  if (guards(hello.removedNodeGuards) !== guards(first.removedNodeGuards)) return `answered hello with removedNodeGuards ${guards(hello.removedNodeGuards)}, but its first process with ${guards(first.removedNodeGuards)}`;
  return null;
}

/** What every later process's hello must repeat of the first's. */
type FirstHello = Pick<Hello, 'name' | 'features' | 'leaseDriftMax' | 'removedNodeGuards'>;

/** One node instance: one process. */
class ProcessNode implements NodeInstance {
  private started: (Started & { ok: true }) | null = null;
  private connection: ProgramConnection | null = null;
  /** Set once the process failed: every later step throws it again. */
  private failure: ProcessProtocolError | null = null;
  private digest: string | undefined = undefined;
  stateDigest?: () => string;

  constructor(
    private readonly settings: ProgramSettings,
    first: FirstHello,
  ) {
    // Errors wait for the first step: createNode must not throw (the simulation would take it
    // for a harness bug), while a step that throws is an implementation error.
    const started = takeProgram(settings);
    const differs = started.ok ? helloDifference(started, first) : null;
    if (!started.ok) this.failure = started.error;
    else if (differs !== null) {
      started.connection.release();
      this.failure = new ProcessProtocolError(`the program (${settings.commandLine}) ${differs}`);
    } else {
      this.started = started;
      this.connection = started.connection;
    }
  }

  step(input: Input): Output {
    if (this.failure !== null) throw this.failure;
    const connection = this.connection as ProgramConnection;
    const answer = connection.call(JSON.stringify(input), this.settings);
    if (!answer.ok) this.fail(describeFailure(this.settings, connection, answer, `its ${input.kind} input`));
    const parsed = parseOutput(answer.line);
    if (!parsed.ok) this.fail(new ProcessProtocolError(`the program (${this.settings.commandLine}) ${parsed.message}`));
    const output = parsed.output;
    if (output.digest !== undefined) {
      this.digest = output.digest;
      this.stateDigest ??= () => this.digest as string;
    }
    return output;
  }

  dispose(): void {
    // Only a process that answered everything asked of it is reused; a failed one is ended.
    if (this.started !== null && this.failure === null) returnProgram(this.settings, this.started);
    else this.connection?.release();
    this.started = null;
    this.connection = null;
  }

  private fail(error: ProcessProtocolError): never {
    this.failure = error;
    this.dispose();
    throw this.failure;
  }
}
