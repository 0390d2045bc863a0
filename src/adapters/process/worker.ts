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
// from dist/ and from the TypeScript sources under vitest: processWorkerMain must use nothing
// but its parameter and globals (no imports, no helpers from other modules).

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

export function processWorkerMain(require: (id: string) => any): void {
  const { workerData } = require('node:worker_threads');
  const { spawn } = require('node:child_process');
  const data = workerData as WorkerData;
  const port = data.port as { on(event: 'message', listener: (request: WorkerRequest) => void): void; postMessage(answer: WorkerAnswer): void };
  const watch = data.watch;
  const slots = { answers: 0, pid: 1, call: 2, timeoutMs: 3, fired: 4, idle: 5 };

  interface Child {
    id: number;
    process: any;
    /**
     * The program's stdin and stdout sockets, taken off the ChildProcess: on exit Node destroys
     * a child's stdin and drains its stdout, closing fds the main thread is reading and writing
     * (EBADF, or worse, an fd number reused by another file). Only forget() closes these.
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

  const children = new Map<number, Child>();
  const spares = new Map<string, Child[]>();
  // Spares get negative ids; a spawn request renames one to the id the main thread chose.
  let nextSpareId = -1;
  let reaper: any = null;

  const post = (answer: WorkerAnswer): void => {
    port.postMessage(answer);
    Atomics.add(watch, slots.answers, 1);
    Atomics.notify(watch, slots.answers);
  };

  const tellReaper = (text: string): void => {
    if (reaper === null) {
      reaper = spawn(process.execPath, ['-e', data.reaperSource], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
      reaper.on('error', () => {});
      reaper.stdin.on('error', () => {});
      reaper.unref();
    }
    reaper.stdin.write(text);
  };

  const killGroup = (pid: number): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  const stderrTail = (child: Child): string[] =>
    child.stderrPartial.length > 0 ? [...child.stderrLines, child.stderrPartial].slice(-data.stderrLinesMax) : [...child.stderrLines];

  const answerSpawn = (child: Child): void => {
    if (child.waitingSpawn === -1) return;
    const seq = child.waitingSpawn;
    if (child.startError !== null) {
      child.waitingSpawn = -1;
      post({ op: 'failed', seq, id: child.id, message: child.startError, stderr: stderrTail(child) });
    } else if (child.pid > 0) {
      child.waitingSpawn = -1;
      const stdin = child.pipes!.stdin._handle;
      const stdout = child.pipes!.stdout._handle;
      post({ op: 'spawned', seq, id: child.id, pid: child.pid, stdinFd: stdin.fd, stdoutFd: stdout.fd });
    }
  };

  const answerStatus = (child: Child): void => {
    if (child.waitingStatus === -1 || child.ended === null) return;
    const seq = child.waitingStatus;
    child.waitingStatus = -1;
    post({ op: 'status', seq, id: child.id, message: child.ended, stderr: stderrTail(child) });
  };

  const forget = (child: Child): void => {
    children.delete(child.id);
    // Closing the pipes only now, on the main thread's word, so that it never uses an fd
    // number that has been closed (and perhaps reused).
    const pipes = child.pipes ?? child.process;
    for (const stream of [pipes.stdin, pipes.stdout, child.process.stderr]) stream?.destroy();
  };

  const onStderr = (child: Child, chunk: Uint8Array): void => {
    const parts = (child.stderrPartial + Buffer.from(chunk).toString('utf8')).split('\n');
    child.stderrPartial = (parts.pop() as string).slice(-2000);
    for (const line of parts) child.stderrLines.push(line.length > 2000 ? `${line.slice(0, 2000)}...` : line);
    if (child.stderrLines.length > data.stderrLinesMax) child.stderrLines.splice(0, child.stderrLines.length - data.stderrLinesMax);
  };

  const start = (program: ProgramSpec): Child => {
    const child: Child = {
      id: nextSpareId,
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
    nextSpareId -= 1;
    children.set(child.id, child);
    // Its own process group (detached), so that a kill takes its children with it.
    const spawned = spawn(program.command, program.args, { cwd: program.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    child.process = spawned;
    spawned.on('error', (error: Error & { code?: string }) => {
      if (child.pid > 0) return;
      child.startError = `could not be started: ${error.code === 'ENOENT' ? `${program.command}: no such program` : error.message}`;
      child.ended = child.startError;
      answerSpawn(child);
      answerStatus(child);
    });
    spawned.stdin.on('error', () => {
      // EPIPE and the like: the main thread sees the program end on its own.
    });
    spawned.stderr.on('data', (chunk: Uint8Array) => onStderr(child, chunk));
    spawned.on('exit', (code: number | null, signal: string | null) => {
      if (child.pidSlot !== -1) {
        Atomics.store(data.pids, child.pidSlot, 0);
        child.pidSlot = -1;
        tellReaper(`-${child.pid}\n`);
      }
      // Wait for the rest of stderr before answering a status request.
      const ended = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      if (spawned.stderr.readableEnded || spawned.stderr.destroyed) child.ended = ended;
      else
        spawned.stderr.once('close', () => {
          child.ended = ended;
          answerStatus(child);
        });
      answerStatus(child);
    });
    if (typeof spawned.pid === 'number') {
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
      for (let slot = 0; slot < data.pids.length; slot += 1) {
        if (Atomics.compareExchange(data.pids, slot, 0, spawned.pid) === 0) {
          child.pidSlot = slot;
          break;
        }
      }
      tellReaper(`+${spawned.pid}\n`);
    }
    return child;
  };

  const topUp = (program: ProgramSpec): void => {
    let pool = spares.get(program.key);
    if (pool === undefined) {
      pool = [];
      spares.set(program.key, pool);
    }
    while (pool.length < program.spares) pool.push(start(program));
  };

  // The watchdog: wakes a few times per timeout and kills a program the main thread has been
  // blocked on, in the same call, for longer than the call's timeout.
  let watchedCall = -1;
  let watchedForMs = 0;
  const watchdog = (): void => {
    const timeoutMs = Math.max(1, Atomics.load(watch, slots.timeoutMs));
    const periodMs = Math.max(5, Math.min(250, Math.floor(timeoutMs / 4)));
    const wait = (Atomics as any).waitAsync(watch, slots.idle, 0, periodMs);
    const check = (): void => {
      const call = Atomics.load(watch, slots.call);
      const pid = Atomics.load(watch, slots.pid);
      if (pid === 0 || call !== watchedCall) {
        watchedCall = pid === 0 ? -1 : call;
        watchedForMs = 0;
      } else {
        watchedForMs += periodMs;
        if (watchedForMs >= timeoutMs && Atomics.load(watch, slots.call) === call) {
          Atomics.store(watch, slots.fired, call);
          killGroup(pid);
          watchedCall = -1;
          watchedForMs = 0;
        }
      }
      watchdog();
    };
    if (wait.async) wait.value.then(check);
    else check();
  };
  watchdog();

  port.on('message', (request: WorkerRequest) => {
    switch (request.op) {
      case 'spawn': {
        const pool = spares.get(request.program.key);
        const child = pool !== undefined && pool.length > 0 ? (pool.shift() as Child) : start(request.program);
        children.delete(child.id);
        child.id = request.id;
        children.set(child.id, child);
        child.waitingSpawn = request.seq;
        answerSpawn(child);
        topUp(request.program);
        return;
      }
      case 'status': {
        const child = children.get(request.id);
        if (child === undefined) {
          post({ op: 'status', seq: request.seq, id: request.id, message: 'is gone', stderr: [] });
          return;
        }
        child.waitingStatus = request.seq;
        answerStatus(child);
        return;
      }
      case 'release': {
        const child = children.get(request.id);
        if (child === undefined) return;
        if (child.ended === null && child.pid > 0) killGroup(child.pid);
        forget(child);
        return;
      }
      case 'close': {
        for (const child of children.values()) {
          if (child.ended === null && child.pid > 0) killGroup(child.pid);
          forget(child);
        }
        spares.clear();
        if (reaper !== null) reaper.stdin.end();
        return;
      }
    }
  });
}
