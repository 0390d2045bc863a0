// Snapshot consistency (feature 'snapshots'; Raft paper, section 7): a snapshot a node takes or
// installs is the committed prefix up to its index, folded: its term is the committed entry's
// there, its state machine is what applying the committed commands 1..index gives (by the
// key-value semantics of src/contract/keyValueStore.ts, client sessions included), and its
// configuration is the one in force there (where a node's configuration view shows which one that
// is: feature 'membership'). And installing a snapshot never takes a node's applied
// state back: a snapshot older than what the node applied must be ignored.
//
// Incremental: the checker replays the committed history once, as far as the snapshots ask,
// keeping an order-free hash of the state machine's contents after every index (a sum over keys
// of one hash per key and value, updated by the one key a command touches), so a snapshot costs
// one hash of its own contents. The commands come from the steps that handed them to nodes (the
// world records each propose or read input's command with its step).
//
// No digest: the commands known are the world's own (the explorer numbers its commands, so an id
// names the same command in every world) and the replay follows from them and the committed
// history, which the observation holds; `version` counts the commands recorded.

import type { Command, Configuration, SnapshotView } from '../src/contract/contract.js';
import { KeyValueStore } from '../src/contract/keyValueStore.js';
import type { HarnessError, ObservedCluster, StepChange, Violation } from '../src/contract/observation.js';
import { Hasher } from '../src/core/hash.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import { ForkableState, harnessError, violation } from './support.js';

const name = 'snapshot-consistency';

export const snapshotConsistency: InvariantDefinition = {
  name,
  kind: 'safety',
  description: "A snapshot equals the committed prefix up to its index (term, contents, configuration), and installing one never takes a node's applied state back.",
  create() {
    return new SnapshotConsistency(new ForkableState<Replay>(emptyReplay(), copyReplay));
  },
};

/** The committed history replayed: the contents hash after each index (index 0: empty). */
interface Replay {
  commands: Map<number, Command>;
  high: number[];
  low: number[];
  store: KeyValueStore;
}

function emptyReplay(): Replay {
  return { commands: new Map(), high: [0], low: [0], store: new KeyValueStore() };
}

function copyReplay(replay: Replay): Replay {
  return { commands: new Map(replay.commands), high: replay.high.slice(), low: replay.low.slice(), store: replay.store.clone() };
}

class SnapshotConsistency implements InvariantChecker {
  readonly name = name;

  constructor(private readonly replay: ForkableState<Replay>) {}

  fork(): InvariantChecker {
    return new SnapshotConsistency(this.replay.fork());
  }

  get version(): number {
    return this.replay.version;
  }

  afterStep({ change, cluster }: CheckContext): Violation | null {
    const command = change.command;
    if (command !== undefined && !this.replay.read.commands.has(command.id)) this.replay.write().commands.set(command.id, command);
    if (change.snapshotInstalled !== undefined) {
      const found = wentBack(change, change.snapshotInstalled) ?? this.judge(change, cluster, change.snapshotInstalled, 'installed');
      if (found !== null) return found;
    }
    return change.snapshotTaken === undefined ? null : this.judge(change, cluster, change.snapshotTaken, 'took');
  }

  audit(cluster: ObservedCluster, eventNumber: number, timeMs: number): HarnessError | null {
    const incremental = this.replay.read;
    const scratch = emptyReplay();
    scratch.commands = incremental.commands;
    const replayed = advance(scratch, cluster, incremental.high.length - 1);
    for (let index = 1; index <= replayed; index += 1) {
      if (scratch.high[index] === incremental.high[index] && scratch.low[index] === incremental.low[index]) continue;
      return harnessError({
        invariant: name,
        message: `audit: the incremental contents hash of the committed history is wrong at index ${index}`,
        nodes: [],
        eventNumber,
        timeMs,
        evidence: { index, incremental: [incremental.high[index], incremental.low[index]], recomputed: [scratch.high[index], scratch.low[index]] },
      });
    }
    return null;
  }

  private judge(change: StepChange, cluster: ObservedCluster, snapshot: SnapshotView, verb: string): Violation | null {
    const found = (message: string, evidence: Record<string, unknown>) =>
      violation({ invariant: name, message: `n${change.node} ${verb} a snapshot at index ${snapshot.index} ${message}`, nodes: [change.node], eventNumber: change.eventNumber, timeMs: change.timeMs, evidence: { snapshotIndex: snapshot.index, snapshotTerm: snapshot.term, ...evidence } });
    if (snapshot.index > cluster.committedLength) return found(`past the committed history (${cluster.committedLength} entries)`, { committedLength: cluster.committedLength });
    if (cluster.committedTerms[snapshot.index] !== snapshot.term) {
      return found(`in term ${snapshot.term}, but the committed entry there is of term ${cluster.committedTerms[snapshot.index]}`, { committedTerm: cluster.committedTerms[snapshot.index] });
    }
    const expected = configurationAt(cluster, snapshot.index, verb === 'installed' ? change.node : 0);
    const configurationProblem = expected === null ? null : differentConfiguration(snapshot.configuration, expected);
    if (configurationProblem !== null) return found(`whose configuration ${configurationProblem}`, { configuration: snapshot.configuration, committedConfiguration: expected });
    if (this.replay.read.high.length <= snapshot.index && advance(this.replay.write(), cluster, snapshot.index) < snapshot.index) return null;
    const [high, low] = contentsHash(snapshot.data);
    if (high === this.replay.read.high[snapshot.index] && low === this.replay.read.low[snapshot.index]) return null;
    return found('whose contents differ from the committed commands applied up to there', contentsEvidence(this.replay.read.commands, cluster, snapshot));
  }
}

/** Installing a snapshot older than what the node applied in this incarnation takes its state back. */
function wentBack(change: StepChange, snapshot: SnapshotView): Violation | null {
  if (change.started || snapshot.index >= change.previousAppliedIndex) return null;
  return violation({
    invariant: name,
    message: `n${change.node} installed a snapshot at index ${snapshot.index} after applying up to ${change.previousAppliedIndex}: its applied state went back`,
    nodes: [change.node],
    eventNumber: change.eventNumber,
    timeMs: change.timeMs,
    evidence: { snapshotIndex: snapshot.index, appliedIndexBefore: change.previousAppliedIndex },
  });
}

/**
 * Replays committed entries onto `replay` up to `upTo` (at most the committed history's end),
 * stopping before a command it does not know (its run handed it to no node it observed); returns
 * the last index replayed.
 */
function advance(replay: Replay, cluster: ObservedCluster, upTo: number): number {
  const last = Math.min(upTo, cluster.committedLength);
  for (let index = replay.high.length; index <= last; index += 1) {
    const commandId = cluster.committedIds[index];
    let high = replay.high[index - 1];
    let low = replay.low[index - 1];
    if (commandId !== 0) {
      const command = replay.commands.get(commandId);
      if (command === undefined) return index - 1;
      const before = replay.store.get(command.key);
      replay.store.apply(command);
      const after = replay.store.get(command.key);
      if (before !== after) [high, low] = add(add([high, low], pairHash(command.key, before), -1), pairHash(command.key, after), 1);
    }
    replay.high.push(high);
    replay.low.push(low);
  }
  return replay.high.length - 1;
}

/** One key and value's share of the contents hash (none for a missing key). */
function pairHash(key: string, value: string | null): [number, number] {
  if (value === null) return [0, 0];
  const digest = new Hasher().string(key).string(value).digest();
  return [digest.high, digest.low];
}

function add(sum: [number, number], pair: [number, number], sign: 1 | -1): [number, number] {
  return [(sum[0] + sign * pair[0]) | 0, (sum[1] + sign * pair[1]) | 0];
}

function contentsHash(data: Readonly<Record<string, string>>): [number, number] {
  let sum: [number, number] = [0, 0];
  for (const key of Object.keys(data)) sum = add(sum, pairHash(key, data[key]), 1);
  return sum;
}

/** For the evidence only: the keys whose values differ, replayed from scratch (a few). */
function contentsEvidence(commands: ReadonlyMap<number, Command>, cluster: ObservedCluster, snapshot: SnapshotView): Record<string, unknown> {
  const store = new KeyValueStore();
  for (let index = 1; index <= snapshot.index; index += 1) {
    const command = commands.get(cluster.committedIds[index]);
    if (command !== undefined) store.apply(command);
  }
  const expected = store.contents();
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(snapshot.data)])].sort();
  const differing = keys.filter((key) => expected[key] !== snapshot.data[key]).slice(0, 5);
  return { keys: differing.map((key) => ({ key, snapshot: snapshot.data[key] ?? null, committed: expected[key] ?? null })) };
}

/**
 * The configuration in force at `index` (the latest configuration entry at or below it), where a
 * node's view shows it (feature 'membership'): one whose latest committed configuration is at or
 * below `index` while both its commit index and its applied index are at or above it. An
 * implementation that learns a configuration when it applies the entry (etcd, raft-rs) reports the
 * latest applied one as committed, so past its applied index a committed configuration entry may
 * lie unseen in its view. Null when no view shows it: then it is
 * not judged. `except` (a node that installed the snapshot being judged) is left out, as its view
 * now follows from that snapshot. A committed configuration without voters is no configuration: a
 * joining node's view before it learns one (the cluster's first is in no log entry), however far
 * its commit index has come.
 */
function configurationAt(cluster: ObservedCluster, index: number, except: number): Configuration | null {
  for (const node of cluster.nodes) {
    const view = node.configuration;
    if (node.id === except || view === null || !node.up || view.committed.voters.length === 0) continue;
    if (view.committedIndex <= index && index <= Math.min(node.commitIndex, node.appliedIndex)) return view.committed;
  }
  return null;
}

/** How `actual` differs from `expected`, compared as sets of node ids; null when it does not. */
function differentConfiguration(actual: Configuration, expected: Configuration): string | null {
  for (const part of ['voters', 'learners', 'votersOutgoing'] as const) {
    const have = [...actual[part]].sort((a, b) => a - b).join(',');
    const want = [...expected[part]].sort((a, b) => a - b).join(',');
    if (have !== want) return `has ${part} [${have}] where the committed configuration has [${want}]`;
  }
  return null;
}
