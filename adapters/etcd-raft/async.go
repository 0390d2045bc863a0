// Asynchronous storage writes (feature asyncStorageWrites, etcd's Config.AsyncStorageWrites): etcd
// no longer hands the adapter a Ready to persist and Advance, but addresses storage work to its
// local append thread (MsgStorageAppend: entries, HardState, snapshot) and its local apply thread
// (MsgStorageApply: committed entries), each carrying the responses to send once the work is done.
// The adapter hands that work to the harness as local work (Message.local, docs/CONTRACT.md), which
// brings it back later, in order per thread, unless the node crashed in between; then the adapter
// does it (writes the records, with a sync; applies the entries) and sends or steps its responses.
// What etcd lets other threads do meanwhile, the harness does: ticks, deliveries, proposals.

package main

import (
	"fmt"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// localThreadOf names etcd's local thread a message goes to, "" for a message to a peer.
func localThreadOf(m *pb.Message) string {
	switch m.GetTo() {
	case raft.LocalAppendThread:
		return "append"
	case raft.LocalApplyThread:
		return "apply"
	default:
		return ""
	}
}

// handleReadyAsync hands one Ready's storage work to the local threads and sends the messages that
// need no storage (a leader's appends to its followers); nothing is persisted or applied here.
// etcd accepted the Ready when it made it: there is no Advance.
func (n *node) handleReadyAsync(rd raft.Ready, out *output, proposed *acceptedAnswer) error {
	// The view shows etcd's log as it holds it, unstable entries included (its commit index counts
	// them): mirrored now, as a snapshot from a leader replaces the state machine now; the append
	// thread writes both to storage later.
	if !raft.IsEmptySnap(rd.Snapshot) {
		if _, err := n.installInMemory(rd.Snapshot, out); err != nil {
			return err
		}
	}
	if len(rd.Entries) > 0 {
		if err := n.mirrorEntries(rd.Entries, proposed); err != nil {
			return err
		}
	}
	for _, m := range rd.Messages {
		thread := localThreadOf(m)
		if thread == "" {
			if err := n.send(m, out); err != nil {
				return err
			}
			continue
		}
		encoded, err := encodeMessage(m)
		if err != nil {
			return err
		}
		encoded.To, encoded.Message.Local = n.id, thread
		out.Messages = append(out.Messages, encoded)
	}
	for _, state := range rd.ReadStates {
		n.confirmRead(state)
	}
	n.reportSnapshotsSent()
	return nil
}

// commitIndexShown is the commit index the view shows: etcd's, but short of the first
// configuration entry not yet applied. The view's configuration is the one applied (etcd's takes
// effect when applied), and with the apply thread behind, etcd may know entries committed past a
// configuration entry it has not applied: the view would then say the old configuration is in
// force, and committed, where it no longer is.
func (n *node) commitIndexShown(commit uint64) uint64 {
	if len(n.confUnapplied) > 0 && commit >= n.confUnapplied[0] {
		return n.confUnapplied[0] - 1
	}
	return commit
}

// dropFrom keeps the indexes below first (a log overwritten from first on).
func dropFrom(indexes []uint64, first uint64) []uint64 {
	for len(indexes) > 0 && indexes[len(indexes)-1] >= first {
		indexes = indexes[:len(indexes)-1]
	}
	return indexes
}

// dropThrough keeps the indexes above last (entries applied through last).
func dropThrough(indexes []uint64, last uint64) []uint64 {
	for len(indexes) > 0 && indexes[0] <= last {
		indexes = indexes[1:]
	}
	return indexes
}

// doLocalWork does the work a local thread was handed, now that the harness brings it back, then
// sends (or steps, those to this node) the responses that waited for it.
func (n *node) doLocalWork(m *pb.Message, thread string, out *output) error {
	var err error
	switch {
	case thread == "append" && m.GetType() == pb.MsgStorageAppend:
		err = n.persist(m, out)
	case thread == "apply" && m.GetType() == pb.MsgStorageApply:
		err = n.applyEntries(m.GetEntries(), out)
	default:
		err = fmt.Errorf("local %s work of type %s, which etcd never sends there", thread, m.GetType())
	}
	if err != nil {
		return err
	}
	for _, response := range m.GetResponses() {
		if response.GetTo() != n.id {
			if err := n.send(response, out); err != nil {
				return err
			}
			continue
		}
		// etcd refuses nothing of its own making; a response it drops (a stale term) is its choice.
		_ = n.raw.Step(response)
	}
	return n.drain(out, nil)
}

// persist is the append thread's work: the snapshot, entries and HardState of a MsgStorageAppend
// become one record, synced before any response leaves (the harness loses whole records). The
// state machine and the log mirror took them when etcd handed the work over.
func (n *node) persist(m *pb.Message, out *output) error {
	var written record
	if snapshot := m.GetSnapshot(); snapshot != nil && !raft.IsEmptySnap(snapshot) {
		installed, err := recordOf(snapshot, "installed")
		if err != nil {
			return err
		}
		if err := n.persistSnapshot(snapshot, installed, &written); err != nil {
			return err
		}
	}
	if entries := m.GetEntries(); len(entries) > 0 {
		if err := n.storage.Append(entries); err != nil {
			return err
		}
		written.Entries = entriesToRecord(entries)
	}
	// etcd sets term, vote and commit together, or none of them when the HardState is unchanged.
	if m.Term != nil {
		hardState := &pb.HardState{Term: new(m.GetTerm()), Vote: new(m.GetVote()), Commit: new(m.GetCommit())}
		if err := n.storage.SetHardState(hardState); err != nil {
			return err
		}
		written.HardState = hardStateToRecord(hardState)
	}
	if written.Entries != nil || written.HardState != nil || written.Snapshot != nil {
		out.Records = append(out.Records, written)
		out.Sync = true
	}
	return nil
}

// applyEntries is the apply thread's work: committed entries applied in order. Entries a snapshot
// installed since already holds are skipped.
func (n *node) applyEntries(entries []*pb.Entry, out *output) error {
	for _, e := range entries {
		if e.GetIndex() <= n.appliedIndex {
			continue
		}
		applied, err := n.apply(e)
		if err != nil {
			return err
		}
		out.Applied = append(out.Applied, applied)
	}
	return nil
}
