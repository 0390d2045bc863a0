// Snapshot pressure (feature 'snapshots'), for the simulator: what the swarm draws for an
// implementation that lists the feature, and the crash that strikes a node right after it wrote a
// snapshot (taken or installed), while the record may still be unsynced, so that a restart must
// cope with a lost or torn snapshot write.
//
// Both draw from streams of their own ('swarm/snapshots', 'triggers/snapshots'), and the swarm
// draws nothing at all for an implementation without the feature, so every other stream draws
// exactly what it drew before and such an implementation's runs are unchanged.
//
// The storage keeps every record, those a snapshot made obsolete included: dropping them would
// change nothing a correct node does at restart (it starts from the latest snapshot), but the
// records are all the harness has of a node that starts from an older snapshot after a torn
// write, and a bug that reads the log under its snapshot is a bug to find, not to hide.

import type { Feature } from '../contract/contract.js';
import type { StepChange } from '../contract/observation.js';
import type { Random } from '../core/random.js';
import type { CrashProcess, Scenario } from './scenario.js';

const swarmStream = 'swarm/snapshots';
const triggerStream = 'triggers/snapshots';

/** Thresholds the swarm draws from: small ones compact all the time, and make laggards need InstallSnapshot. */
const thresholds = [2, 3, 4, 8, 16, 64];

/**
 * Snapshot pressure, on about half the seeds of an implementation that lists 'snapshots': a small
 * compaction threshold; on half of those, nodes that stay down long enough to fall behind a
 * compacted log; on half, crashes right after snapshot writes. Every value is drawn before its
 * on/off choice, so that every such seed takes the same draws (a 0 choice switches it off).
 */
export function drawSnapshotPressure(scenario: Scenario, random: Random, features: readonly Feature[]): void {
  if (!features.includes('snapshots')) return;
  const threshold = thresholds[random.index(swarmStream, thresholds.length)];
  const restartDelayMsMax = 1_500 + random.integer(swarmStream, 0, 4_000);
  const afterSnapshotProbability = Math.round(random.integer(swarmStream, 10, 200)) / 1000;
  const on = () => random.chance(swarmStream, 0.5);
  if (!on()) return;
  scenario.implementation.snapshotEntriesThreshold = threshold;
  const crash = scenario.faults.crash;
  if (on()) crash.restartDelayMs = { minMs: Math.min(crash.restartDelayMs.minMs, 500), maxMs: Math.max(crash.restartDelayMs.maxMs, restartDelayMsMax) };
  if (on()) crash.afterSnapshotProbability = afterSnapshotProbability;
}

/**
 * After a step of node `id` that wrote a snapshot (not a start's restore): the delay before the
 * restart of the crash that strikes it now, or null for none.
 */
export function crashAfterSnapshot(crash: CrashProcess, change: StepChange, random: Random): number | null {
  const probability = crash.afterSnapshotProbability ?? 0;
  if (probability <= 0 || change.started || (change.snapshotTaken === undefined && change.snapshotInstalled === undefined)) return null;
  const strikes = random.chance(triggerStream, probability);
  const restartAfterMs = random.integer(triggerStream, crash.restartDelayMs.minMs, crash.restartDelayMs.maxMs);
  return strikes ? restartAfterMs : null;
}
