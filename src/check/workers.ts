// A campaign over worker threads: seeds are independent runs, so `jobs` threads each run one
// seed at a time, and the main thread takes their outcomes in seed order through the same books
// as a campaign in one thread (CampaignTally). So the result, the failures, the traces and what
// the callbacks see are exactly those of runCampaign; only the wall time differs. Outcomes that
// come back early wait, at most `aheadMax` seeds past the oldest one still running, so memory
// stays bounded when one seed is slow. Outcomes past a stop (failuresMax) are dropped.
//
// A worker loads the implementation itself from its description (the reference with its bugs,
// a module, a process program, the etcd adapter), so an implementation made in code without a
// source cannot run in workers: such a campaign runs in this thread, whatever `jobs` says.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CampaignOptions, CampaignResult, SeedOutcome } from './campaign.js';
import { CampaignTally, runCampaign } from './campaign.js';
import type { ImplementationSpec, ProcessSettings } from './implementations.js';
import { implementationSpecOf } from './implementations.js';
import type { RunPlan } from './coverage.js';
import { referenceImplementation } from '../adapters/reference.js';

export interface WorkerCampaignOptions extends CampaignOptions {
  /** Threads to run seeds on; 1 runs the campaign in this thread. */
  jobs: number;
  /**
   * How each worker loads the implementation (it must describe options.implementation); by
   * default implementationSpecOf(options.implementation).
   */
  implementationSpec?: ImplementationSpec;
  processSettings?: ProcessSettings;
}

/** What a worker is started with (src/check/campaignWorker.ts). */
export interface WorkerSetup {
  implementationSpec: ImplementationSpec;
  processSettings: ProcessSettings;
  scenario: NonNullable<CampaignOptions['scenario']>;
  checkDeterminism: boolean;
  /** A guided campaign: outcomes carry the runs' choices. */
  keepChoices: boolean;
}

/** What a worker is sent: run `plan`, the run at `index` of the campaign's seeds. */
export interface WorkerRequest {
  index: number;
  plan: RunPlan;
}

/** A worker's answer: the outcome of the seed at `index` of the campaign's seeds, or why it could not run. */
export type WorkerReply = { kind: 'outcome'; index: number; outcome: SeedOutcome } | { kind: 'failed'; message: string };

/** One thread per core: seeds are independent, and the results do not depend on it. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Seeds sent to a worker before its first answer: with two, a worker has its next seed while its
 * last answer crosses to this thread and this thread takes it, instead of waiting for the round
 * trip (and for this thread, which a failure's shrink keeps busy).
 */
const seedsInFlightPerWorker = 2;

/**
 * Each worker's young generation, in MB: a run allocates short-lived objects fast, and Node's
 * default (16 MB semi-spaces on 64-bit) makes every thread scavenge often; the collections of
 * all threads share V8's small pool of helper threads, which is one of the things that keeps many
 * threads from scaling (bench/scale.ts).
 */
const workerYoungGenerationMb = 64;

const workerScript = new URL('./campaignWorker.js', import.meta.url);

/** Seeds a worker may run ahead of the oldest outcome not yet taken, per worker. */
const aheadPerWorker = 32;

export async function runCampaignInWorkers(options: WorkerCampaignOptions): Promise<CampaignResult> {
  const jobs = Math.min(options.jobs, options.seeds.length);
  const implementationSpec = options.implementationSpec ?? implementationSpecOf(options.implementation ?? referenceImplementation());
  // From the TypeScript sources (a test runner), there is no built worker script to start: one thread.
  if (jobs <= 1 || options.invariants !== undefined || implementationSpec === null || !existsSync(fileURLToPath(workerScript))) return runCampaign(options);
  const tally = new CampaignTally(options);
  const setup: WorkerSetup = {
    implementationSpec,
    processSettings: options.processSettings ?? {},
    scenario: tally.scenario,
    checkDeterminism: options.checkDeterminism === true,
    keepChoices: tally.guided,
  };
  const workers: Worker[] = [];
  try {
    await dealSeeds({ seeds: options.seeds, jobs, setup, tally, workers });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return tally.finish();
}

/**
 * Deals the seeds to `jobs` workers (started into `workers`, which the caller terminates) and
 * hands their outcomes to the tally in seed order, until the tally stops or the seeds run out.
 */
async function dealSeeds(deal: { seeds: readonly number[]; jobs: number; setup: WorkerSetup; tally: CampaignTally; workers: Worker[] }): Promise<void> {
  const { seeds, jobs, setup, tally, workers } = deal;
  const aheadMax = aheadPerWorker * jobs;
  const outcomes = new Map<number, SeedOutcome>();
  const idle: Worker[] = [];
  let nextToSend = 0;
  let nextToTake = 0;
  let stopped = false;

  try {
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      if (stopped) return;
      stopped = true;
      reject(error);
    };
    // A worker is in `idle` once per free slot (seedsInFlightPerWorker slots each).
    const dispatch = () => {
      while (!stopped && idle.length > 0 && nextToSend < seeds.length && nextToSend - nextToTake < aheadMax && tally.plannable(nextToSend, nextToTake)) {
        const worker = idle.shift()!;
        worker.postMessage({ index: nextToSend, plan: tally.planOf(nextToSend) } satisfies WorkerRequest);
        nextToSend += 1;
      }
    };
    const takeReady = () => {
      while (!stopped && outcomes.has(nextToTake)) {
        const outcome = outcomes.get(nextToTake)!;
        outcomes.delete(nextToTake);
        nextToTake += 1;
        // The last failure: its event log is recorded here next, so the seeds the workers run
        // ahead would only compete with it for the cores.
        if (tally.endsWith(outcome)) for (const worker of workers) void worker.terminate();
        // The books, callbacks included (shrinking a failure), run here while workers go on.
        let goOn: boolean;
        try {
          goOn = tally.take(outcome);
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (!goOn || nextToTake === seeds.length) {
          stopped = true;
          resolve();
          return;
        }
      }
    };
    for (let index = 0; index < jobs; index += 1) {
      const worker = new Worker(workerScript, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: workerYoungGenerationMb } });
      workers.push(worker);
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'failed') return fail(new Error(`a campaign worker failed: ${reply.message}`));
        outcomes.set(reply.index, reply.outcome);
        idle.push(worker);
        takeReady();
        dispatch();
      });
      worker.on('error', (error) => fail(new Error(`a campaign worker failed: ${error.message}`)));
      worker.on('exit', (code) => {
        if (code !== 0) fail(new Error(`a campaign worker exited with code ${code}`));
      });
    }
    // First slots first, so that every worker has a seed before any has two.
    for (let slot = 0; slot < seedsInFlightPerWorker; slot += 1) idle.push(...workers);
    dispatch();
  });
  } finally {
    stopped = true;
  }
}

