package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func withAsyncStorageWrites() options {
	o := testOptions
	o.AsyncStorageWrites = true
	return o
}

// localWorkOf is the local work of an output, by thread.
func localWorkOf(out testOutput, thread string) []outboundMessage {
	var work []outboundMessage
	for _, m := range out.Messages {
		if m.Message.Local == thread {
			work = append(work, m)
		}
	}
	return work
}

func sentOfType(out testOutput, kind string) int {
	count := 0
	for _, m := range out.Messages {
		if m.Message.Local == "" && m.Message.Type == kind {
			count++
		}
	}
	return count
}

func TestWithAsyncStorageWritesAProposalIsPersistedAndAppliedThroughTheLocalThreads(t *testing.T) {
	c := newTestClusterWith(t, 2, withAsyncStorageWrites())
	leader := c.tickUntilLeader()
	out := c.propose(leader, 101, "set", "k1", "v1")
	if len(out.Answers) != 1 || out.Answers[0]["kind"] != "accepted" {
		t.Fatalf("proposal not accepted: %v", out.Answers)
	}
	if len(out.Records) != 0 || len(localWorkOf(out, "append")) != 1 {
		t.Fatalf("the leader persisted within the proposal (%d records) or handed %d append works", len(out.Records), len(localWorkOf(out, "append")))
	}
	c.settle()
	c.heartbeat()
	for _, id := range c.members {
		if appliedCommand(c.applied[id], 101) == nil {
			t.Fatalf("node %d never applied the set: %+v", id, c.applied[id])
		}
		if !strings.Contains(string(joinRecords(c.records[id])), `\"id\":101`) {
			t.Fatalf("node %d's records never held the set", id)
		}
	}
}

func joinRecords(records []json.RawMessage) []byte {
	var all []byte
	for _, r := range records {
		all = append(all, r...)
	}
	return all
}

func TestWithAsyncStorageWritesAFollowerAcknowledgesOnlyOnceItsAppendThreadWroteAndSynced(t *testing.T) {
	c := newTestClusterWith(t, 3, withAsyncStorageWrites())
	leader := c.tickUntilLeader()
	c.propose(leader, 201, "set", "a", "1")
	follower := aFollowerOf(c, leader)
	var out testOutput
	for len(c.network) > 0 {
		m, from := c.network[0], c.senders[0]
		c.network, c.senders = c.network[1:], c.senders[1:]
		out = c.send(m.To, map[string]any{"kind": "deliver", "from": from, "message": m.Message})
		if m.To == follower && m.Message.Type == "MsgApp" {
			break
		}
	}
	if sentOfType(out, "MsgAppResp") != 0 || len(out.Records) != 0 || len(localWorkOf(out, "append")) != 1 {
		t.Fatalf("the follower answered the MsgApp with %d MsgAppResp and %d records, %d append works", sentOfType(out, "MsgAppResp"), len(out.Records), len(localWorkOf(out, "append")))
	}
	work := c.local[follower][len(c.local[follower])-1]
	c.local[follower] = c.local[follower][:len(c.local[follower])-1]
	done := c.send(follower, map[string]any{"kind": "deliver", "from": follower, "message": work.Message})
	if len(done.Records) != 1 || !done.Sync || sentOfType(done, "MsgAppResp") != 1 {
		t.Fatalf("the append work wrote %d records (sync %v) and sent %d MsgAppResp", len(done.Records), done.Sync, sentOfType(done, "MsgAppResp"))
	}
}

func TestLocalWorkLostInACrashLeavesNoRecordAndTheNodeCatchesUpAfterARestart(t *testing.T) {
	c := newTestClusterWith(t, 4, withAsyncStorageWrites())
	leader := c.tickUntilLeader()
	c.settle()
	victim := aFollowerOf(c, leader)
	recordsBefore := len(c.records[victim])
	c.propose(leader, 301, "set", "b", "2")
	for len(c.network) > 0 { // deliver the appends, but leave the local work undone
		m, from := c.network[0], c.senders[0]
		c.network, c.senders = c.network[1:], c.senders[1:]
		c.send(m.To, map[string]any{"kind": "deliver", "from": from, "message": m.Message})
	}
	if len(c.local[victim]) == 0 {
		t.Fatal("the follower handed no work to its local threads")
	}
	c.sessions[victim] = nil // crash: its local threads die with it
	if len(c.records[victim]) != recordsBefore {
		t.Fatalf("the follower wrote %d records before its append thread ran", len(c.records[victim])-recordsBefore)
	}
	c.start(victim)
	c.settle()
	c.heartbeat()
	c.heartbeat()
	for _, id := range c.members {
		if appliedCommand(c.applied[id], 301) == nil {
			t.Fatalf("node %d never applied the set", id)
		}
	}
}

func TestWithAsyncStorageWritesTheSameInputsGiveByteIdenticalOutputs(t *testing.T) {
	run := func() string {
		c := newTestClusterWith(t, 5, withAsyncStorageWrites())
		leader := c.tickUntilLeader()
		for i := int64(0); i < 6; i++ {
			c.propose(leader, 400+i, "set", "k", "v")
		}
		c.settle()
		c.heartbeat()
		return c.transcript.String()
	}
	first := run()
	if first != run() {
		t.Fatal("two runs over the same inputs answered differently")
	}
	if !strings.Contains(first, `"local":"apply"`) || !strings.Contains(first, `"local":"append"`) {
		t.Fatal("the run handed no work to the append or the apply thread")
	}
}

func TestTheCommitIndexShownStopsShortOfTheFirstUnappliedConfigurationEntry(t *testing.T) {
	n := &node{async: true, confUnapplied: []uint64{5, 9}}
	for _, c := range []struct{ commit, shown uint64 }{{3, 3}, {4, 4}, {5, 4}, {12, 4}} {
		if got := n.commitIndexShown(c.commit); got != c.shown {
			t.Fatalf("commit %d shown as %d, expected %d", c.commit, got, c.shown)
		}
	}
	n.confUnapplied = dropThrough(n.confUnapplied, 5) // entry 5 applied
	if got := n.commitIndexShown(12); got != 8 {
		t.Fatalf("commit 12 shown as %d once entry 5 is applied, expected 8", got)
	}
	n.confUnapplied = dropFrom(n.confUnapplied, 7) // the log overwritten from 7 on
	if got := n.commitIndexShown(12); got != 12 || len(n.confUnapplied) != 0 {
		t.Fatalf("commit 12 shown as %d with %v unapplied, expected 12 and none", got, n.confUnapplied)
	}
}
