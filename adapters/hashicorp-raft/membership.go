//go:build wasip1

// Membership changes (docs/CONTRACT.md, "Membership changes") through hashicorp's single-server
// changes: addVoter is AddVoter, addLearner AddNonvoter (hashicorp's nonvoters are replicated to
// and never counted), promote AddVoter on a nonvoter, remove RemoveServer. hashicorp has no joint
// consensus, so a change of several steps is rejected; a configuration takes effect when appended.
//
// hashicorp takes a change only once its latest configuration is committed and its leader has
// committed an entry of its term (configurationChangeChIfStable, the 2015 fix); until then the
// request would wait inside hashicorp, unanswered. The adapter checks the same before it asks and
// answers rejected, so a change is either appended within its own input or refused there.
//
// The view's configurations are hashicorp's own (its private configurations: latest and
// committed, each with its index), read once the node is idle, so that what the invariants judge
// is what hashicorp counts votes and commitment with. hashicorp's configuration entry has no room
// for the change's id: the log store writes it into the entry's Extensions as the leader appends
// it, and the entry carries it to every follower and through restarts.

package main

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/hashicorp/raft"
	"github.com/raftcheck/adapters/raftcheck-go"
)

// configurations points into hashicorp's private Raft.configurations, found by name: a release
// that renames them fails every start with this message, never silently.
type configurations struct {
	committed, latest           *raft.Configuration
	committedIndex, latestIndex *uint64
}

func configurationsOf(r *raft.Raft) (*configurations, error) {
	field := reflect.ValueOf(r).Elem().FieldByName("configurations")
	if !field.IsValid() {
		return nil, errors.New("hashicorp's Raft has no configurations field: the adapter cannot show its configuration")
	}
	configuration := func(name string) (*raft.Configuration, error) {
		f := field.FieldByName(name)
		if !f.IsValid() || f.Type() != reflect.TypeFor[raft.Configuration]() {
			return nil, fmt.Errorf("hashicorp's configurations has no %s Configuration", name)
		}
		return (*raft.Configuration)(unsafe.Pointer(f.UnsafeAddr())), nil
	}
	index := func(name string) (*uint64, error) {
		f := field.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.Uint64 {
			return nil, fmt.Errorf("hashicorp's configurations has no %s uint64", name)
		}
		return (*uint64)(unsafe.Pointer(f.UnsafeAddr())), nil
	}
	c := &configurations{}
	var errs [4]error
	c.committed, errs[0] = configuration("committed")
	c.latest, errs[1] = configuration("latest")
	c.committedIndex, errs[2] = index("committedIndex")
	c.latestIndex, errs[3] = index("latestIndex")
	return c, errors.Join(errs[:]...)
}

// view is hashicorp's configurations in the contract's shape. One exception: until its commit
// index passes entry 1, hashicorp's committed configuration is the empty one, while entry 1 is the
// bootstrap configuration that BootstrapCluster wrote on every initial member, committed from the
// start. The view says so (entry 1's configuration at index 1): an empty committed configuration
// would tell the harness the cluster has no members (swarm-membership seed 7 ended its liveness
// phase with no node to ask).
func (c *configurations) view(s *stores) *raftcheck.ConfigurationView {
	committed, committedIndex := *c.committed, *c.committedIndex
	if entry, ok := s.logs[1]; ok && committedIndex == 0 && entry.Type == raft.LogConfiguration {
		committed, committedIndex = raft.DecodeConfiguration(entry.Data), 1
	}
	return &raftcheck.ConfigurationView{Latest: contractConfiguration(*c.latest), LatestIndex: *c.latestIndex, Committed: contractConfiguration(committed), CommittedIndex: committedIndex}
}

// changeMembership answers an administrator's change, or hands it to hashicorp and leaves the
// answer to changeAnswered, once the node is idle.
func (n *node) changeMembership(change *raftcheck.Change) {
	if n.offLeader(change.ID) {
		return
	}
	if reason := n.changeProblem(change); reason != "" {
		n.answers = append(n.answers, rejectedAnswer{CommandID: change.ID, Kind: "rejected", Reason: reason})
		return
	}
	step := change.Steps[0]
	id, target := raft.ServerID(address(step.Node)), address(step.Node)
	n.stores.changeID = change.ID
	n.change = await(change.ID, 0, func() raft.Future {
		switch step.Action {
		case "addVoter", "promote":
			return n.raft.AddVoter(id, target, 0, 0)
		case "addLearner":
			return n.raft.AddNonvoter(id, target, 0, 0)
		}
		return n.raft.RemoveServer(id, 0, 0)
	})
}

// changeProblem says why the leader cannot take the change now, "" if it can.
func (n *node) changeProblem(change *raftcheck.Change) string {
	if len(change.Steps) != 1 {
		return "hashicorp/raft changes one server at a time (no joint consensus)"
	}
	term := n.currentTerm()
	commitIndex := n.raft.CommitIndex()
	if entry, ok := n.stores.logs[commitIndex]; !ok || entry.Term != term {
		return "no entry of the leader's term is committed yet"
	}
	if *n.configurations.latestIndex != *n.configurations.committedIndex {
		return "a configuration change is in progress"
	}
	step := change.Steps[0]
	latest := *n.configurations.latest
	voter, member := isVoter(latest, step.Node), false
	for _, server := range latest.Servers {
		member = member || server.ID == raft.ServerID(address(step.Node))
	}
	switch {
	case step.Action != "addVoter" && step.Action != "addLearner" && step.Action != "promote" && step.Action != "remove":
		return fmt.Sprintf("an unknown action %q", step.Action)
	case (step.Action == "addVoter" || step.Action == "addLearner") && member:
		return fmt.Sprintf("node %d is already a member", step.Node)
	case step.Action == "promote" && (!member || voter):
		return fmt.Sprintf("node %d is not a learner", step.Node)
	case step.Action == "remove" && !member:
		return fmt.Sprintf("node %d is not a member", step.Node)
	case step.Action == "remove" && voter && len(contractConfiguration(latest).Voters) == 1:
		return "the last voter cannot be removed"
	}
	return ""
}

// changeAnswered is the answer to the change of this input, once the node is idle: accepted
// with its entry if hashicorp appended it, else hashicorp's refusal.
func (n *node) changeAnswered() (any, error) {
	inFlight := n.change
	n.change = nil
	n.stores.changeID = 0
	if appended := n.stores.changeEntry; appended != nil {
		n.stores.changeEntry = nil
		return acceptedAnswer{CommandID: inFlight.id, Kind: "accepted", Index: appended.Index, Term: appended.Term}, nil
	}
	switch {
	case !inFlight.done:
		return nil, fmt.Errorf("membership change %d neither appended nor refused by hashicorp: the adapter's check of its stability disagrees with hashicorp's", inFlight.id)
	case errors.Is(inFlight.err, raft.ErrNotLeader) || errors.Is(inFlight.err, raft.ErrLeadershipLost):
		return notLeaderAnswer{CommandID: inFlight.id, Kind: "notLeader", LeaderHint: n.leaderHint()}, nil
	case inFlight.err != nil:
		return rejectedAnswer{CommandID: inFlight.id, Kind: "rejected", Reason: inFlight.err.Error()}, nil
	}
	return nil, fmt.Errorf("membership change %d done without an error but no configuration entry was appended", inFlight.id)
}
