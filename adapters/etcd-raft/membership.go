// Membership changes (docs/CONTRACT.md, "Membership changes") through etcd's ConfChangeV2: one
// step is a simple change, several a joint one that etcd leaves on its own (auto leave). etcd's
// configuration takes effect when its entry is applied (RawNode.ApplyConfChange), so the view
// reports the applied configuration as both the latest and the committed one (the adapter applies
// everything committed at once).
//
// etcd applies a change that does not fit by panicking, and silently turns a change proposed while
// another is pending into an empty entry, so the leader checks both first and answers rejected.
//
// A node that joins (start with no members) knows no configuration, and the cluster's first one
// is in no log entry: each configuration entry carries, beside the change's id, the voters and
// learners it was proposed over, and a node with no configuration at all takes those first.

package main

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/raftcheck/adapters/raftcheck-go"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/confchange"
	pb "go.etcd.io/raft/v3/raftpb"
	"go.etcd.io/raft/v3/tracker"
	"google.golang.org/protobuf/proto"
)

// changeContext is a ConfChangeV2's Context: the change's id (0 for etcd's own leave-joint entry)
// and the configuration it was proposed over.
type changeContext struct {
	ID       int64    `json:"id"`
	Voters   []uint64 `json:"voters"`
	Learners []uint64 `json:"learners"`
}

// confChangeOf decodes a configuration entry (EntryConfChange or EntryConfChangeV2).
func confChangeOf(e *pb.Entry) (*pb.ConfChangeV2, changeContext, error) {
	var context changeContext
	var change pb.ConfChangeI
	if e.GetType() == pb.EntryConfChange {
		v1 := &pb.ConfChange{}
		if err := proto.Unmarshal(e.GetData(), v1); err != nil {
			return nil, context, err
		}
		change = v1
	} else {
		v2 := &pb.ConfChangeV2{}
		if err := proto.Unmarshal(e.GetData(), v2); err != nil {
			return nil, context, err
		}
		change = v2
	}
	v2 := change.AsV2()
	if len(v2.GetContext()) > 0 {
		if err := json.Unmarshal(v2.GetContext(), &context); err != nil {
			return nil, context, fmt.Errorf("entry %d: a configuration change whose context is not the adapter's: %w", e.GetIndex(), err)
		}
	}
	return v2, context, nil
}

var stepTypes = map[string]pb.ConfChangeType{
	"addVoter": pb.ConfChangeType_ConfChangeAddNode, "promote": pb.ConfChangeType_ConfChangeAddNode,
	"addLearner": pb.ConfChangeType_ConfChangeAddLearnerNode, "remove": pb.ConfChangeType_ConfChangeRemoveNode,
}

// changeMembership answers an administrator's change: rejected when it cannot be proposed (the
// reason), accepted with its entry's index and term, or notLeader.
func (n *node) changeMembership(change *raftcheck.Change, out *output) error {
	status := n.raw.BasicStatus()
	if status.RaftState != raft.StateLeader {
		out.Answers = append(out.Answers, notLeaderAnswer{CommandID: change.ID, Kind: "notLeader", LeaderHint: optionalID(status.Lead)})
		return n.drain(out, nil)
	}
	singles, reason := n.changeSteps(change, status.HardState.GetTerm())
	if reason != "" {
		out.Answers = append(out.Answers, rejectedAnswer{CommandID: change.ID, Kind: "rejected", Reason: reason})
		return n.drain(out, nil)
	}
	context, _ := json.Marshal(changeContext{ID: change.ID, Voters: orEmpty(n.confState.GetVoters()), Learners: orEmpty(n.confState.GetLearners())})
	v2 := &pb.ConfChangeV2{Transition: pb.ConfChangeTransition_ConfChangeTransitionAuto.Enum(), Changes: singles, Context: context}
	if err := n.raw.ProposeConfChange(v2); err != nil {
		// Dropped during a leadership transfer: the client should go to the target.
		out.Answers = append(out.Answers, notLeaderAnswer{CommandID: change.ID, Kind: "notLeader", LeaderHint: optionalID(status.LeadTransferee)})
		return n.drain(out, nil)
	}
	proposed := &acceptedAnswer{CommandID: change.ID, Kind: "accepted"}
	if err := n.drain(out, proposed); err != nil {
		return err
	}
	if proposed.Index == 0 {
		return fmt.Errorf("membership change %d accepted but its entry never appeared in a Ready", change.ID)
	}
	out.Answers = append(out.Answers, *proposed)
	return nil
}

// changeSteps turns the steps into etcd's changes, or says why the change cannot be proposed now.
func (n *node) changeSteps(change *raftcheck.Change, term uint64) ([]*pb.ConfChangeSingle, string) {
	if len(change.Steps) == 0 {
		return nil, "a change without steps"
	}
	// etcd refuses a change until the leader has applied its first entry of the term, and while
	// another is unapplied or the configuration is joint (its leave entry pending).
	if appliedTerm, _ := n.storage.Term(n.appliedIndex); appliedTerm != term {
		return nil, "no entry of the leader's term is applied yet"
	}
	if n.confIndexLatest > n.appliedIndex || len(n.confState.GetVotersOutgoing()) > 0 {
		return nil, "a configuration change is in progress"
	}
	singles := make([]*pb.ConfChangeSingle, 0, len(change.Steps))
	for _, step := range change.Steps {
		kind, known := stepTypes[step.Action]
		if !known {
			return nil, fmt.Sprintf("an unknown action %q", step.Action)
		}
		if problem := n.stepProblem(step); problem != "" {
			return nil, problem
		}
		singles = append(singles, &pb.ConfChangeSingle{Type: kind.Enum(), NodeId: new(step.Node)})
	}
	if err := n.validateChange(singles); err != nil {
		return nil, err.Error()
	}
	return singles, ""
}

// stepProblem says why one step does not fit the configuration (etcd would take some of these as
// no-ops).
func (n *node) stepProblem(step raftcheck.ChangeStep) string {
	voter := slices.Contains(n.confState.GetVoters(), step.Node)
	learner := slices.Contains(n.confState.GetLearners(), step.Node)
	switch {
	case step.Action == "addVoter" && (voter || learner):
		return fmt.Sprintf("node %d is already a member", step.Node)
	case step.Action == "addLearner" && (voter || learner):
		return fmt.Sprintf("node %d is already a member", step.Node)
	case step.Action == "promote" && !learner:
		return fmt.Sprintf("node %d is not a learner", step.Node)
	case step.Action == "remove" && !voter && !learner:
		return fmt.Sprintf("node %d is not a member", step.Node)
	}
	return ""
}

// validateChange runs etcd's own confchange over a copy of the configuration, as a leader's
// proposal of these steps would be applied.
func (n *node) validateChange(singles []*pb.ConfChangeSingle) error {
	return n.validateApplied(&pb.ConfChangeV2{Transition: pb.ConfChangeTransition_ConfChangeTransitionAuto.Enum(), Changes: singles})
}

// applyConfChange applies a committed configuration entry, first taking the configuration it was
// proposed over when this node knows none (it joined), and returns the change's id.
func (n *node) applyConfChange(e *pb.Entry) (int64, error) {
	change, context, err := confChangeOf(e)
	if err != nil {
		return 0, err
	}
	if len(n.confState.GetVoters()) == 0 && len(n.confState.GetLearners()) == 0 {
		n.adoptConfiguration(context)
	}
	if err := n.validateApplied(change); err != nil {
		return 0, fmt.Errorf("entry %d: a configuration change etcd cannot apply: %w", e.GetIndex(), err)
	}
	n.confState = n.raw.ApplyConfChange(change)
	n.confIndex = e.GetIndex()
	n.confUnapplied = dropThrough(n.confUnapplied, n.confIndex)
	n.configurationChanged = true
	return context.ID, nil
}

// adoptConfiguration builds the configuration a change was proposed over, one node at a time
// (as etcd's own Bootstrap does).
func (n *node) adoptConfiguration(context changeContext) {
	add := func(id uint64, kind pb.ConfChangeType) {
		single := &pb.ConfChangeSingle{Type: kind.Enum(), NodeId: new(id)}
		n.confState = n.raw.ApplyConfChange(&pb.ConfChangeV2{Changes: []*pb.ConfChangeSingle{single}})
	}
	for _, id := range context.Voters {
		add(id, pb.ConfChangeType_ConfChangeAddNode)
	}
	for _, id := range context.Learners {
		add(id, pb.ConfChangeType_ConfChangeAddLearnerNode)
	}
}

// validateApplied checks a change the way etcd's applyConfChange will (over a copy of the
// configuration): what confchange refuses there, etcd panics on.
func (n *node) validateApplied(change *pb.ConfChangeV2) error {
	last, _ := n.storage.LastIndex()
	changer := confchange.Changer{Tracker: tracker.MakeProgressTracker(1, 0), LastIndex: last}
	config, progress, err := confchange.Restore(changer, n.confState)
	if err != nil {
		return err
	}
	changer.Tracker.Config, changer.Tracker.Progress = config, progress
	if change.LeaveJoint() {
		_, _, err = changer.LeaveJoint()
	} else if autoLeave, ok := change.EnterJoint(); ok {
		_, _, err = changer.EnterJoint(autoLeave, change.GetChanges()...)
	} else {
		_, _, err = changer.Simple(change.GetChanges()...)
	}
	return err
}

// configurationView is the view's configurations: etcd's, once applied, is the latest in force
// and committed alike.
func (n *node) configurationView() *raftcheck.ConfigurationView {
	c := confStateRecordOf(n.confState).configuration()
	return &raftcheck.ConfigurationView{Latest: c, LatestIndex: n.confIndex, Committed: c, CommittedIndex: n.confIndex}
}

// promotable: a voter of the configuration it knows (etcd's own test; a joining or removed node
// or a learner never campaigns).
func (n *node) promotable() bool {
	return slices.Contains(n.confState.GetVoters(), n.id) || slices.Contains(n.confState.GetVotersOutgoing(), n.id)
}
