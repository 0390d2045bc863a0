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

// adminInFlight is an administrator's request (a transfer, a membership change) handed to
// hashicorp in this input, answered once the node is idle: its future's error, once the
// goroutine waiting on it has one (hashicorp answers at once only a request it refuses).
type adminInFlight struct {
	id   int64
	term uint64
	done bool
	err  error
}

// await waits for a future in a goroutine of its own (hashicorp's futures block).
func await(id int64, term uint64, request func() raft.Future) *adminInFlight {
	inFlight := &adminInFlight{id: id, term: term}
	go func() {
		inFlight.err = request().Error()
		inFlight.done = true
	}()
	return inFlight
}

// offLeader answers notLeader, with hashicorp's hint, to a request a node that does not lead gets.
func (n *node) offLeader(id int64) bool {
	if n.raft.State() == raft.Leader {
		return false
	}
	n.answers = append(n.answers, notLeaderAnswer{CommandID: id, Kind: "notLeader", LeaderHint: n.leaderHint()})
	return true
}

// transferLeadership answers an administrator's transfer: notLeader off the leader, rejected for
// a target hashicorp would refuse (itself, not a voter), otherwise handed to hashicorp, whose
// immediate refusal (a transfer in progress) the output reports as rejected.
func (n *node) transferLeadership(transfer *raftcheck.Transfer) {
	if n.offLeader(transfer.ID) {
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
	target := address(transfer.Target)
	n.transfer = await(transfer.ID, n.currentTerm(), func() raft.Future {
		return n.raft.LeadershipTransferToServer(raft.ServerID(target), target)
	})
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
