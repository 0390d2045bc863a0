package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// join starts a node that knows no configuration (start with no members) and ticks it from then on.
func (c *testCluster) join(id uint64) {
	c.sessions[id] = newSession(newLogger(""))
	if _, err := c.sessions[id].handle([]byte(`{"kind":"hello","protocol":2}`)); err != nil {
		c.t.Fatal(err)
	}
	start, _ := json.Marshal(map[string]any{"kind": "start", "id": id, "members": []uint64{}, "seed": 5, "records": []any{}, "options": c.options})
	c.send(id, json.RawMessage(start))
	c.members = append(c.members, id)
}

func (c *testCluster) change(to uint64, id int64, steps ...string) map[string]any {
	var parsed []map[string]any
	for _, step := range steps {
		action, node, _ := strings.Cut(step, " ")
		var number uint64
		fmt.Sscan(node, &number)
		parsed = append(parsed, map[string]any{"action": action, "node": number})
	}
	out := c.send(to, map[string]any{"kind": "changeMembership", "change": map[string]any{"id": id, "steps": parsed}})
	if len(out.Answers) != 1 {
		c.t.Fatalf("a change was answered %v", out.Answers)
	}
	return out.Answers[0]
}

// configurationOf is the configuration node id last showed in its view.
func (c *testCluster) configurationOf(id uint64) string {
	v := c.configurations[id]
	if v == nil {
		return "none"
	}
	return fmt.Sprintf("voters %v learners %v outgoing %v at %d", v.Latest.Voters, v.Latest.Learners, v.Latest.VotersOutgoing, v.LatestIndex)
}

func TestALearnerJoinsCatchesUpAndIsPromotedOneChangeAtATime(t *testing.T) {
	c := newTestCluster(t, 31)
	leader := c.tickUntilLeader()
	c.proposeMany(leader, 1, 3)
	c.join(4)
	answer := c.change(leader, 40, "addLearner 4")
	if answer["kind"] != "accepted" {
		t.Fatalf("adding a learner was answered %v", answer)
	}
	// A second change while the first is unapplied is refused (etcd would turn it into an empty entry).
	if again := c.change(leader, 41, "promote 4"); again["kind"] != "rejected" || !strings.Contains(again["reason"].(string), "in progress") {
		t.Fatalf("a change during a change was answered %v", again)
	}
	c.settle()
	c.heartbeat()
	if got := c.configurationOf(leader); got != fmt.Sprintf("voters [1 2 3] learners [4] outgoing [] at %v", answer["index"]) {
		t.Fatalf("after adding the learner the leader shows %s", got)
	}
	if c.states[4].AppliedIndex != c.states[leader].AppliedIndex || c.configurationOf(4) != c.configurationOf(leader) || c.states[4].Role != "follower" {
		t.Fatalf("the learner applied %d (leader %d) and shows %s", c.states[4].AppliedIndex, c.states[leader].AppliedIndex, c.configurationOf(4))
	}
	if applied := appliedCommand(c.applied[4], 40); applied == nil || applied.Index != uint64(answer["index"].(float64)) {
		t.Fatalf("the learner applied the change as %+v", applied)
	}
	if promoted := c.change(leader, 42, "promote 4"); promoted["kind"] != "accepted" {
		t.Fatalf("the promotion was answered %v", promoted)
	}
	c.settle()
	c.heartbeat()
	if got := c.configurationOf(4); !strings.HasPrefix(got, "voters [1 2 3 4] learners [] outgoing []") {
		t.Fatalf("after the promotion node 4 shows %s", got)
	}
}

func TestAJointChangeIsEnteredAndLeftOnItsOwn(t *testing.T) {
	c := newTestCluster(t, 32)
	leader := c.tickUntilLeader()
	c.proposeMany(leader, 1, 2)
	c.join(4)
	removed := aFollowerOf(c, leader)
	answer := c.change(leader, 50, "addVoter 4", fmt.Sprintf("remove %d", removed))
	if answer["kind"] != "accepted" {
		t.Fatalf("the joint change was answered %v", answer)
	}
	c.settle()
	c.heartbeat()
	c.settle()
	c.heartbeat()
	want := []uint64{1, 2, 3, 4}
	want = slices.DeleteFunc(want, func(id uint64) bool { return id == removed })
	if got := c.configurationOf(leader); !strings.HasPrefix(got, fmt.Sprintf("voters %v learners [] outgoing []", want)) {
		t.Fatalf("after the joint change the leader shows %s", got)
	}
	// The leave entry is etcd's own: command id 0, after the change's entry.
	index := uint64(answer["index"].(float64))
	var leave *appliedEntry
	for i := range c.applied[leader] {
		if c.applied[leader][i].Index == index+1 {
			leave = &c.applied[leader][i]
		}
	}
	if leave == nil || leave.CommandID != 0 || c.configurations[leader].LatestIndex != index+1 {
		t.Fatalf("the entry after the joint one is %+v, the configuration is at %d", leave, c.configurations[leader].LatestIndex)
	}
}

func TestALeaderThatRemovesItselfStepsDownAndTheRestElectAnother(t *testing.T) {
	c := newTestCluster(t, 33)
	leader := c.tickUntilLeader()
	c.proposeMany(leader, 1, 2)
	if answer := c.change(leader, 60, fmt.Sprintf("remove %d", leader)); answer["kind"] != "accepted" {
		t.Fatalf("removing the leader was answered %v", answer)
	}
	c.settle()
	c.heartbeat()
	if c.states[leader].Role == "leader" {
		t.Fatal("the removed leader still leads")
	}
	c.members = slices.DeleteFunc(c.members, func(id uint64) bool { return id == leader })
	next := c.tickUntilLeader()
	if next == leader {
		t.Fatal("the removed node leads again")
	}
	c.proposeMany(next, 70, 1)
	if appliedCommand(c.applied[next], 70) == nil {
		t.Fatal("the new leader did not commit a proposal with two voters")
	}
}

func TestAChangeThatDoesNotFitIsRejectedAndAFollowerRedirects(t *testing.T) {
	c := newTestCluster(t, 34)
	leader := c.tickUntilLeader()
	c.proposeMany(leader, 1, 1)
	follower := aFollowerOf(c, leader)
	for _, tc := range []struct {
		steps  []string
		reason string
	}{
		{nil, "without steps"},
		{[]string{"promote 2"}, "not a learner"},
		{[]string{"remove 9"}, "not a member"},
		{[]string{fmt.Sprintf("addVoter %d", follower)}, "already a member"},
		{[]string{"remove 1", "remove 2", "remove 3"}, "removed all voters"},
	} {
		answer := c.change(leader, 80, tc.steps...)
		if answer["kind"] != "rejected" || !strings.Contains(answer["reason"].(string), tc.reason) {
			t.Errorf("%v was answered %v, want rejected for %q", tc.steps, answer, tc.reason)
		}
	}
	if answer := c.change(follower, 81, "addLearner 4"); answer["kind"] != "notLeader" || answer["leaderHint"] != float64(leader) {
		t.Fatalf("a change sent to a follower was answered %v", answer)
	}
}

func TestANodeRestartsIntoTheConfigurationItsLogAndSnapshotSay(t *testing.T) {
	c := newTestClusterWith(t, 35, withSnapshots(3))
	leader := c.tickUntilLeader()
	c.join(4)
	c.change(leader, 90, "addVoter 4")
	c.settle()
	c.proposeMany(leader, 1, 6)
	for _, id := range []uint64{leader, 4} {
		// The index may move from the entry to a snapshot that holds it; the configuration may not.
		before, _, _ := strings.Cut(c.configurationOf(id), " at ")
		c.start(id)
		if after, _, _ := strings.Cut(c.configurationOf(id), " at "); after != before || after != "voters [1 2 3 4] learners [] outgoing []" {
			t.Fatalf("node %d showed %s before a restart and %s after", id, before, after)
		}
	}
}
