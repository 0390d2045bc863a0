// The reference node's field list (src/raft/fields.ts) is the one description of its state that
// clone() and both digests are made from: every field of the node and of its rooms has an entry,
// a clone copies each one without sharing what is mutated in place, and every field the list
// digests changes both digests when it changes (the explorer would merge states otherwise).

import { describe, expect, it } from 'vitest';
import type { ImplementationOptions, Input } from '../../src/contract/contract.js';
import { bugsFromNames } from '../../src/raft/bugs.js';
import type { NodeField } from '../../src/raft/fields.js';
import type { RaftMessage } from '../../src/raft/messages.js';
import { RaftNode } from '../../src/raft/node.js';
import { Lanes } from '../../src/world/lanes.js';

const options: ImplementationOptions = { electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 2, entriesPerMessageMax: 64 };
const fields = RaftNode['fields'].all as readonly NodeField<RaftNode, unknown>[];

function start(node: RaftNode): RaftNode {
  node.step({ kind: 'start', id: 1, members: [1, 2, 3], seed: 7, records: [], options });
  return node;
}

function deliver(node: RaftNode, from: number, body: RaftMessage): void {
  node.step({ kind: 'deliver', from, message: { type: body.type, term: body.term, body } });
}

/**
 * A leader with as much of its state in use as a single node can have: count-stale-votes on (so
 * that its response count is digested), randomized timeouts (so that its PRNG state is), a log, a
 * follower's progress, a configuration entry (a learner added) and a ReadIndex read waiting for
 * its round.
 */
function busyLeader(): RaftNode {
  const node = start(new RaftNode(bugsFromNames(['count-stale-votes'])));
  const tick: Input = { kind: 'tick' };
  for (let ticks = 0; ticks < 100 && node.step(tick).state!.role === 'follower'; ticks += 1);
  deliver(node, 2, { type: 'RequestVoteResponse', term: 1, voteGranted: true });
  node.step({ kind: 'propose', command: { id: 1, op: 'set', key: 'k', value: 'v' } });
  deliver(node, 2, { type: 'AppendEntriesResponse', term: 1, success: true, matchIndex: 2, retryIndex: 0 });
  const change = node.step({ kind: 'changeMembership', change: { id: 3, steps: [{ action: 'addLearner', node: 4 }] } });
  expect(change.answers[0].kind).toBe('accepted');
  node.step({ kind: 'read', command: { id: 2, op: 'get', key: 'k' } });
  expect(node.step(tick).state!.role).toBe('leader');
  return node;
}

/** Both digests: stateDigest, and the explorer's split digest with ids as they are. */
function digests(node: RaftNode): [string, string] {
  const lanes = new Lanes().reset();
  node.digestWithoutIds(lanes);
  node.digestIds(lanes, [0, 1, 2, 3, 4]);
  const split: number[] = [];
  lanes.digestInto(split, 0);
  return [node.stateDigest(), split.join(':')];
}

/** A different value of the same shape: one more of a number, one more element, another member. */
function changed(field: NodeField<RaftNode, unknown>, value: unknown): unknown {
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (field.digest.part === 'id') return value === 2 ? 3 : 2;
  // Contact ticks tell a peer that echoed tick 0 from one that echoed nothing.
  if (field.path === 'leadership.contactTicks' && value instanceof Map && !value.has(2)) return new Map([...value, [2, 0]]);
  if (value instanceof Set) return new Set(value.has(2) ? [...value].filter((member) => member !== 2) : [...value, 2]);
  if (value instanceof Map) return new Map([...value, [2, (value.get(2) ?? 0) + 1]]);
  // A configuration: other voters.
  if (field.digest.part === 'ids' && !Array.isArray(value)) return { ...(value as object), voters: [1, 2, 4] };
  if (Array.isArray(value)) return [...value, value[0] ?? { id: 99, op: 'get', key: 'k' }];
  // The role: a follower's.
  return field.get(start(new RaftNode()));
}

function ownKeys(value: unknown): string[] {
  return Object.keys(value as object).sort();
}

describe("the reference node's field list", () => {
  it('has one entry for every field of the node and of each of its rooms', () => {
    const node = busyLeader();
    const paths = fields.map((field) => field.path);
    expect(new Set(paths).size).toBe(paths.length);
    const rooms = paths.filter((path) => paths.some((other) => other.startsWith(`${path}.`)));
    const expected = ownKeys(node).flatMap((key) => (rooms.includes(key) ? [key, ...ownKeys(node[key as keyof RaftNode]).map((name) => `${key}.${name}`)] : [key]));
    expect([...paths].sort()).toEqual(expected.sort());
  });

  it('leaves out of the digests only the peers, the rooms, the outputs and what follows from the rest, saying why', () => {
    const undigested = fields.filter((field) => field.digest.part === 'none');
    for (const field of undigested) if (field.digest.part === 'none') expect(field.digest.why.length, field.path).toBeGreaterThan(10);
    expect(undigested.map((field) => field.path).sort()).toEqual(
      [
        'answers',
        'applied',
        'bugs',
        'leadership',
        'log',
        'log.changedFrom',
        'log.committedMayBreak',
        'membership',
        'membership.idBound',
        'membership.reportedCommittedIndex',
        'membership.viewStale',
        'messages',
        'options',
        'peers',
        'peersFrom',
        'readOnly',
        'records',
        'snapshot',
        'snapshotInstalled',
        'snapshotTaken',
        'store',
        'tracker',
        'withholdSync',
      ].sort(),
    );
  });

  it('makes clones that hold every field and share no container that is changed in place', () => {
    const node = busyLeader();
    const copy = node.clone();
    for (const field of fields) {
      const value = field.get(node);
      expect(field.get(copy), field.path).toEqual(value);
      const container = value instanceof Map || value instanceof Set || (Array.isArray(value) && !['members', 'peers'].includes(field.path));
      if (container) expect(field.get(copy), field.path).not.toBe(value);
    }
    expect(digests(copy)).toEqual(digests(node));
  });

  it('changes both digests when any digested field of a clone changes, and leaves the original alone', () => {
    const node = busyLeader();
    const original = digests(node);
    for (const field of fields.filter((candidate) => candidate.digest.part !== 'none')) {
      const copy = node.clone();
      field.set(copy, changed(field, field.get(copy)));
      const [state, split] = digests(copy);
      expect(state, `${field.path}: stateDigest`).not.toBe(original[0]);
      expect(split, `${field.path}: the explorer's digest`).not.toBe(original[1]);
      expect(digests(node), field.path).toEqual(original);
    }
  });
});
