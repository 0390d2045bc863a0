// The main thread's side of the process protocol. One host (one worker thread, ./worker.ts)
// serves every process implementation of this Node process. Round trips are synchronous and
// direct: a blocking write of the input line to the program's stdin, then blocking reads of its
// stdout up to the newline. Only starting a program and asking how it ended go through the
// worker (a message, then Atomics.wait until the worker posts the answer). Nothing here reads a
// clock: the timeout of a round trip is the worker's watchdog, which kills the program and so
// ends the blocked read.
//
// No program outlives the harness: every instance is released when the simulation drops it, an
// exit handler kills every live pid from the shared pid table, and the worker's reaper kills
// what is left if the harness dies by a signal.

import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { assert } from '../../core/assert.js';
import { stderrLinesMax } from './protocol.js';
import { readSome, writeAll } from './syncIo.js';
import type { ProgramSpec, WorkerAnswer, WorkerData, WorkerRequest } from './worker.js';
import { processWorkerSource, reaperSource, watchSlots } from './worker.js';

/** Live children at once; more is a harness bug (every instance is disposed). */
const childrenMax = 4096;

type RequestBody = WorkerRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

export type CallResult =
  | { ok: true; line: string }
  | { ok: false; problem: 'timeout' | 'ended' | 'tooLong' | 'extraLine'; detail: string };

export class ProcessHost {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly watch: Int32Array;
  private readonly pids: Int32Array;
  private sequence = 0;
  private callSequence = 0;
  private nextChildId = 0;
  private closed = false;
  /** Read buffer shared by every connection: one round trip at a time. */
  readonly readBuffer = Buffer.allocUnsafe(1 << 16);
  private readonly killAll = (): void => {
    for (let slot = 0; slot < this.pids.length; slot += 1) {
      const pid = Atomics.load(this.pids, slot);
      if (pid !== 0) killGroup(pid);
    }
  };

  constructor() {
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.watch = new Int32Array(new SharedArrayBuffer(4 * watchSlots.size));
    this.pids = new Int32Array(new SharedArrayBuffer(4 * childrenMax));
    const workerData: WorkerData = { port: channel.port2, watch: this.watch, pids: this.pids, stderrLinesMax, reaperSource };
    this.worker = new Worker(processWorkerSource(), { eval: true, workerData, transferList: [channel.port2] });
    // The worker must never keep the harness alive.
    this.worker.unref();
    this.worker.on('error', () => {
      // A dead worker shows as a timeout of the next request to it.
    });
    process.once('exit', this.killAll);
  }

  /** Posts a request to the worker and waits for its answer, at most timeoutMs. */
  private request(body: RequestBody, timeoutMs: number): WorkerAnswer | null {
    assert(!this.closed, 'request on a closed process host');
    this.sequence += 1;
    const seq = this.sequence;
    this.port.postMessage({ ...body, seq } as WorkerRequest);
    for (;;) {
      const seen = Atomics.load(this.watch, watchSlots.answers);
      // Answers to requests given up on (timed out) may still arrive: skip them.
      for (let received = receiveMessageOnPort(this.port); received !== undefined; received = receiveMessageOnPort(this.port)) {
        const answer = received.message as WorkerAnswer;
        if (answer.seq === seq) return answer;
      }
      if (Atomics.wait(this.watch, watchSlots.answers, seen, timeoutMs) === 'timed-out') return null;
    }
  }

  /** Starts a program (or takes one of its spares). */
  spawn(program: ProgramSpec, timeoutMs: number): { ok: true; connection: ProgramConnection } | { ok: false; message: string; stderr: string[] } {
    this.nextChildId += 1;
    const id = this.nextChildId;
    const answer = this.request({ op: 'spawn', id, program }, timeoutMs);
    if (answer === null) {
      this.release(id);
      return { ok: false, message: `was not started within ${timeoutMs} ms`, stderr: [] };
    }
    if (answer.op === 'failed') return { ok: false, message: answer.message, stderr: answer.stderr };
    assert(answer.op === 'spawned', `the process worker answered a spawn with ${answer.op}`);
    return { ok: true, connection: new ProgramConnection(this, { id, pid: answer.pid, stdinFd: answer.stdinFd, stdoutFd: answer.stdoutFd }) };
  }

  /** How a program ended (it closed its stdout, or the watchdog killed it), with its stderr tail. */
  status(id: number, timeoutMs: number): { message: string; stderr: string[] } {
    const answer = this.request({ op: 'status', id }, timeoutMs);
    if (answer === null || answer.op !== 'status') {
      this.release(id);
      return { message: 'closed its stdout but did not exit (killed now)', stderr: [] };
    }
    return { message: answer.message, stderr: answer.stderr };
  }

  /** Kills a program without waiting and closes its pipes. */
  release(id: number): void {
    if (this.closed) return;
    this.sequence += 1;
    this.port.postMessage({ op: 'release', id, seq: this.sequence } satisfies WorkerRequest);
  }

  /** Marks the start of a blocking call on `pid`, for the watchdog; returns the call's number. */
  watchCall(pid: number, timeoutMs: number): number {
    this.callSequence += 1;
    Atomics.store(this.watch, watchSlots.timeoutMs, timeoutMs);
    Atomics.store(this.watch, watchSlots.call, this.callSequence);
    Atomics.store(this.watch, watchSlots.pid, pid);
    return this.callSequence;
  }

  /** Marks the end of a blocking call; true if the watchdog killed the program during it. */
  unwatchCall(call: number): boolean {
    Atomics.store(this.watch, watchSlots.pid, 0);
    return Atomics.load(this.watch, watchSlots.fired) === call;
  }

  /** Kills every program and the spares, and lets the worker go. */
  close(): void {
    if (this.closed) return;
    this.sequence += 1;
    this.port.postMessage({ op: 'close', seq: this.sequence } satisfies WorkerRequest);
    this.closed = true;
    this.killAll();
    process.removeListener('exit', this.killAll);
    void this.worker.terminate();
  }
}

/** Kills a program with its children (its own process group). The worker has a copy: it runs from source text and imports nothing. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** One program's pipes, used synchronously from the main thread. */
export class ProgramConnection {
  readonly id: number;
  readonly pid: number;
  private readonly stdinFd: number;
  private readonly stdoutFd: number;
  private released = false;
  /** Bytes read past the end of the last answer. */
  private leftover: Buffer | null = null;

  constructor(
    private readonly host: ProcessHost,
    fds: { id: number; pid: number; stdinFd: number; stdoutFd: number },
  ) {
    this.id = fds.id;
    this.pid = fds.pid;
    this.stdinFd = fds.stdinFd;
    this.stdoutFd = fds.stdoutFd;
  }

  /** Writes one line and reads one line back; every failure is a value. */
  call(line: string, options: { timeoutMs: number; outputBytesMax: number }): CallResult {
    assert(!this.released, 'a call on a released program');
    if (this.leftover !== null) {
      const extra = this.leftover.toString('utf8', 0, Math.min(this.leftover.length, 200));
      return { ok: false, problem: 'extraLine', detail: `wrote more than one line for one input: ${JSON.stringify(extra)}` };
    }
    const call = this.host.watchCall(this.pid, options.timeoutMs);
    let result: CallResult;
    try {
      result = this.roundTrip(line, options.outputBytesMax);
    } finally {
      if (this.host.unwatchCall(call)) result = { ok: false, problem: 'timeout', detail: `gave no answer within ${options.timeoutMs} ms` };
    }
    return result;
  }

  private roundTrip(line: string, outputBytesMax: number): CallResult {
    if (!writeAll(this.stdinFd, `${line}\n`)) return { ok: false, problem: 'ended', detail: 'stopped reading its stdin' };
    const buffer = this.host.readBuffer;
    const parts: Buffer[] = [];
    let bytes = 0;
    for (;;) {
      const count = readSome(this.stdoutFd, buffer);
      if (count === 0) return { ok: false, problem: 'ended', detail: 'closed its stdout' };
      const end = count === buffer.length ? buffer.indexOf(10) : buffer.subarray(0, count).indexOf(10);
      if (end === -1) {
        bytes += count;
        if (bytes > outputBytesMax) return { ok: false, problem: 'tooLong', detail: `wrote more than ${outputBytesMax} bytes without a newline (--impl-output-bytes-max)` };
        parts.push(Buffer.from(buffer.subarray(0, count)));
        continue;
      }
      bytes += end;
      if (bytes > outputBytesMax) return { ok: false, problem: 'tooLong', detail: `wrote a line of ${bytes} bytes, over the ${outputBytesMax}-byte limit (--impl-output-bytes-max)` };
      if (end + 1 < count) this.leftover = Buffer.from(buffer.subarray(end + 1, count));
      let text: string;
      if (parts.length === 0) text = buffer.toString('utf8', 0, end);
      else {
        parts.push(buffer.subarray(0, end));
        text = Buffer.concat(parts).toString('utf8');
      }
      if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
      return { ok: true, line: text };
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.host.release(this.id);
  }
}

let sharedHost: ProcessHost | null = null;

/** The host of this Node process, started on first use. */
export function processHost(): ProcessHost {
  sharedHost ??= new ProcessHost();
  return sharedHost;
}

/** Kills every program of this Node process and stops the worker (the next use starts afresh). */
export function closeProcessHost(): void {
  sharedHost?.close();
  sharedHost = null;
}
