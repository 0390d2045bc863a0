package main

import (
	"strings"
	"testing"
)

// withFeatures is testOptions with the named features switched on.
func withFeatures(preVote, checkQuorum, leaseReads bool) options {
	o := testOptions
	o.PreVote, o.CheckQuorum, o.LeaseReads = preVote, checkQuorum, leaseReads
	return o
}

// tickIsolated ticks one node alone (it hears nothing and nobody hears it) for n ticks.
func (c *testCluster) tickIsolated(id uint64, n int) {
	c.isolated[id] = true
	for i := 0; i < n; i++ {
		c.send(id, map[string]any{"kind": "tick"})
	}
	c.settle() // drops what it sent
}

func aFollowerOf(c *testCluster, leader uint64) uint64 {
	for _, id := range c.members {
		if id != leader {
			return id
		}
	}
	return 0
}

func TestWithPreVoteAnIsolatedFollowerDoesNotRaiseItsTerm(t *testing.T) {
	for _, preVote := range []bool{false, true} {
		c := newTestClusterWith(t, 11, withFeatures(preVote, false, false))
		leader := c.tickUntilLeader()
		follower := aFollowerOf(c, leader)
		before := c.states[follower].Term
		c.tickIsolated(follower, 5*testOptions.ElectionTicksMax)
		raised := c.states[follower].Term > before
		if raised == preVote {
			t.Fatalf("preVote %v: the isolated follower went from term %d to %d", preVote, before, c.states[follower].Term)
		}
	}
}

func TestWithCheckQuorumAnIsolatedLeaderStepsDown(t *testing.T) {
	for _, checkQuorum := range []bool{false, true} {
		c := newTestClusterWith(t, 12, withFeatures(false, checkQuorum, false))
		leader := c.tickUntilLeader()
		c.tickIsolated(leader, 3*testOptions.ElectionTicksMin)
		stillLeads := c.states[leader].Role == "leader"
		if stillLeads == checkQuorum {
			t.Fatalf("checkQuorum %v: the isolated leader's role is %s", checkQuorum, c.states[leader].Role)
		}
	}
}

func TestWithCheckQuorumAFollowerThatHearsTheLeaderIgnoresAVoteRequestOfAHigherTerm(t *testing.T) {
	c := newTestClusterWith(t, 13, withFeatures(false, true, false))
	leader := c.tickUntilLeader()
	follower := aFollowerOf(c, leader)
	// The follower campaigns on its own (as if its timer fired during a brief partition); the
	// others heard from the leader within the election timeout and do not vote for it.
	c.isolated[follower] = true
	if err := c.sessions[follower].node.raw.Campaign(); err != nil {
		t.Fatal(err)
	}
	c.send(follower, map[string]any{"kind": "tick"}) // carries the vote requests out
	c.isolated[follower] = false
	c.settle()
	if c.states[leader].Role != "leader" {
		t.Fatalf("the leader was deposed by a vote request within its followers' lease (now %s)", c.states[leader].Role)
	}
}

func TestALeaseReadIsAnsweredInTheOutputOfTheReadItself(t *testing.T) {
	for _, leaseReads := range []bool{false, true} {
		c := newTestClusterWith(t, 14, withFeatures(false, false, leaseReads))
		leader := c.tickUntilLeader()
		c.propose(leader, 1, "set", "k1", "v1")
		c.settle()
		out := c.send(leader, map[string]any{"kind": "read", "command": map[string]any{"id": 2, "op": "get", "key": "k1"}})
		answered := len(out.Answers) == 1 && out.Answers[0]["kind"] == "read" && out.Answers[0]["value"] == "v1"
		if answered != leaseReads {
			t.Fatalf("leaseReads %v: the read's own output answered %v", leaseReads, out.Answers)
		}
		c.heartbeat()
		if answer := c.answerTo(2); answer == nil || answer["value"] != "v1" {
			t.Fatalf("leaseReads %v: the read was answered %v", leaseReads, answer)
		}
	}
}

func transfer(c *testCluster, to uint64, id int64, target uint64) map[string]any {
	out := c.send(to, map[string]any{"kind": "transferLeadership", "transfer": map[string]any{"id": id, "target": target}})
	if len(out.Answers) != 1 {
		c.t.Fatalf("a transfer was answered %v", out.Answers)
	}
	return out.Answers[0]
}

func TestALeadershipTransferIsAcceptedAndHandsLeadershipToTheTarget(t *testing.T) {
	c := newTestCluster(t, 15)
	leader := c.tickUntilLeader()
	target := aFollowerOf(c, leader)
	term := c.states[leader].Term
	answer := transfer(c, leader, 30, target)
	if answer["kind"] != "transferAccepted" || answer["term"] != float64(term) {
		t.Fatalf("the transfer was answered %v", answer)
	}
	c.settle()
	if c.states[target].Role != "leader" || c.states[leader].Role != "follower" {
		t.Fatalf("after the transfer the target is %s and the old leader %s", c.states[target].Role, c.states[leader].Role)
	}
}

func TestATransferIsRejectedOrRedirectedWhenItCannotStart(t *testing.T) {
	c := newTestCluster(t, 16)
	leader := c.tickUntilLeader()
	follower := aFollowerOf(c, leader)
	if answer := transfer(c, leader, 31, leader); answer["kind"] != "rejected" || !strings.Contains(answer["reason"].(string), "itself") {
		t.Fatalf("a transfer to the leader itself was answered %v", answer)
	}
	if answer := transfer(c, leader, 32, 9); answer["kind"] != "rejected" || !strings.Contains(answer["reason"].(string), "not a voter") {
		t.Fatalf("a transfer to an unknown node was answered %v", answer)
	}
	if answer := transfer(c, follower, 33, leader); answer["kind"] != "notLeader" || answer["leaderHint"] != float64(leader) {
		t.Fatalf("a transfer sent to a follower was answered %v", answer)
	}
	// The target hears nothing, so the transfer stays in progress: a second is refused, and so
	// are proposals, with the target as the hint.
	c.isolated[follower] = true
	if answer := transfer(c, leader, 34, follower); answer["kind"] != "transferAccepted" {
		t.Fatalf("the transfer was answered %v", answer)
	}
	if answer := transfer(c, leader, 35, follower); answer["kind"] != "rejected" || !strings.Contains(answer["reason"].(string), "in progress") {
		t.Fatalf("a second transfer was answered %v", answer)
	}
	if out := c.propose(leader, 36, "set", "k1", "v"); out.Answers[0]["kind"] != "notLeader" || out.Answers[0]["leaderHint"] != float64(follower) {
		t.Fatalf("a proposal during the transfer was answered %v", out.Answers)
	}
	// etcd abandons it after an election timeout, and takes proposals again.
	for i := 0; i < testOptions.ElectionTicksMin; i++ {
		c.send(leader, map[string]any{"kind": "tick"})
	}
	if out := c.propose(leader, 37, "set", "k1", "v"); out.Answers[0]["kind"] != "accepted" {
		t.Fatalf("a proposal after the transfer was abandoned was answered %v", out.Answers)
	}
}
