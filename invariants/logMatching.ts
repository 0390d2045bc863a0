// Log matching (Raft paper, Figure 3): if two logs contain an entry with the same index and term,
// the logs are identical in all entries up through that index.
//
// Incremental: a global map from (index, term) to the prefix hash of the first log seen holding
// such an entry. Every entry a node writes is checked against it in O(1). Since a leader creates
// at most one entry per index in its term, the property holds across time, not only between logs
// that exist at the same moment, so comparing with logs since truncated is sound.
//
// Except for what a crash took: an entry that a node showed but lost when it crashed (never made
// durable) was never in its log in Raft's sense (the log is persistent state, Figure 2). When the
// node starts again, the sightings it made of entries that no log now holds are forgotten. An
// implementation may then write another entry there in the same term (openraft restarts a leader
// in its own term), and that is judged as the first: if the lost entry did reach another node, that
// node's log still holds it (kept), or the message still carries it, and its arrival is judged
// against the new one.

import type { NodeId } from '../src/core/ids.js';
import { chainHash } from '../src/core/hash.js';
import { mix32 } from '../src/core/hash.js';
import type { CheckContext, InvariantChecker, InvariantDefinition } from './types.js';
import type { DigestSink } from '../src/contract/contract.js';
import type { HarnessError, ObservedCluster, ObservedNode, StepChange, Violation } from '../src/contract/observation.js';
import { entryLabel, ForkableState, harnessError, mirrorEntryLabel, violation } from './support.js';

const name = 'log-matching';

interface FirstSeen {
  prefixHash: number;
  node: NodeId;
  eventNumber: number;
  /** The last entries up to the index as first seen, kept only for evidence on a violation. */
  window: EntryWindow;
}

/** A bounded window of a log's entries, as numbers: labels are made only for a violation. */
interface EntryWindow {
  from: number;
  terms: number[];
  commandIds: number[];
}

/** Entries kept per first sighting: enough evidence, and a cost that does not grow with the log. */
const evidenceEntries = 16;

export const logMatching: InvariantDefinition = {
  name,
  kind: 'safety',
  description: 'Two logs holding an entry with the same index and term are identical up to that index.',
  create() {
    return new LogMatching(new ForkableState<Sightings>({ seen: new Map(), digestHigh: 0, digestLow: 0 }, copySightings));
  },
};

/**
 * Every (index, term) seen, with the prefix first seen up to it, and an order-free digest of
 * them: the sum of one mix per (index, term, prefix hash). Insertions commute (a second, different
 * prefix at a known (index, term) is a violation in either order), so no sharedVersion.
 */
interface Sightings {
  /** keyOf(index, term) -> the prefix first seen up to that entry */
  seen: Map<number, FirstSeen>;
  digestHigh: number;
  digestLow: number;
}

/** One number for (index, term): exact while index < 2^21 (logs far longer than any run's). */
function keyOf(index: number, term: number): number {
  return index * 0x100000000 + term;
}

function copySightings(sightings: Sightings): Sightings {
  // A literal, not a spread: one hidden class for every copy and the first (src/world/observation.ts, sharedObservation).
  return { seen: new Map(sightings.seen), digestHigh: sightings.digestHigh, digestLow: sightings.digestLow };
}

class LogMatching implements InvariantChecker {
  readonly name = name;

  constructor(private readonly state: ForkableState<Sightings>) {}

  fork(): InvariantChecker {
    return new LogMatching(this.state.fork());
  }

  get version(): number {
    return this.state.version;
  }

  digest(sink: DigestSink): void {
    sink.number(this.state.read.digestHigh).number(this.state.read.digestLow);
  }

  afterStep({ change, cluster }: CheckContext): Violation | null {
    if (change.started) this.forgetLost(change.node, cluster);
    if (change.logChangedFrom === Number.POSITIVE_INFINITY) return null;
    const mirror = cluster.mirror(change.node);
    // A node that holds its prefix through an installed snapshot is compared as holding the
    // committed history's (the snapshot-consistency invariant judges that it does).
    const prefixHashes = cluster.prefixHashesOf(mirror);
    for (let index = change.logChangedFrom; index <= mirror.lastIndex; index += 1) {
      const term = mirror.terms[index];
      const first = this.state.read.seen.get(keyOf(index, term));
      if (first === undefined) {
        this.record(index, term, { prefixHash: prefixHashes[index], node: change.node, eventNumber: change.eventNumber, window: windowOf(mirror, index) });
        continue;
      }
      if (first.prefixHash !== prefixHashes[index]) return differs(change, mirror, index, term, first);
    }
    return null;
  }

  audit(cluster: ObservedCluster, eventNumber: number, timeMs: number): Violation | HarnessError | null {
    return auditPrefixHashes(cluster, eventNumber, timeMs) ?? auditPairs(cluster, eventNumber, timeMs);
  }

  private record(index: number, term: number, first: FirstSeen): void {
    const sightings = this.state.write();
    sightings.seen.set(keyOf(index, term), first);
    addToDigest(sightings, index, term, first.prefixHash, 1);
  }

  /** A node started again: forgets the sightings it made of entries no log holds now (it lost them). */
  private forgetLost(node: NodeId, cluster: ObservedCluster): void {
    let lost: number[] | null = null;
    for (const [key, first] of this.state.read.seen) {
      if (first.node === node && !heldByAny(cluster, indexOfKey(key), termOfKey(key), first.prefixHash)) (lost ??= []).push(key);
    }
    if (lost === null) return;
    const sightings = this.state.write();
    for (const key of lost) {
      addToDigest(sightings, indexOfKey(key), termOfKey(key), sightings.seen.get(key)!.prefixHash, -1);
      sightings.seen.delete(key);
    }
  }
}

function indexOfKey(key: number): number {
  return Math.floor(key / 0x100000000);
}

function termOfKey(key: number): number {
  return key % 0x100000000;
}

/** Adds (sign 1) or takes out (sign -1) one sighting's share of the order-free digest. */
function addToDigest(sightings: Sightings, index: number, term: number, prefixHash: number, sign: 1 | -1): void {
  const key = Math.imul(index, 0x9e3779b1) ^ Math.imul(term, 0x85ebca6b) ^ prefixHash;
  sightings.digestHigh = (sightings.digestHigh + sign * mix32(key)) | 0;
  sightings.digestLow = (sightings.digestLow + sign * mix32(key ^ 0x5bd1e995)) | 0;
}

/**
 * Whether some node's log (as observed now) holds (index, term) over this prefix. Under a snapshot
 * it installed a node holds the committed history's entry: that one, or any while the committed
 * history does not reach the index yet.
 */
function heldByAny(cluster: ObservedCluster, index: number, term: number, prefixHash: number): boolean {
  const committedHolds = index > cluster.committedLength || (cluster.committedTerms[index] === term && cluster.committedPrefix[index] === prefixHash);
  for (const mirror of cluster.nodes) {
    if (!mirror.hasLog || index > mirror.lastIndex) continue;
    if (index <= mirror.anchorIndex) {
      if (committedHolds) return true;
      continue;
    }
    if (mirror.terms[index] === term && cluster.prefixHashesOf(mirror)[index] === prefixHash) return true;
  }
  return false;
}

/** The violation of a log that holds (index, term) over another prefix than the one first seen there. */
function differs(change: StepChange, mirror: ObservedNode, index: number, term: number, first: FirstSeen): Violation {
  const theirWindow = first.window;
  const ourWindow = windowOf(mirror, index);
  const windowStart = Math.max(theirWindow.from, ourWindow.from);
  let differsAt = windowStart;
  while (differsAt <= index && labelAt(theirWindow, differsAt) === labelAt(ourWindow, differsAt)) differsAt += 1;
  // The prefix hashes differ, so the logs do. A difference found at the window's first
  // entry may have started earlier, outside what was kept; none in the window: before it.
  const exact = differsAt <= index && (differsAt > windowStart || windowStart === 1);
  const where =
    differsAt > index
      ? `before index ${windowStart}`
      : `${exact ? 'at' : 'at or before'} index ${differsAt} (${labelAt(ourWindow, differsAt)} vs ${labelAt(theirWindow, differsAt)})`;
  const shownFrom = Math.max(windowStart, Math.min(differsAt, index) - 2);
  const labels = (window: EntryWindow) => Array.from({ length: index - shownFrom + 1 }, (_, offset) => labelAt(window, shownFrom + offset));
  return violation({
    invariant: name,
    message: `n${change.node} and n${first.node} both hold an entry at index ${index} in term ${term}, but their logs differ ${where}`,
    nodes: change.node === first.node ? [change.node] : [change.node, first.node],
    eventNumber: change.eventNumber,
    timeMs: change.timeMs,
    evidence: {
      index,
      term,
      differsAtIndex: exact ? differsAt : null,
      [`n${change.node}`]: labels(ourWindow),
      [`n${first.node}`]: labels(theirWindow),
      firstSeenAtEvent: first.eventNumber,
      entriesFromIndex: shownFrom,
    },
  });
}

function windowOf(mirror: ObservedNode, upTo: number): EntryWindow {
  const from = Math.max(1, upTo - evidenceEntries + 1);
  return { from, terms: mirror.terms.slice(from, upTo + 1), commandIds: mirror.commandIds.slice(from, upTo + 1) };
}

function labelAt(window: EntryWindow, index: number): string {
  const offset = index - window.from;
  return offset < 0 || offset >= window.terms.length ? 'missing' : entryLabel(window.terms[offset], window.commandIds[offset]);
}

/** Recomputes every node's prefix hashes from its entries and compares with the incremental ones. */
function auditPrefixHashes(cluster: ObservedCluster, eventNumber: number, timeMs: number) {
  for (const mirror of cluster.nodes.values()) {
    let hash = 0;
    for (let index = 1; index <= mirror.lastIndex; index += 1) {
      hash = chainHash(hash, mirror.terms[index], mirror.commandIds[index]);
      if (hash !== mirror.prefixHashes[index]) {
        return harnessError({
          invariant: name,
          message: `audit: the incremental prefix hash of n${mirror.id} is wrong at index ${index}`,
          nodes: [mirror.id],
          eventNumber,
          timeMs,
          evidence: { index, incremental: mirror.prefixHashes[index], recomputed: hash },
        });
      }
    }
  }
  return null;
}

/**
 * The textbook check, pair by pair and entry by entry, over the logs as they are now: over what
 * both hold, so past the entries either holds only through an installed snapshot.
 */
function auditPairs(cluster: ObservedCluster, eventNumber: number, timeMs: number) {
  const mirrors = [...cluster.nodes.values()].filter((mirror) => mirror.hasLog);
  for (let a = 0; a < mirrors.length; a += 1) {
    for (let b = a + 1; b < mirrors.length; b += 1) {
      const left = mirrors[a];
      const right = mirrors[b];
      const shared = Math.min(left.lastIndex, right.lastIndex);
      const held = Math.max(left.anchorIndex, right.anchorIndex) + 1;
      let lastMatchingTerm = 0;
      for (let index = shared; index >= held; index -= 1) {
        if (left.terms[index] === right.terms[index]) {
          lastMatchingTerm = index;
          break;
        }
      }
      for (let index = held; index <= lastMatchingTerm; index += 1) {
        if (left.terms[index] !== right.terms[index] || left.commandIds[index] !== right.commandIds[index]) {
          return violation({
            invariant: name,
            message: `audit: n${left.id} and n${right.id} agree on the term at index ${lastMatchingTerm} but differ at index ${index}`,
            nodes: [left.id, right.id],
            eventNumber,
            timeMs,
            evidence: {
              index: lastMatchingTerm,
              differsAtIndex: index,
              [`n${left.id}`]: mirrorEntryLabel(left, index),
              [`n${right.id}`]: mirrorEntryLabel(right, index),
            },
          });
        }
      }
    }
  }
  return null;
}
