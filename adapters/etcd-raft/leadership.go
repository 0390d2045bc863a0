// The leadership features of etcd's raft as raftcheck drives them (docs/CONTRACT.md, "Pre-vote,
// check-quorum, leadership transfer and lease reads"): PreVote, CheckQuorum and
// ReadOnlyLeaseBased are etcd Config switches set at start; a transfer is RawNode.TransferLeader,
// answered at once. What the adapter must add is access to etcd's election timeout, whose
// randomized part comes from crypto/rand and would make runs unrepeatable.

package main

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/raftcheck/adapters/raftcheck-go"
	"go.etcd.io/raft/v3"
)

// randomizedElectionTimeoutOf finds etcd's private raft.randomizedElectionTimeout inside the
// RawNode. etcd counts check-quorum, its followers' lease and its transfer deadline with the
// election timeout (Config.ElectionTick), and fires its own elections once electionElapsed
// reaches the randomized timeout it draws in [ElectionTick, 2*ElectionTick) from crypto/rand.
// The adapter needs the first with a real value and the second never (elections come from
// electionTimer, drawn from the harness's seed); no Config field separates them, so the adapter
// sets the randomized one beyond reach before each tick. Found by name: a release of etcd that
// renames it fails every start with this message, never silently.
func randomizedElectionTimeoutOf(raw *raft.RawNode) (*int, error) {
	inner := reflect.ValueOf(raw).Elem().FieldByName("raft")
	if !inner.IsValid() || inner.Kind() != reflect.Pointer || inner.IsNil() {
		return nil, errors.New("etcd's RawNode has no raft field: the adapter cannot silence etcd's own election timeout")
	}
	field := inner.Elem().FieldByName("randomizedElectionTimeout")
	if !field.IsValid() || field.Kind() != reflect.Int {
		return nil, errors.New("etcd's raft has no randomizedElectionTimeout int: the adapter cannot silence etcd's own election timeout")
	}
	return (*int)(unsafe.Pointer(field.UnsafeAddr())), nil
}

func readOnlyOption(leaseReads bool) raft.ReadOnlyOption {
	if leaseReads {
		return raft.ReadOnlyLeaseBased
	}
	return raft.ReadOnlySafe
}

// transferLeadership answers an administrator's transfer: a leader refuses one it cannot start
// (etcd would ignore it, or abort a transfer in progress for the new one) and otherwise hands it
// to etcd's TransferLeader, which catches the target up and sends it MsgTimeoutNow.
func (n *node) transferLeadership(transfer *raftcheck.Transfer, out *output) error {
	status := n.raw.Status()
	if status.RaftState != raft.StateLeader {
		out.Answers = append(out.Answers, notLeaderAnswer{CommandID: transfer.ID, Kind: "notLeader", LeaderHint: optionalID(status.Lead)})
		return n.drain(out, nil)
	}
	progress, known := status.Progress[transfer.Target]
	reason := ""
	switch {
	case transfer.Target == n.id:
		reason = "the target is the leader itself"
	case status.LeadTransferee != raft.None:
		reason = fmt.Sprintf("a transfer to node %d is in progress", status.LeadTransferee)
	case !known || progress.IsLearner:
		reason = fmt.Sprintf("node %d is not a voter of the configuration", transfer.Target)
	}
	if reason != "" {
		out.Answers = append(out.Answers, rejectedAnswer{CommandID: transfer.ID, Kind: "rejected", Reason: reason})
		return n.drain(out, nil)
	}
	n.raw.TransferLeader(transfer.Target)
	out.Answers = append(out.Answers, transferAnswer{CommandID: transfer.ID, Kind: "transferAccepted", Term: status.HardState.GetTerm()})
	return n.drain(out, nil)
}
