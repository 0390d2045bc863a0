// The worker thread behind the process protocol. The simulation is synchronous, and the main
// thread does each round trip itself, with blocking fs.writeSync and fs.readSync on the
// program's stdin and stdout (measured: about three times faster than relaying each line
// through this thread). Everything asynchronous lives here instead:
//   - starting programs (a few kept started ahead per program, "spares", so that a node
//     restart rarely waits for a program to boot), and handing their pipe fds to the main thread;
//   - draining each program's stderr (keeping the last lines for error reports);
//   - the exit status of each program;
//   - the watchdog: the main thread publishes the pid it is waiting on, and if it is still
//     waiting on the same call after the timeout, the watchdog kills the program, which ends
//     the blocked read;
//   - a small detached reaper process that is told about every child: if the harness dies by
//     a signal, its stdin closes and it kills what is left.
//
// The worker runs from source text (`new Worker(text, { eval: true })`), so that it works both
// from dist/ and from the TypeScript sources under vitest: processWorkerSource writes out
// processWorkerMain and the functions it calls, which use nothing but their parameters and
// globals (no imports, no helpers from other modules).

/** Requests from the main thread; each carries a sequence number that its answer repeats. */
export type WorkerRequest =
  | { op: 'spawn'; seq: number; id: number; program: ProgramSpec }
  | { op: 'status'; seq: number; id: number }
  | { op: 'release'; seq: number; id: number }
  | { op: 'close'; seq: number };

export interface ProgramSpec {
  /** Identifies the program in the worker's spare pool. */
  key: string;
  command: string;
  args: string[];
  cwd: string;
  /** Processes to keep started ahead. */
  spares: number;
}

export type WorkerAnswer =
  | { op: 'spawned'; seq: number; id: number; pid: number; stdinFd: number; stdoutFd: number }
  | { op: 'failed'; seq: number; id: number; message: string; stderr: string[] }
  | { op: 'status'; seq: number; id: number; message: string; stderr: string[] };

/** Slots of the shared Int32Array `watch`. */
export const watchSlots = {
  /** Counts answers posted; the main thread waits on it. */
  answers: 0,
  /** Pid of the program the main thread is blocked on, 0 when it is not. */
  pid: 1,
  /** Sequence number of the main thread's current call. */
  call: 2,
  /** Timeout of the current call, in milliseconds. */
  timeoutMs: 3,
  /** The call the watchdog gave up on (it killed the program). */
  fired: 4,
  /** Never written: the watchdog sleeps on it. */
  idle: 5,
  size: 6,
} as const;

export interface WorkerData {
  port: unknown;
  watch: Int32Array;
  /** Int32Array over a SharedArrayBuffer: the pids of the live children, 0 for a free slot. */
  pids: Int32Array;
  stderrLinesMax: number;
  /** Source of the reaper program, run with `node -e`. */
  reaperSource: string;
}

/** The reaper: kills every process group it was told about once its stdin closes. */
export const reaperSource = `
process.on('SIGINT', () => {}); process.on('SIGTERM', () => {}); process.on('SIGHUP', () => {});
const live = new Set(); let rest = '';
process.stdin.on('data', (chunk) => {
  const lines = (rest + chunk).split('\\n'); rest = lines.pop();
  for (const line of lines) { const pid = Number(line.slice(1)); if (line[0] === '+') live.add(pid); else live.delete(pid); }
});
process.stdin.on('end', () => { for (const pid of live) { try { process.kill(-pid, 'SIGKILL'); } catch { try { process.kill(pid, 'SIGKILL'); } catch {} } } process.exit(0); });
`;

/**
 * The worker's source text: processWorkerMain and the functions it calls, each written out, then
 * the call. They may use nothing but their parameters and globals (no imports).
 */
export function processWorkerSource(): string {
  const parts = [
    workerPost,
    workerTellReaper,
    workerKillGroup,
    workerStderrTail,
    workerAnswerSpawn,
    workerAnswerStatus,
    workerForget,
    workerOnStderr,
    workerStart,
    workerWatchExit,
    workerTakePipes,
    workerTopUp,
    workerWatchdog,
    workerHandle,
  ];
  return `${parts.map((part) => part.toString()).join('\n\n')}\n\n(${processWorkerMain.toString()})(require);`;
}

interface WorkerChild {
  id: number;
  process: any;
  /**
   * The program's stdin and stdout sockets, taken off the ChildProcess: on exit Node destroys
   * a child's stdin and drains its stdout, closing fds the main thread is reading and writing
   * (EBADF, or worse, an fd number reused by another file). Only workerForget closes these.
   */
  pipes: { stdin: any; stdout: any } | null;
  pid: number;
  pidSlot: number;
  stderrLines: string[];
  stderrPartial: string;
  /** Set once the program is gone: how it ended. */
  ended: string | null;
  startError: string | null;
  /** Requests waiting for the child to start or to end. */
  waitingSpawn: number;
  waitingStatus: number;
}

/** What the worker's functions share. */
interface WorkerState {
  data: WorkerData;
  port: { on(event: 'message', listener: (request: WorkerRequest) => void): void; postMessage(answer: WorkerAnswer): void };
  watch: Int32Array;
  /** watchSlots, repeated here: the worker cannot import it. */
  slots: { answers: number; pid: number; call: number; timeoutMs: number; fired: number; idle: number };
  spawn: (command: string, args: string[], options: object) => any;
  children: Map<number, WorkerChild>;
  spares: Map<string, WorkerChild[]>;
  /** Spares get negative ids; a spawn request renames one to the id the main thread chose. */
  nextSpareId: number;
  reaper: any;
  /** The watchdog's call under watch (-1: none) and how long it has been blocked on it. */
  watchedCall: number;
  watchedForMs: number;
}

export function processWorkerMain(require: (id: string) => any): void {
  const { workerData } = require('node:worker_threads');
  const data = workerData as WorkerData;
  const state: WorkerState = {
    data,
    port: data.port as WorkerState['port'],
    watch: data.watch,
    slots: { answers: 0, pid: 1, call: 2, timeoutMs: 3, fired: 4, idle: 5 },
    spawn: require('node:child_process').spawn,
    children: new Map(),
    spares: new Map(),
    nextSpareId: -1,
    reaper: null,
    watchedCall: -1,
    watchedForMs: 0,
  };
  workerWatchdog(state);
  state.port.on('message', (request: WorkerRequest) => workerHandle(state, request));
}

function workerPost(state: WorkerState, answer: WorkerAnswer): void {
  state.port.postMessage(answer);
  Atomics.add(state.watch, state.slots.answers, 1);
  Atomics.notify(state.watch, state.slots.answers);
}

function workerTellReaper(state: WorkerState, text: string): void {
  if (state.reaper === null) {
    state.reaper = state.spawn(process.execPath, ['-e', state.data.reaperSource], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    state.reaper.on('error', () => {});
    state.reaper.stdin.on('error', () => {});
    state.reaper.unref();
  }
  state.reaper.stdin.write(text);
}

function workerKillGroup(pid: number): void {
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

function workerStderrTail(state: WorkerState, child: WorkerChild): string[] {
  return child.stderrPartial.length > 0 ? [...child.stderrLines, child.stderrPartial].slice(-state.data.stderrLinesMax) : [...child.stderrLines];
}

function workerAnswerSpawn(state: WorkerState, child: WorkerChild): void {
  if (child.waitingSpawn === -1) return;
  const seq = child.waitingSpawn;
  if (child.startError !== null) {
    child.waitingSpawn = -1;
    workerPost(state, { op: 'failed', seq, id: child.id, message: child.startError, stderr: workerStderrTail(state, child) });
  } else if (child.pid > 0) {
    child.waitingSpawn = -1;
    const stdin = child.pipes!.stdin._handle;
    const stdout = child.pipes!.stdout._handle;
    workerPost(state, { op: 'spawned', seq, id: child.id, pid: child.pid, stdinFd: stdin.fd, stdoutFd: stdout.fd });
  }
}

function workerAnswerStatus(state: WorkerState, child: WorkerChild): void {
  if (child.waitingStatus === -1 || child.ended === null) return;
  const seq = child.waitingStatus;
  child.waitingStatus = -1;
  workerPost(state, { op: 'status', seq, id: child.id, message: child.ended, stderr: workerStderrTail(state, child) });
}

function workerForget(state: WorkerState, child: WorkerChild): void {
  state.children.delete(child.id);
  // Closing the pipes only now, on the main thread's word, so that it never uses an fd
  // number that has been closed (and perhaps reused).
  const pipes = child.pipes ?? child.process;
  for (const stream of [pipes.stdin, pipes.stdout, child.process.stderr]) stream?.destroy();
}

function workerOnStderr(state: WorkerState, child: WorkerChild, chunk: Uint8Array): void {
  const parts = (child.stderrPartial + Buffer.from(chunk).toString('utf8')).split('\n');
  child.stderrPartial = (parts.pop() as string).slice(-2000);
  for (const line of parts) child.stderrLines.push(line.length > 2000 ? `${line.slice(0, 2000)}...` : line);
  if (child.stderrLines.length > state.data.stderrLinesMax) child.stderrLines.splice(0, child.stderrLines.length - state.data.stderrLinesMax);
}

function workerStart(state: WorkerState, program: ProgramSpec): WorkerChild {
  const child: WorkerChild = {
    id: state.nextSpareId,
    process: null,
    pipes: null,
    pid: 0,
    pidSlot: -1,
    stderrLines: [],
    stderrPartial: '',
    ended: null,
    startError: null,
    waitingSpawn: -1,
    waitingStatus: -1,
  };
  state.nextSpareId -= 1;
  state.children.set(child.id, child);
  // Its own process group (detached), so that a kill takes its children with it.
  const spawned = state.spawn(program.command, program.args, { cwd: program.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  child.process = spawned;
  spawned.on('error', (error: Error & { code?: string }) => {
    if (child.pid > 0) return;
    child.startError = `could not be started: ${error.code === 'ENOENT' ? `${program.command}: no such program` : error.message}`;
    child.ended = child.startError;
    workerAnswerSpawn(state, child);
    workerAnswerStatus(state, child);
  });
  spawned.stdin.on('error', () => {
    // EPIPE and the like: the main thread sees the program end on its own.
  });
  spawned.stderr.on('data', (chunk: Uint8Array) => workerOnStderr(state, child, chunk));
  workerWatchExit(state, child, spawned);
  if (typeof spawned.pid === 'number') workerTakePipes(state, child, spawned);
  return child;
}

function workerWatchExit(state: WorkerState, child: WorkerChild, spawned: any): void {
  spawned.on('exit', (code: number | null, signal: string | null) => {
    if (child.pidSlot !== -1) {
      Atomics.store(state.data.pids, child.pidSlot, 0);
      child.pidSlot = -1;
      workerTellReaper(state, `-${child.pid}\n`);
    }
    // Wait for the rest of stderr before answering a status request.
    const ended = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
    if (spawned.stderr.readableEnded || spawned.stderr.destroyed) child.ended = ended;
    else
      spawned.stderr.once('close', () => {
        child.ended = ended;
        workerAnswerStatus(state, child);
      });
    workerAnswerStatus(state, child);
  });
}

/** Hands a started program's stdin and stdout to the main thread, and registers its pid. */
function workerTakePipes(state: WorkerState, child: WorkerChild, spawned: any): void {
  child.pid = spawned.pid;
  // The main thread reads and writes these fds itself, blocking. The stdout stream started
  // reading when it was made; stop it before the event loop reads anything (the program
  // writes nothing before it is sent hello, and this is still the same tick).
  spawned.stdout._handle.readStop();
  spawned.stdin._handle.setBlocking(true);
  spawned.stdout._handle.setBlocking(true);
  child.pipes = { stdin: spawned.stdin, stdout: spawned.stdout };
  spawned.stdin = null;
  spawned.stdout = null;
  spawned.stdio[0] = null;
  spawned.stdio[1] = null;
  for (let slot = 0; slot < state.data.pids.length; slot += 1) {
    if (Atomics.compareExchange(state.data.pids, slot, 0, spawned.pid) === 0) {
      child.pidSlot = slot;
      break;
    }
  }
  workerTellReaper(state, `+${spawned.pid}\n`);
}

function workerTopUp(state: WorkerState, program: ProgramSpec): void {
  let pool = state.spares.get(program.key);
  if (pool === undefined) {
    pool = [];
    state.spares.set(program.key, pool);
  }
  while (pool.length < program.spares) pool.push(workerStart(state, program));
}

/**
 * The watchdog: wakes a few times per timeout and kills a program the main thread has been
 * blocked on, in the same call, for longer than the call's timeout.
 */
function workerWatchdog(state: WorkerState): void {
  const { watch, slots } = state;
  const timeoutMs = Math.max(1, Atomics.load(watch, slots.timeoutMs));
  const periodMs = Math.max(5, Math.min(250, Math.floor(timeoutMs / 4)));
  const wait = (Atomics as any).waitAsync(watch, slots.idle, 0, periodMs);
  const check = (): void => {
    const call = Atomics.load(watch, slots.call);
    const pid = Atomics.load(watch, slots.pid);
    if (pid === 0 || call !== state.watchedCall) {
      state.watchedCall = pid === 0 ? -1 : call;
      state.watchedForMs = 0;
    } else {
      state.watchedForMs += periodMs;
      if (state.watchedForMs >= timeoutMs && Atomics.load(watch, slots.call) === call) {
        Atomics.store(watch, slots.fired, call);
        workerKillGroup(pid);
        state.watchedCall = -1;
        state.watchedForMs = 0;
      }
    }
    workerWatchdog(state);
  };
  if (wait.async) wait.value.then(check);
  else check();
}

function workerHandle(state: WorkerState, request: WorkerRequest): void {
  switch (request.op) {
    case 'spawn': {
      const pool = state.spares.get(request.program.key);
      const child = pool !== undefined && pool.length > 0 ? (pool.shift() as WorkerChild) : workerStart(state, request.program);
      state.children.delete(child.id);
      child.id = request.id;
      state.children.set(child.id, child);
      child.waitingSpawn = request.seq;
      workerAnswerSpawn(state, child);
      workerTopUp(state, request.program);
      return;
    }
    case 'status': {
      const child = state.children.get(request.id);
      if (child === undefined) return workerPost(state, { op: 'status', seq: request.seq, id: request.id, message: 'is gone', stderr: [] });
      child.waitingStatus = request.seq;
      return workerAnswerStatus(state, child);
    }
    case 'release': {
      const child = state.children.get(request.id);
      if (child === undefined) return;
      if (child.ended === null && child.pid > 0) workerKillGroup(child.pid);
      return workerForget(state, child);
    }
    case 'close': {
      for (const child of state.children.values()) {
        if (child.ended === null && child.pid > 0) workerKillGroup(child.pid);
        workerForget(state, child);
      }
      state.spares.clear();
      if (state.reaper !== null) state.reaper.stdin.end();
      return;
    }
  }
}
