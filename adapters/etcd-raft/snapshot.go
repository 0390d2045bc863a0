// Snapshots and compaction (docs/CONTRACT.md, "Snapshots"): the adapter's compaction policy
// (MemoryStorage.CreateSnapshot and Compact once snapshotEntriesThreshold applied entries follow
// the last snapshot), snapshots installed from a leader's MsgSnap (Ready.Snapshot), the snapshot
// records that make both durable, and a restart from them. etcd itself sends MsgSnap when a
// follower needs entries the leader compacted, from MemoryStorage.Snapshot().

package main

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/raftcheck/adapters/raftcheck-go"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// snapshotRecord is a snapshot as a durable record holds it. Taken (by this node's compaction):
// the entries after it stay; installed (from a leader): the log is replaced by it.
type snapshotRecord struct {
	Origin    string               `json:"origin"` // taken or installed
	Index     uint64               `json:"index"`
	Term      uint64               `json:"term"`
	ConfState confStateRecord      `json:"confState"`
	State     raftcheck.StoreState `json:"state"`
}

// confStateRecord is etcd's ConfState field for field, so that a restart restores it exactly.
type confStateRecord struct {
	Voters         []uint64 `json:"voters"`
	Learners       []uint64 `json:"learners"`
	VotersOutgoing []uint64 `json:"votersOutgoing"`
	LearnersNext   []uint64 `json:"learnersNext"`
	AutoLeave      bool     `json:"autoLeave"`
}

func confStateRecordOf(cs *pb.ConfState) confStateRecord {
	return confStateRecord{
		Voters: orEmpty(cs.GetVoters()), Learners: orEmpty(cs.GetLearners()), VotersOutgoing: orEmpty(cs.GetVotersOutgoing()),
		LearnersNext: orEmpty(cs.GetLearnersNext()), AutoLeave: cs.GetAutoLeave(),
	}
}

func (c confStateRecord) confState() *pb.ConfState {
	return &pb.ConfState{Voters: c.Voters, Learners: c.Learners, VotersOutgoing: c.VotersOutgoing, LearnersNext: c.LearnersNext, AutoLeave: &c.AutoLeave}
}

// configuration is the contract's view of a ConfState (learners to be are still voters).
func (c confStateRecord) configuration() configuration {
	return configuration{Voters: orEmpty(c.Voters), Learners: orEmpty(c.Learners), VotersOutgoing: orEmpty(c.VotersOutgoing)}
}

func orEmpty(ids []uint64) []uint64 {
	if ids == nil {
		return []uint64{}
	}
	return append([]uint64{}, ids...)
}

// snapshotOf is etcd's snapshot of a record: the state machine's contents as JSON in its data.
func snapshotOf(r *snapshotRecord) (*pb.Snapshot, error) {
	data, err := json.Marshal(r.State)
	if err != nil {
		return nil, err
	}
	index, term := r.Index, r.Term
	return &pb.Snapshot{Data: data, Metadata: &pb.SnapshotMetadata{Index: &index, Term: &term, ConfState: r.ConfState.confState()}}, nil
}

// recordOf is the record of an etcd snapshot this adapter made (its data is a StoreState).
func recordOf(snapshot *pb.Snapshot, origin string) (*snapshotRecord, error) {
	metadata := snapshot.GetMetadata()
	r := &snapshotRecord{Origin: origin, Index: metadata.GetIndex(), Term: metadata.GetTerm(), ConfState: confStateRecordOf(metadata.GetConfState())}
	if err := json.Unmarshal(snapshot.GetData(), &r.State); err != nil {
		return nil, fmt.Errorf("snapshot %d holds data that is not a state machine: %w", r.Index, err)
	}
	return r, nil
}

func (r *snapshotRecord) view() *snapshotView {
	return r.State.View(r.Index, r.Term, r.ConfState.configuration())
}

// replaySnapshot folds a snapshot record into storage as the node did when it wrote it.
func replaySnapshot(storage *raft.MemoryStorage, r *snapshotRecord) error {
	snapshot, err := snapshotOf(r)
	if err != nil {
		return err
	}
	if r.Origin == "installed" {
		return storage.ApplySnapshot(snapshot)
	}
	last, _ := storage.LastIndex()
	if r.Index > last {
		return fmt.Errorf("a snapshot taken at %d, past the end of the log %d", r.Index, last)
	}
	if term, err := storage.Term(r.Index); err != nil || term != r.Term {
		return fmt.Errorf("a snapshot taken at %d of term %d over a log of term %d there (%v)", r.Index, r.Term, term, err)
	}
	if _, err := storage.CreateSnapshot(r.Index, snapshot.GetMetadata().GetConfState(), snapshot.GetData()); err != nil {
		return err
	}
	return storage.Compact(r.Index)
}

// compact is the compaction policy: once snapshotThreshold applied entries follow the last
// snapshot, or sooner when etcd asked for a snapshot that names every member (guardedStorage),
// take one at the applied index, if the harness has been shown the entries up to it (entries
// appended and applied within this very output are compacted by a later one).
func (n *node) compact(out *output) error {
	index := n.appliedIndex
	unshown := n.logDirtyFrom != 0 && n.logDirtyFrom <= index
	due := index >= n.snapshotIndex+n.snapshotThreshold || (index > n.snapshotIndex && n.guard.wanted)
	if n.snapshotThreshold == 0 || unshown || !due {
		return nil
	}
	term, err := n.storage.Term(index)
	if err != nil {
		return fmt.Errorf("compacting at %d: %w", index, err)
	}
	taken := &snapshotRecord{Origin: "taken", Index: index, Term: term, ConfState: confStateRecordOf(n.confState), State: n.store.State()}
	snapshot, err := snapshotOf(taken)
	if err != nil {
		return err
	}
	if _, err := n.storage.CreateSnapshot(index, snapshot.GetMetadata().GetConfState(), snapshot.GetData()); err != nil {
		return fmt.Errorf("compacting at %d: %w", index, err)
	}
	if err := n.storage.Compact(index); err != nil {
		return fmt.Errorf("compacting at %d: %w", index, err)
	}
	n.log = n.log[index-n.snapshotIndex:]
	n.snapshotIndex, n.snapshotTerm = index, term
	n.guard.wanted = false
	out.SnapshotTaken = taken.view()
	out.Records = append(out.Records, record{Snapshot: taken})
	return nil
}

// install replaces the state machine with a snapshot from a leader (Ready.Snapshot): etcd
// installs one only when its log lacks the snapshot's last entry, and then drops the whole log.
func (n *node) install(snapshot *pb.Snapshot, written *record, out *output) error {
	installed, err := n.installInMemory(snapshot, out)
	if err != nil {
		return err
	}
	return n.persistSnapshot(snapshot, installed, written)
}

// installInMemory makes a leader's snapshot the state machine and the start of the log mirror.
func (n *node) installInMemory(snapshot *pb.Snapshot, out *output) (*snapshotRecord, error) {
	installed, err := recordOf(snapshot, "installed")
	if err != nil {
		return nil, err
	}
	n.restore(installed)
	n.log = n.log[:0]
	out.SnapshotInstalled = installed.view()
	return installed, nil
}

// persistSnapshot writes an installed snapshot to storage and to the record being written.
func (n *node) persistSnapshot(snapshot *pb.Snapshot, installed *snapshotRecord, written *record) error {
	if err := n.storage.ApplySnapshot(snapshot); err != nil {
		return fmt.Errorf("installing snapshot %d: %w", installed.Index, err)
	}
	written.Snapshot = installed
	return nil
}

// restore makes a snapshot the state machine's state and the log's start.
func (n *node) restore(r *snapshotRecord) {
	n.store = raftcheck.RestoredKeyValueStore(r.State)
	n.appliedIndex = r.Index
	n.snapshotIndex, n.snapshotTerm = r.Index, r.Term
	n.confState = r.ConfState.confState()
	n.confIndex, n.confIndexLatest = r.Index, max(n.confIndexLatest, r.Index)
	n.confUnapplied = n.confUnapplied[:0] // the log after the snapshot starts over
	n.configurationChanged = true
	n.logDirtyFrom = r.Index + 1
}

// reportSnapshotsSent tells etcd that the snapshots it sent are on their way: the harness
// delivers or loses them, and a lost one is found by probing and sent again.
func (n *node) reportSnapshotsSent() {
	for _, to := range n.snapshotsSent {
		n.raw.ReportSnapshot(to, raft.SnapshotFinish)
	}
	n.snapshotsSent = n.snapshotsSent[:0]
}

// guardedStorage is the Storage etcd reads: the node's, except that a snapshot whose
// configuration lacks a member of the configuration in force is "temporarily unavailable" (as
// Storage.Snapshot allows) until the compaction policy has taken a fresh one. etcd's restore
// refuses a snapshot that does not name its recipient ("should never happen"), and its leader,
// told the snapshot was sent, sends the same one again and again: a node added after the latest
// snapshot never caught up (etcd swarm seed 578; raft-rs finding 4 in docs/FINDINGS.md). etcd's
// own server keeps thousands of entries behind its snapshots, which hides this; the adapter
// compacts right at the snapshot.
type guardedStorage struct {
	raft.Storage
	guard *snapshotGuard
}

// snapshotGuard says whether the latest snapshot names every member of the node's configuration
// (members: the node's, once it exists), and remembers that etcd wanted one that does.
type snapshotGuard struct {
	members func() *pb.ConfState
	wanted  bool
}

func (s guardedStorage) Snapshot() (*pb.Snapshot, error) {
	snapshot, err := s.Storage.Snapshot()
	if err != nil || snapshot.GetMetadata().GetIndex() == 0 || s.guard.members == nil {
		return snapshot, err
	}
	named := confStateMembers(snapshot.GetMetadata().GetConfState())
	for _, id := range confStateMembers(s.guard.members()) {
		if !slices.Contains(named, id) {
			s.guard.wanted = true
			return &pb.Snapshot{}, raft.ErrSnapshotTemporarilyUnavailable
		}
	}
	return snapshot, nil
}

// confStateMembers are every node a ConfState names.
func confStateMembers(cs *pb.ConfState) []uint64 {
	members := append(append([]uint64(nil), cs.GetVoters()...), cs.GetLearners()...)
	members = append(members, cs.GetVotersOutgoing()...)
	return append(members, cs.GetLearnersNext()...)
}
