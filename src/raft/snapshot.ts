// Snapshots of the reference Raft (feature 'snapshots', Raft paper section 7, thesis chapter 5):
// when to compact, what a snapshot shows the harness, and how the exploration hook digests one.
// The node (src/raft/node.ts) takes, sends, installs and restores them; the log (log.ts) folds its
// prefix into one. A snapshot is plain data, never changed once made, so nodes, durable records
// and messages share it.

import type { Configuration, DigestSink, SnapshotView } from '../contract/contract.js';
import { emptyList } from '../contract/contract.js';
import { Hasher } from '../core/hash.js';
import type { NodeId } from '../core/ids.js';
import type { Snapshot } from './messages.js';

/**
 * The compaction policy: a snapshot once `threshold` applied entries follow the last one
 * (ImplementationOptions.snapshotEntriesThreshold; undefined: never).
 */
export function compactionDue(threshold: number | undefined, appliedIndex: number, snapshotIndex: number): boolean {
  return threshold !== undefined && appliedIndex - snapshotIndex >= threshold;
}

/** The snapshot as the contract's outputs carry it (its client sessions are the node's own business). */
export function snapshotView(snapshot: Snapshot): SnapshotView {
  return { index: snapshot.index, term: snapshot.term, configuration: snapshot.configuration, data: snapshot.data };
}

/** The configuration of a cluster that never changed its membership: its bootstrap members, all voters. */
export function bootstrapConfiguration(members: readonly NodeId[]): Configuration {
  return { voters: members, learners: emptyList, votersOutgoing: emptyList };
}

/** Everything of a snapshot but node ids: its position, contents and sessions. */
export function digestSnapshot(snapshot: Snapshot, sink: DigestSink): void {
  const hasher = new Hasher();
  for (const key of Object.keys(snapshot.data)) hasher.string(key).string(snapshot.data[key]);
  for (const session of snapshot.sessions) hasher.number(session.client).number(session.sequence).string(session.result ?? '\u0000null');
  const contents = hasher.digest();
  sink.number(snapshot.index).number(snapshot.term).number(contents.high).number(contents.low);
  const configuration = snapshot.configuration;
  sink.number(configuration.voters.length).number(configuration.learners.length).number(configuration.votersOutgoing.length);
}

/**
 * A snapshot's node ids (its configuration), each renamed, as sets: the images sorted. Runs per
 * permutation, but only for messages and records that carry a snapshot.
 */
export function digestSnapshotIds(snapshot: Snapshot, rename: readonly NodeId[], sink: DigestSink): void {
  const configuration = snapshot.configuration;
  for (const members of [configuration.voters, configuration.learners, configuration.votersOutgoing]) {
    const images = members.map((member) => rename[member]).sort((a, b) => a - b);
    for (const image of images) sink.number(image);
  }
}
