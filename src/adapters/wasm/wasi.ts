// A WASI preview-1 layer written for raftcheck: everything a guest can learn of the world comes
// from the harness. Clocks read the node's virtual clock; random_get draws from a stream seeded
// by the start input's seed; poll_oneoff never waits, it jumps the virtual clock to the earliest
// deadline the guest asked for (an idle Go scheduler waits there with its next timer); stdin
// holds the one input line the host handed over and stdout collects the answer, in memory;
// stderr is kept (its last lines) for reports. Every other call that could observe or change the
// world (files, sockets, signals, CPU-time clocks) is refused: the call throws a GuestFault
// naming it, which unwinds the guest, and the host turns it into an implementation error.
//
// Calls are answered synchronously on the harness's thread, so a guest is a plain function of
// its inputs and its seed. A fault leaves the instance unusable; the host drops it.

import seedrandom from 'seedrandom';
import type { WasmMemory } from './webAssembly.js';

/** Why a host call stopped the guest; thrown through the guest's frames to the host. */
export class GuestFault extends Error {
  override name = 'GuestFault';
  constructor(
    readonly kind: 'exit' | 'refused' | 'protocol' | 'wakes',
    message: string,
    readonly exitCode = 0,
  ) {
    super(message);
  }
}

export interface VirtualWasiOptions {
  /** The start input's seed: random_get's stream. */
  seed: number;
  /** Lines of stderr kept for reports. */
  stderrLinesMax: number;
  /** Most bytes the guest may write to stdout for one input. */
  outputBytesMax: number;
  /** Most times one input may wake the guest from poll_oneoff (a guest that sleeps forever in small steps). */
  wakesPerInputMax: number;
}

/** 2026-01-01T00:00:00Z: what the guest's wall clock reads at its virtual time 0. */
const realtimeEpochSeconds = 1_767_225_600;
/** The monotonic clock starts past 0: Go's runtime takes a zero nanotime for a broken clock. */
const monotonicStartNs = 1_000_000_000;
const twoTo32 = 0x1_0000_0000;

const errno = { success: 0, again: 6, badf: 8, inval: 28, spipe: 70 } as const;
const clockIds = ['realtime', 'monotonic', 'process CPU-time', 'thread CPU-time'];
const stdinFd = 0;
const stdoutFd = 1;
const stderrFd = 2;
/** A directory "/" that exists only so that opening a path reaches path_open, which refuses it by name. */
const rootFd = 3;
/**
 * The idle signal of time-driven guests: a non-blocking fd whose read blocks the reading
 * goroutine until every other goroutine is blocked and no timer is due before the input's end
 * time (docs/PROTOCOL.md, "Time-driven guests"). The host sees that moment as a poll_oneoff that
 * waits on this fd and on nothing sooner.
 */
export const idleFd = 4;
const nonblockFlag = 4;

type HostFunction = (...args: any[]) => number;

/** Why each refused call is refused, for the implementation error. */
const refusedBecause: Readonly<Record<string, string>> = {
  proc_raise: 'a wasm guest may not raise signals',
  sock_accept: 'a wasm guest may not use sockets (its messages go through the harness)',
  sock_recv: 'a wasm guest may not use sockets (its messages go through the harness)',
  sock_send: 'a wasm guest may not use sockets (its messages go through the harness)',
  sock_shutdown: 'a wasm guest may not use sockets (its messages go through the harness)',
};

export class VirtualWasi {
  memory: WasmMemory | null = null;
  /** Virtual nanoseconds since the instance started: the node's local clock. */
  elapsedNs = 0;
  private random: seedrandom.PRNG;
  private stdin: Uint8Array = new Uint8Array(0);
  private stdinOffset = 0;
  /** What the guest wrote on stdout for this input: its first stdoutBytes bytes. */
  private stdout = new Uint8Array(4096);
  private stdoutBytes = 0;
  /** Views of the memory's current buffer, made again only when it changes (it grew). */
  private viewedBuffer: ArrayBuffer | null = null;
  private dataView: DataView = new DataView(new ArrayBuffer(0));
  private byteView: Uint8Array = new Uint8Array(0);
  private readonly stderrLines: string[] = [];
  private stderrPartial = '';
  /** Go's first "panic: ..." or "fatal error: ..." line: the cause, before the goroutine dumps push it out of the tail. */
  private stderrCause: string | null = null;
  private wakes = 0;
  private readonly fdFlags = [0, 0, 0];
  /** The virtual time the current input runs to: timers up to it fire, later ones wait. */
  private targetNs = 0;
  /** The guest became idle and has not read the idle fd since. */
  private idleReady = false;
  /** When the guest last became idle in this input: its earliest timer then (null: none); undefined: it never did. */
  private idleWakeNs: number | null | undefined = undefined;

  constructor(private readonly options: VirtualWasiOptions) {
    this.random = seedrandom.alea(`raftcheck:wasm:${options.seed}`);
  }

  /**
   * For an instance handed to a new node instance (a restartable guest): random_get's stream
   * starts again from the new start input's seed, and the old instance's stderr is forgotten.
   * The clock keeps running: a monotonic clock may not go back.
   */
  restart(seed: number): void {
    this.random = seedrandom.alea(`raftcheck:wasm:${seed}`);
    this.stderrLines.length = 0;
    this.stderrPartial = '';
    this.stderrCause = null;
  }

  /**
   * Hands the guest one input line on stdin and clears its stdout; the input may run the guest's
   * timers up to `advanceMs` of virtual time from now (0 but for an advance input).
   */
  beginInput(line: string, advanceMs = 0): void {
    this.targetNs = this.elapsedNs + advanceMs * 1e6;
    this.idleReady = false;
    this.idleWakeNs = undefined;
    this.stdin = Buffer.from(`${line}\n`, 'utf8');
    this.stdinOffset = 0;
    this.stdoutBytes = 0;
    this.wakes = 0;
  }

  /**
   * What the guest wrote on stdout for this input, how much of its input it left unread, and,
   * if it waited for idleness, local ms until its earliest timer (null: none). The clock then
   * stands at the input's end time, whether or not the guest waited for it.
   */
  endInput(): { stdout: string; unreadBytes: number; wakeAfterMs: number | null | undefined } {
    this.elapsedNs = Math.max(this.elapsedNs, this.targetNs);
    const wake = this.idleWakeNs;
    const wakeAfterMs = wake === undefined || wake === null ? wake : Math.max(0, (wake - this.elapsedNs) / 1e6);
    const stdout = Buffer.from(this.stdout.buffer, this.stdout.byteOffset, this.stdoutBytes).toString('utf8');
    return { stdout, unreadBytes: this.stdin.length - this.stdinOffset, wakeAfterMs };
  }

  /** The last lines of stderr (Go's panic messages and tracebacks land here). */
  stderrTail(): string[] {
    const lines = this.stderrPartial.length > 0 ? [...this.stderrLines, this.stderrPartial] : [...this.stderrLines];
    return lines.slice(-this.options.stderrLinesMax);
  }

  /** The first line of Go's report of a panic or a fatal error, if it wrote one. */
  cause(): string | null {
    return this.stderrCause;
  }

  /** The import object's wasi_snapshot_preview1 functions for the calls the module imports. */
  imports(names: readonly string[]): Record<string, HostFunction> {
    const answered = this.answeredCalls();
    const functions: Record<string, HostFunction> = {};
    for (const name of names) functions[name] = answered[name] ?? refuse(name, refusedBecause[name] ?? 'a wasm guest may not use files or anything else outside the protocol');
    return functions;
  }

  private view(): DataView {
    const buffer = (this.memory as WasmMemory).buffer;
    if (buffer !== this.viewedBuffer) {
      this.viewedBuffer = buffer;
      this.dataView = new DataView(buffer);
      this.byteView = new Uint8Array(buffer);
    }
    return this.dataView;
  }

  private bytes(pointer: number, length: number): Uint8Array {
    this.view();
    return this.byteView.subarray(pointer, pointer + length);
  }

  private answeredCalls(): Record<string, HostFunction> {
    return {
      args_sizes_get: (countPointer: number, bytesPointer: number) => this.writeSizes(countPointer, bytesPointer),
      args_get: () => errno.success,
      environ_sizes_get: (countPointer: number, bytesPointer: number) => this.writeSizes(countPointer, bytesPointer),
      environ_get: () => errno.success,
      clock_res_get: (id: number, resultPointer: number) => this.clockResolution(id, resultPointer),
      clock_time_get: (id: number, _precision: bigint, resultPointer: number) => this.clockTime(id, resultPointer),
      random_get: (pointer: number, length: number) => this.drawRandom(pointer, length),
      poll_oneoff: (subscriptions: number, events: number, count: number, eventCountPointer: number) => this.poll(subscriptions, events, count, eventCountPointer),
      sched_yield: () => errno.success,
      proc_exit: (code: number) => {
        throw new GuestFault('exit', `called proc_exit(${code})`, code);
      },
      fd_read: (fd: number, vectors: number, vectorCount: number, readPointer: number) => this.read(fd, vectors, vectorCount, readPointer),
      fd_write: (fd: number, vectors: number, vectorCount: number, writtenPointer: number) => this.write(fd, vectors, vectorCount, writtenPointer),
      fd_fdstat_get: (fd: number, resultPointer: number) => this.fdStat(fd, resultPointer),
      fd_fdstat_set_flags: (fd: number, flags: number) => this.setFlags(fd, flags),
      fd_prestat_get: (fd: number, resultPointer: number) => this.prestat(fd, resultPointer),
      fd_prestat_dir_name: (fd: number, pointer: number, length: number) => this.prestatName(fd, pointer, length),
      fd_close: (fd: number) => {
        if (fd > idleFd) return errno.badf;
        throw new GuestFault('refused', `called fd_close of fd ${fd}: a wasm guest may not close its stdio, the root or the idle signal`);
      },
      fd_seek: (fd: number) => (fd <= stderrFd ? errno.spipe : errno.badf),
      path_open: (_fd: number, _flags: number, pathPointer: number, pathLength: number) => {
        const path = Buffer.from(this.bytes(pathPointer, pathLength)).toString('utf8');
        throw new GuestFault('refused', `called path_open for /${path}: a wasm guest may not open files (its durable state goes through the harness's records)`);
      },
    };
  }

  private writeSizes(countPointer: number, bytesPointer: number): number {
    const view = this.view();
    view.setUint32(countPointer, 0, true);
    view.setUint32(bytesPointer, 0, true);
    return errno.success;
  }

  private clockResolution(id: number, resultPointer: number): number {
    if (id !== 0 && id !== 1) throw new GuestFault('refused', `called clock_res_get of the ${clockIds[id] ?? `unknown (${id})`} clock: a wasm guest may read only the virtual realtime and monotonic clocks`);
    this.writeU64(resultPointer, 1);
    return errno.success;
  }

  private clockTime(id: number, resultPointer: number): number {
    if (id === 0) this.writeU64(resultPointer, realtimeEpochSeconds * 1e9 + this.elapsedNs);
    else if (id === 1) this.writeU64(resultPointer, monotonicStartNs + this.elapsedNs);
    else throw new GuestFault('refused', `called clock_time_get of the ${clockIds[id] ?? `unknown (${id})`} clock: real time a wasm guest may not read (only the virtual realtime and monotonic clocks)`);
    return errno.success;
  }

  /** Writes a u64 held in a double (exact below 2^53: virtual nanoseconds for 104 days past 2026). */
  private writeU64(pointer: number, value: number): void {
    const view = this.view();
    view.setUint32(pointer, value % twoTo32, true);
    view.setUint32(pointer + 4, Math.floor(value / twoTo32), true);
  }

  private drawRandom(pointer: number, length: number): number {
    const target = this.bytes(pointer, length);
    for (let index = 0; index < length; index += 4) {
      const word = this.random.int32();
      for (let byte = 0; byte < 4 && index + byte < length; byte += 1) target[index + byte] = (word >>> (8 * byte)) & 0xff;
    }
    return errno.success;
  }

  private read(fd: number, vectors: number, vectorCount: number, readPointer: number): number {
    if (fd === idleFd) return this.readIdle(vectors, vectorCount, readPointer);
    if (fd !== stdinFd) throw new GuestFault('refused', `called fd_read on fd ${fd}: a wasm guest may read only its stdin and the idle signal (fd ${idleFd})`);
    const view = this.view();
    let total = 0;
    for (let index = 0; index < vectorCount && this.stdinOffset < this.stdin.length; index += 1) {
      const pointer = view.getUint32(vectors + 8 * index, true);
      const length = view.getUint32(vectors + 8 * index + 4, true);
      const count = Math.min(length, this.stdin.length - this.stdinOffset);
      this.bytes(pointer, count).set(this.stdin.subarray(this.stdinOffset, this.stdinOffset + count));
      this.stdinOffset += count;
      total += count;
    }
    if (total === 0 && vectorCount > 0) {
      if ((this.fdFlags[stdinFd] & nonblockFlag) !== 0) return errno.again;
      throw new GuestFault('protocol', 'read its stdin past the input line it was handed (the host hands one line per call of raftcheck_step)');
    }
    view.setUint32(readPointer, total, true);
    return errno.success;
  }

  /** One byte once the guest has become idle; EAGAIN (wait in poll_oneoff) until then. */
  private readIdle(vectors: number, vectorCount: number, readPointer: number): number {
    if (!this.idleReady) return errno.again;
    const view = this.view();
    if (vectorCount === 0 || view.getUint32(vectors + 4, true) === 0) throw new GuestFault('protocol', `read the idle signal (fd ${idleFd}) into no buffer`);
    this.bytes(view.getUint32(vectors, true), 1)[0] = 1;
    this.idleReady = false;
    view.setUint32(readPointer, 1, true);
    return errno.success;
  }

  private write(fd: number, vectors: number, vectorCount: number, writtenPointer: number): number {
    if (fd !== stdoutFd && fd !== stderrFd) throw new GuestFault('refused', `called fd_write on fd ${fd}: a wasm guest may write only its stdout and stderr`);
    const view = this.view();
    let total = 0;
    for (let index = 0; index < vectorCount; index += 1) {
      const pointer = view.getUint32(vectors + 8 * index, true);
      const length = view.getUint32(vectors + 8 * index + 4, true);
      const chunk = this.bytes(pointer, length);
      if (fd === stderrFd) this.keepStderr(chunk);
      else {
        this.keepStdout(chunk);
      }
      total += length;
    }
    view.setUint32(writtenPointer, total, true);
    return errno.success;
  }

  private keepStdout(chunk: Uint8Array): void {
    const bytes = this.stdoutBytes + chunk.length;
    if (bytes > this.options.outputBytesMax) throw new GuestFault('protocol', `wrote more than ${this.options.outputBytesMax} bytes on stdout for one input (--impl-output-bytes-max)`);
    if (bytes > this.stdout.length) {
      const grown = new Uint8Array(Math.max(bytes, 2 * this.stdout.length));
      grown.set(this.stdout.subarray(0, this.stdoutBytes));
      this.stdout = grown;
    }
    this.stdout.set(chunk, this.stdoutBytes);
    this.stdoutBytes = bytes;
  }

  private keepStderr(chunk: Uint8Array): void {
    const parts = (this.stderrPartial + Buffer.from(chunk).toString('utf8')).split('\n');
    this.stderrPartial = (parts.pop() as string).slice(-2000);
    for (const line of parts) {
      this.stderrLines.push(line.length > 2000 ? `${line.slice(0, 2000)}...` : line);
      if (this.stderrCause === null && /^(panic|fatal error): /.test(line)) this.stderrCause = line.slice(0, 500);
    }
    if (this.stderrLines.length > this.options.stderrLinesMax) this.stderrLines.splice(0, this.stderrLines.length - this.options.stderrLinesMax);
  }

  private fdStat(fd: number, resultPointer: number): number {
    if (fd > idleFd) return errno.badf;
    const view = this.view();
    // Character devices for stdio and the idle signal (non-blocking, so that Go's poller waits on
    // it), a directory for the root; every right, so that Go uses them as given.
    view.setUint8(resultPointer, fd === rootFd ? 3 : 2);
    view.setUint16(resultPointer + 2, fd === rootFd ? 0 : fd === idleFd ? nonblockFlag : this.fdFlags[fd], true);
    view.setUint32(resultPointer + 8, 0xffffffff, true);
    view.setUint32(resultPointer + 12, 0x1fffffff, true);
    view.setUint32(resultPointer + 16, 0xffffffff, true);
    view.setUint32(resultPointer + 20, 0x1fffffff, true);
    return errno.success;
  }

  private setFlags(fd: number, flags: number): number {
    if (fd > stderrFd) return errno.badf;
    this.fdFlags[fd] = flags;
    return errno.success;
  }

  private prestat(fd: number, resultPointer: number): number {
    if (fd !== rootFd) return errno.badf;
    const view = this.view();
    view.setUint8(resultPointer, 0);
    view.setUint32(resultPointer + 4, 1, true);
    return errno.success;
  }

  private prestatName(fd: number, pointer: number, length: number): number {
    if (fd !== rootFd || length < 1) return errno.badf;
    this.bytes(pointer, 1)[0] = 0x2f;
    return errno.success;
  }

  /**
   * The guest has nothing to run until one of its subscriptions fires. Stdio that is ready
   * answers at once; a guest waiting on the idle signal with no timer due before the input's
   * end time is idle, and the signal fires; otherwise the virtual clock jumps to the earliest
   * clock deadline. A guest that waits only for more stdin would wait forever: that is its
   * error, not a hang.
   */
  private poll(subscriptions: number, events: number, count: number, eventCountPointer: number): number {
    this.wakes += 1;
    if (this.wakes > this.options.wakesPerInputMax) {
      throw new GuestFault('wakes', `woke from poll_oneoff more than ${this.options.wakesPerInputMax} times for one input (sleeping forever in small steps?)`);
    }
    const view = this.view();
    const ready: { userdata: bigint; type: number }[] = [];
    let earliest: { userdata: bigint; deadlineNs: number } | null = null;
    let idle: { userdata: bigint; type: number } | null = null;
    for (let index = 0; index < count; index += 1) {
      const base = subscriptions + 48 * index;
      const userdata = view.getBigUint64(base, true);
      const tag = view.getUint8(base + 8);
      if (tag === 0) {
        const deadlineNs = this.deadline(view, base);
        if (earliest === null || deadlineNs < earliest.deadlineNs) earliest = { userdata, deadlineNs };
      } else if (tag === 1 && view.getUint32(base + 16, true) === idleFd) {
        idle = { userdata, type: tag };
        if (this.idleReady) ready.push(idle);
      } else if (this.fdReady(tag, view.getUint32(base + 16, true))) ready.push({ userdata, type: tag });
    }
    if (ready.length === 0) {
      if (idle !== null && (earliest === null || earliest.deadlineNs > this.targetNs)) {
        // Nothing runs and nothing is due before the input's end: the guest is idle at that time.
        this.elapsedNs = Math.max(this.elapsedNs, this.targetNs);
        this.idleReady = true;
        this.idleWakeNs = earliest === null ? null : earliest.deadlineNs;
        ready.push(idle);
      } else {
        if (earliest === null) throw new GuestFault('protocol', 'waits in poll_oneoff for input that never comes (it read past its input line, or waits on nothing)');
        this.elapsedNs = Math.max(this.elapsedNs, earliest.deadlineNs);
        ready.push({ userdata: earliest.userdata, type: 0 });
      }
    }
    for (let index = 0; index < ready.length; index += 1) {
      const base = events + 32 * index;
      for (let byte = 0; byte < 32; byte += 4) view.setUint32(base + byte, 0, true);
      view.setBigUint64(base, ready[index].userdata, true);
      view.setUint8(base + 10, ready[index].type);
    }
    view.setUint32(eventCountPointer, ready.length, true);
    return errno.success;
  }

  /** A clock subscription's deadline in elapsed virtual nanoseconds (flag 1: an absolute time). */
  private deadline(view: DataView, base: number): number {
    const id = view.getUint32(base + 16, true);
    if (id !== 0 && id !== 1) throw new GuestFault('refused', `called poll_oneoff on the ${clockIds[id] ?? `unknown (${id})`} clock: a wasm guest may wait only on the virtual realtime and monotonic clocks`);
    const timeout = Number(view.getBigUint64(base + 24, true));
    if ((view.getUint16(base + 40, true) & 1) === 0) return this.elapsedNs + timeout;
    return timeout - (id === 0 ? realtimeEpochSeconds * 1e9 : monotonicStartNs);
  }

  private fdReady(tag: number, fd: number): boolean {
    if (tag === 1) {
      if (fd !== stdinFd) throw new GuestFault('refused', `called poll_oneoff to read fd ${fd}: a wasm guest may read only its stdin`);
      return this.stdinOffset < this.stdin.length;
    }
    if (fd !== stdoutFd && fd !== stderrFd) throw new GuestFault('refused', `called poll_oneoff to write fd ${fd}: a wasm guest may write only its stdout and stderr`);
    return true;
  }
}

function refuse(name: string, because: string): HostFunction {
  return () => {
    throw new GuestFault('refused', `called ${name}: ${because}`);
  };
}
