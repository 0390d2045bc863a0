// Linearizability checker cost: a 10,000-operation history over 10 keys with 5 concurrent clients
// (each with one operation in flight at a time), built from a seeded generator so every run checks
// the same history. Prints the exact command first, then the wall time of the check and its
// verdict; --json prints {operations, keys, clients, wallMs, verdict}.
//
//   npx tsc -p tsconfig.json && node dist/bench/linearizability.js [--json] [--seed=N] [--indeterminate-percent=P]
//
// The history comes from a correct service: each operation takes effect at one instant inside its
// interval, and reads return what the operations before that instant left, so the verdict must be
// 'linearizable'. --indeterminate-percent makes that share of operations time out (half of them
// took effect anyway), as a crashed leader would. wallMs is the median of five checks after one
// warm-up; the first, cold check (JIT not warmed up) is printed too.

import seedrandom from 'seedrandom';
import { checkLinearizability } from '../invariants/linearizability.js';
import type { HistoryOperation } from '../invariants/linearizability.js';
import { wallClockMs } from '../src/core/wallClock.js';

interface HistoryOptions {
  seed: number;
  operationCount: number;
  keyCount: number;
  clientCount: number;
  /** Time from invocation to completion, drawn uniformly from [1, latencyMsMax]. */
  latencyMsMax: number;
  /** Pause between a client's completion and its next invocation, uniform in [0, thinkMsMax]. */
  thinkMsMax: number;
  indeterminatePercent: number;
}

interface Planned {
  operation: HistoryOperation;
  effectMs: number;
  takesEffect: boolean;
}

/** A history of a correct key-value service: every operation takes effect inside its interval. */
export function correctHistory(options: HistoryOptions): HistoryOperation[] {
  const random = seedrandom.alea(`linearizability-bench:${options.seed}`);
  const uniform = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
  const clientFreeMs = new Array<number>(options.clientCount).fill(0);
  const planned: Planned[] = [];
  for (let id = 0; id < options.operationCount; id += 1) {
    // The client that becomes free first goes next: each client has one operation in flight.
    let client = 0;
    for (let candidate = 1; candidate < options.clientCount; candidate += 1) {
      if (clientFreeMs[candidate] < clientFreeMs[client]) client = candidate;
    }
    const invokeMs = clientFreeMs[client] + uniform(0, options.thinkMsMax);
    const completeMs = invokeMs + uniform(1, options.latencyMsMax);
    const effectMs = uniform(invokeMs, completeMs);
    const draw = random();
    const kind = draw < 0.5 ? 'get' : draw < 0.75 ? 'put' : 'append';
    const key = `k${uniform(0, options.keyCount - 1)}`;
    const indeterminate = random() * 100 < options.indeterminatePercent;
    const operation: HistoryOperation = { id, client, kind, key, invokeMs };
    if (kind === 'put') operation.value = `c${client}v${id}`;
    if (kind === 'append') operation.value = `${id};`;
    // A timed-out operation: the client gives up at its deadline; it took effect or it did not.
    const takesEffect = !indeterminate || random() < 0.5;
    if (!indeterminate) operation.completion = { completeMs };
    planned.push({ operation, effectMs, takesEffect });
    clientFreeMs[client] = completeMs;
  }
  // Apply the operations in the order they took effect, to learn what each get read.
  const state = new Map<string, string>();
  const byEffect = [...planned].sort((a, b) => a.effectMs - b.effectMs || a.operation.id - b.operation.id);
  for (const { operation, takesEffect } of byEffect) {
    if (!takesEffect) continue;
    if (operation.kind === 'put') state.set(operation.key, operation.value as string);
    else if (operation.kind === 'append') state.set(operation.key, (state.get(operation.key) ?? '') + (operation.value as string));
    else if (operation.completion !== undefined) operation.completion.result = state.get(operation.key) ?? null;
  }
  return planned.map(({ operation }) => operation);
}

function numberArgument(name: string, fallback: number): number {
  const argument = process.argv.find((candidate) => candidate.startsWith(`--${name}=`));
  return argument === undefined ? fallback : Number(argument.slice(name.length + 3));
}

const json = process.argv.includes('--json');
const options: HistoryOptions = {
  seed: numberArgument('seed', 1),
  operationCount: 10_000,
  keyCount: 10,
  clientCount: 5,
  latencyMsMax: 20,
  thinkMsMax: 5,
  indeterminatePercent: numberArgument('indeterminate-percent', 0),
};
const history = correctHistory(options);

const timedCheck = (): { wallMs: number; verdict: string } => {
  const started = wallClockMs();
  const result = checkLinearizability(history, {});
  return { wallMs: wallClockMs() - started, verdict: result.verdict };
};
const cold = timedCheck();
timedCheck();
const warm = [timedCheck(), timedCheck(), timedCheck(), timedCheck(), timedCheck()].sort((a, b) => a.wallMs - b.wallMs);
const median = warm[2];
const verdicts = new Set([cold.verdict, ...warm.map((run) => run.verdict)]);
const verdict = verdicts.size === 1 ? median.verdict : [...verdicts].join('/');
const wallMs = Math.round(median.wallMs * 10) / 10;

if (json) {
  console.log(JSON.stringify({ operations: options.operationCount, keys: options.keyCount, clients: options.clientCount, wallMs, verdict }));
} else {
  console.log(`node dist/bench/linearizability.js --seed=${options.seed} --indeterminate-percent=${options.indeterminatePercent}`);
  console.log(
    `linearizability check: ${options.operationCount} operations, ${options.keyCount} keys, ${options.clientCount} clients, ` +
      `${options.indeterminatePercent}% indeterminate`,
  );
  console.log(`  verdict: ${verdict}`);
  console.log(`  wall time: ${wallMs} ms (median of 5 after a warm-up; the first, cold check took ${Math.round(cold.wallMs * 10) / 10} ms)`);
}
if (verdict !== 'linearizable') process.exitCode = 1;
