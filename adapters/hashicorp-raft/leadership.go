//go:build wasip1

// Pre-vote and leadership transfer (docs/CONTRACT.md, "Pre-vote, check-quorum, leadership
// transfer and lease reads"), as hashicorp/raft has them. Pre-vote is Config.PreVoteDisabled
// switched by the start option (hashicorp runs it only over a transport with RequestPreVote,
// which this one has). A transfer is LeadershipTransferToServer: hashicorp's leader refuses
// proposals while it runs, replicates to the target until it is caught up, then sends it
// TimeoutNow, and gives up after ElectionTimeout.
//
// check-quorum has no switch in hashicorp/raft: its leader always steps down once it has not
// heard from a quorum within LeaderLeaseTimeout (checkLeaderLease), and a follower that knows a
// leader always refuses votes to others. The adapter does not list the feature, so the harness
// never hands the option; the README says so. Lease reads: hashicorp has none (VerifyLeader is a
// round of heartbeats), so that feature is not listed either.

package main

import (
	"fmt"

	"github.com/hashicorp/raft"
	"github.com/raftcheck/adapters/raftcheck-go"
)

type transferAnswer = raftcheck.TransferAcceptedAnswer
type rejectedAnswer = raftcheck.RejectedAnswer

// transferInFlight is a transfer handed to hashicorp in this input: its future's error, once the
// goroutine waiting on it has one (hashicorp answers at once only a transfer it refuses).
type transferInFlight struct {
	id   int64
	term uint64
	done bool
	err  error
}

// transferLeadership answers an administrator's transfer: notLeader off the leader, rejected for
// a target hashicorp would refuse (itself, not a voter), otherwise handed to hashicorp, whose
// immediate refusal (a transfer in progress) the output reports as rejected.
func (n *node) transferLeadership(transfer *raftcheck.Transfer) {
	if n.raft.State() != raft.Leader {
		n.answers = append(n.answers, notLeaderAnswer{CommandID: transfer.ID, Kind: "notLeader", LeaderHint: n.leaderHint()})
		return
	}
	reason := ""
	switch {
	case transfer.Target == n.id:
		reason = "the target is the leader itself"
	case !isVoter(n.raft.GetConfiguration().Configuration(), transfer.Target):
		reason = fmt.Sprintf("node %d is not a voter of the configuration", transfer.Target)
	}
	if reason != "" {
		n.answers = append(n.answers, rejectedAnswer{CommandID: transfer.ID, Kind: "rejected", Reason: reason})
		return
	}
	inFlight := &transferInFlight{id: transfer.ID, term: n.currentTerm()}
	n.transfer = inFlight
	target := address(transfer.Target)
	go func() {
		inFlight.err = n.raft.LeadershipTransferToServer(raft.ServerID(target), target).Error()
		inFlight.done = true
	}()
}

// transferAnswered is the answer to the transfer of this input, once the node is idle.
func (n *node) transferAnswered() any {
	inFlight := n.transfer
	n.transfer = nil
	if inFlight.done && inFlight.err != nil {
		return rejectedAnswer{CommandID: inFlight.id, Kind: "rejected", Reason: inFlight.err.Error()}
	}
	return transferAnswer{CommandID: inFlight.id, Kind: "transferAccepted", Term: inFlight.term}
}

func isVoter(configuration raft.Configuration, id uint64) bool {
	for _, server := range configuration.Servers {
		if server.ID == raft.ServerID(address(id)) {
			return server.Suffrage == raft.Voter
		}
	}
	return false
}
