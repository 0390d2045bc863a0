// Tests drive three adapter sessions in process through the same JSON lines the harness sends,
// with a tiny harness of their own: a FIFO network, storage that keeps every record, and a
// transcript of every output line so that determinism is a byte comparison.

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/raftcheck/adapters/raftcheck-go"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

var testOptions = options{ElectionTicksMin: 10, ElectionTicksMax: 20, HeartbeatTicks: 2, EntriesPerMessageMax: 4}

// decoded output, as the tests read it.
type testOutput struct {
	Messages          []outboundMessage `json:"messages"`
	Records           []json.RawMessage `json:"records"`
	Sync              bool              `json:"sync"`
	Applied           []appliedEntry    `json:"applied"`
	Answers           []map[string]any  `json:"answers"`
	State             *stateView        `json:"state"`
	SnapshotInstalled *snapshotView     `json:"snapshotInstalled"`
	SnapshotTaken     *snapshotView     `json:"snapshotTaken"`
}

type testCluster struct {
	t        *testing.T
	members  []uint64
	seed     int64
	sessions map[uint64]*session
	records  map[uint64][]json.RawMessage
	logs     map[uint64][]logEntryView // each node's log, rebuilt from the view deltas
	applied  map[uint64][]appliedEntry
	states   map[uint64]*stateView
	answers  []map[string]any // every answer of every node, in order
	network  []outboundMessage
	senders  []uint64
	// local is each node's local work (feature asyncStorageWrites) not yet handed back, in order.
	local      map[uint64][]outboundMessage
	transcript bytes.Buffer
	options    options
	taken      map[uint64][]*snapshotView // the snapshots each node took, in order
	// configurations are the latest each node showed in its view.
	configurations map[uint64]*raftcheck.ConfigurationView
	// isolated nodes neither send nor receive (their messages are dropped as they would be sent).
	isolated map[uint64]bool
}

func newTestCluster(t *testing.T, seed int64) *testCluster {
	return newTestClusterWith(t, seed, testOptions)
}

// newTestClusterWith starts three nodes with these options (features switched on, say).
func newTestClusterWith(t *testing.T, seed int64, o options) *testCluster {
	c := &testCluster{
		t: t, members: []uint64{1, 2, 3}, seed: seed, options: o, isolated: map[uint64]bool{}, taken: map[uint64][]*snapshotView{}, configurations: map[uint64]*raftcheck.ConfigurationView{},
		sessions: map[uint64]*session{}, records: map[uint64][]json.RawMessage{}, local: map[uint64][]outboundMessage{},
		logs: map[uint64][]logEntryView{}, applied: map[uint64][]appliedEntry{}, states: map[uint64]*stateView{},
	}
	for _, id := range c.members {
		c.start(id)
	}
	return c
}

// send hands one input line to a node and records what it answers.
func (c *testCluster) send(id uint64, in any) testOutput {
	c.t.Helper()
	line, err := json.Marshal(in)
	if err != nil {
		c.t.Fatal(err)
	}
	answer, err := c.sessions[id].handle(line)
	if err != nil {
		c.t.Fatalf("node %d, input %s: %v", id, line, err)
	}
	fmt.Fprintf(&c.transcript, "%d< %s\n%d> %s\n", id, line, id, answer)
	var out testOutput
	if err := json.Unmarshal(answer, &out); err != nil {
		c.t.Fatalf("node %d answered with something that is not an output: %v: %s", id, err, answer)
	}
	c.records[id] = append(c.records[id], out.Records...)
	for _, m := range out.Messages {
		if m.To == id && m.Message.Local != "" {
			c.local[id] = append(c.local[id], m)
			continue
		}
		if m.To == id {
			c.t.Fatalf("node %d sent %s to itself", id, m.Message.Type)
		}
		c.network = append(c.network, m)
		c.senders = append(c.senders, id)
	}
	c.applied[id] = append(c.applied[id], out.Applied...)
	c.answers = append(c.answers, out.Answers...)
	if out.State == nil {
		c.t.Fatalf("node %d answered without a state view", id)
	}
	if out.SnapshotTaken != nil {
		c.taken[id] = append(c.taken[id], out.SnapshotTaken)
	}
	if installed := out.SnapshotInstalled; installed != nil {
		// The entries up to the snapshot are known to the tests only by its term at its index.
		log := make([]logEntryView, installed.Index)
		copy(log, c.logs[id])
		log[installed.Index-1] = logEntryView{Term: installed.Term}
		c.logs[id] = log
	}
	if delta := out.State.Log; delta != nil {
		if delta.From < 1 || int(delta.From) > len(c.logs[id])+1 {
			c.t.Fatalf("node %d sent a log delta from %d past its log of %d", id, delta.From, len(c.logs[id]))
		}
		c.logs[id] = append(c.logs[id][:delta.From-1:delta.From-1], delta.Entries...)
	}
	c.states[id] = out.State
	if out.State.Configuration != nil {
		c.configurations[id] = out.State.Configuration
	}
	return out
}

// start starts (or restarts) a node over the records it wrote so far (all synced here).
func (c *testCluster) start(id uint64) testOutput {
	c.sessions[id] = newSession(newLogger(""))
	c.applied[id] = nil
	c.local[id] = nil // the local threads died with the node
	if _, err := c.sessions[id].handle([]byte(`{"kind":"hello","protocol":1}`)); err != nil {
		c.t.Fatal(err)
	}
	records := append([]json.RawMessage{}, c.records[id]...)
	start := map[string]any{
		"kind": "start", "id": id, "members": c.members, "seed": c.seed + int64(id)*7919,
		"records": records, "options": c.options,
	}
	return c.send(id, start)
}

// settle delivers messages in FIFO order, and hands local work back, until nothing is left.
func (c *testCluster) settle() {
	for steps := 0; len(c.network) > 0 || c.doLocalWork(); steps++ {
		if steps > 10000 {
			c.t.Fatal("the network never went quiet")
		}
		if len(c.network) == 0 {
			continue
		}
		m, from := c.network[0], c.senders[0]
		c.network, c.senders = c.network[1:], c.senders[1:]
		if c.sessions[m.To] == nil || c.isolated[m.To] || c.isolated[from] {
			continue // a crashed or isolated node
		}
		c.send(m.To, map[string]any{"kind": "deliver", "from": from, "message": m.Message})
	}
}

// doLocalWork hands every live node's local work back to it, oldest first; whether there was any.
func (c *testCluster) doLocalWork() bool {
	handed := false
	for _, id := range c.members {
		for c.sessions[id] != nil && len(c.local[id]) > 0 {
			m := c.local[id][0]
			c.local[id] = c.local[id][1:]
			c.send(id, map[string]any{"kind": "deliver", "from": id, "message": m.Message})
			handed = true
		}
	}
	return handed
}

// tickUntilLeader ticks every live node in turn until one of them leads.
func (c *testCluster) tickUntilLeader() uint64 {
	for round := 0; round < 200; round++ {
		for _, id := range c.members {
			if c.sessions[id] != nil {
				c.send(id, map[string]any{"kind": "tick"})
			}
		}
		c.settle()
		for _, id := range c.members {
			if c.sessions[id] != nil && c.states[id].Role == "leader" {
				return id
			}
		}
	}
	c.t.Fatal("no leader after 200 rounds of ticks")
	return 0
}

func (c *testCluster) propose(leader uint64, id int64, op, key, value string) testOutput {
	command := map[string]any{"id": id, "op": op, "key": key}
	if value != "" {
		command["value"] = value
	}
	return c.send(leader, map[string]any{"kind": "propose", "command": command})
}

// heartbeat ticks every live node a few times (so the leader's heartbeats carry the commit index).
func (c *testCluster) heartbeat() {
	for i := 0; i < testOptions.HeartbeatTicks; i++ {
		for _, id := range c.members {
			if c.sessions[id] != nil {
				c.send(id, map[string]any{"kind": "tick"})
			}
		}
		c.settle()
	}
}

func appliedCommand(entries []appliedEntry, commandID int64) *appliedEntry {
	for i := range entries {
		if entries[i].CommandID == commandID {
			return &entries[i]
		}
	}
	return nil
}

func TestHelloAnswersProtocol2WithTheRaftVersionAndTheFeaturesWired(t *testing.T) {
	s := newSession(newLogger(""))
	answer, err := s.handle([]byte(`{"kind":"hello","protocol":2}`))
	if err != nil {
		t.Fatal(err)
	}
	var hello struct {
		Protocol    int       `json:"protocol"`
		Name        string    `json:"name"`
		Version     string    `json:"version"`
		Restartable bool      `json:"restartable"`
		Features    *[]string `json:"features"`
		DriftMax    *float64  `json:"leaseDriftMax"`
		Guards      []string  `json:"removedNodeGuards"`
	}
	if err := json.Unmarshal(answer, &hello); err != nil {
		t.Fatal(err)
	}
	if hello.Protocol != 2 || hello.Name != "etcd-raft" || hello.Version == "" || !hello.Restartable || hello.Features == nil || strings.Join(*hello.Features, ",") != "membership,snapshots,preVote,checkQuorum,leadershipTransfer,leaseReads,asyncStorageWrites" || hello.DriftMax == nil || *hello.DriftMax != 0.1 || strings.Join(hello.Guards, ",") != "checkQuorum,preVote" {
		t.Fatalf("unexpected hello answer %s", answer)
	}
}

func TestAClusterElectsOneLeaderThroughTicks(t *testing.T) {
	c := newTestCluster(t, 1)
	leader := c.tickUntilLeader()
	leaders := 0
	for _, id := range c.members {
		if c.states[id].Role == "leader" {
			leaders++
		}
	}
	if leaders != 1 {
		t.Fatalf("%d leaders", leaders)
	}
	// The leader's empty entry of its term is committed and applied everywhere.
	c.heartbeat()
	for _, id := range c.members {
		if c.states[id].CommitIndex < 1 || c.states[id].AppliedIndex != c.states[id].CommitIndex {
			t.Fatalf("node %d: commit %d applied %d", id, c.states[id].CommitIndex, c.states[id].AppliedIndex)
		}
		if lead := c.states[id].LeaderHint; lead == nil || *lead != leader {
			t.Fatalf("node %d does not know leader %d", id, leader)
		}
	}
}

func TestAProposalIsReplicatedCommittedAndAppliedOnEveryNode(t *testing.T) {
	c := newTestCluster(t, 2)
	leader := c.tickUntilLeader()
	out := c.propose(leader, 101, "set", "k1", "v1")
	if len(out.Answers) != 1 || out.Answers[0]["kind"] != "accepted" {
		t.Fatalf("proposal not accepted: %v", out.Answers)
	}
	index := uint64(out.Answers[0]["index"].(float64))
	c.settle()
	c.propose(leader, 102, "get", "k1", "")
	c.settle()
	c.heartbeat()
	for _, id := range c.members {
		set := appliedCommand(c.applied[id], 101)
		if set == nil || set.Index != index || string(set.Result) != "null" {
			t.Fatalf("node %d applied %+v for the set at %d", id, set, index)
		}
		get := appliedCommand(c.applied[id], 102)
		if get == nil || string(get.Result) != `"v1"` {
			t.Fatalf("node %d applied %+v for the get", id, get)
		}
		if got := c.logs[id][index-1].CommandID; got != 101 {
			t.Fatalf("node %d's log view holds command %d at %d", id, got, index)
		}
	}
	follower := c.members[0]
	if follower == leader {
		follower = c.members[1]
	}
	refused := c.propose(follower, 103, "set", "k2", "v2")
	if refused.Answers[0]["kind"] != "notLeader" || refused.Answers[0]["leaderHint"] != float64(leader) {
		t.Fatalf("follower answered %v", refused.Answers)
	}
}

func (c *testCluster) answerTo(commandID int64) map[string]any {
	for _, answer := range c.answers {
		if answer["commandId"] == float64(commandID) {
			return answer
		}
	}
	return nil
}

func TestAReadIsServedByReadIndexAfterAQuorumConfirmsTheLeader(t *testing.T) {
	c := newTestCluster(t, 7)
	leader := c.tickUntilLeader()
	c.propose(leader, 501, "set", "r", "x")
	c.settle()
	out := c.send(leader, map[string]any{"kind": "read", "command": map[string]any{"id": 502, "op": "get", "key": "r"}})
	if len(out.Answers) != 0 {
		t.Fatalf("a read was answered before any peer confirmed the leader: %v", out.Answers)
	}
	c.settle() // the heartbeat round that carries the read's context
	answer := c.answerTo(502)
	if answer == nil || answer["kind"] != "read" || answer["value"] != "x" {
		t.Fatalf("read answered %v", answer)
	}
	follower := leader%3 + 1
	refused := c.send(follower, map[string]any{"kind": "read", "command": map[string]any{"id": 503, "op": "get", "key": "r"}})
	if refused.Answers[0]["kind"] != "notLeader" || refused.Answers[0]["leaderHint"] != float64(leader) {
		t.Fatalf("follower answered the read with %v", refused.Answers)
	}
}

func TestAReadPendingWhenTheLeaderStepsDownIsRefused(t *testing.T) {
	c := newTestCluster(t, 8)
	leader := c.tickUntilLeader()
	c.heartbeat()
	c.send(leader, map[string]any{"kind": "read", "command": map[string]any{"id": 601, "op": "get", "key": "r"}})
	c.network, c.senders = nil, nil // the heartbeats carrying the read are lost
	// A follower times out and wins a newer term; the old leader hears of it and steps down.
	others := []uint64{}
	for _, id := range c.members {
		if id != leader {
			others = append(others, id)
		}
	}
	for round := 0; c.answerTo(601) == nil && round < 100; round++ {
		for _, id := range others {
			c.send(id, map[string]any{"kind": "tick"})
		}
		c.settle()
	}
	answer := c.answerTo(601)
	if answer == nil || answer["kind"] != "notLeader" {
		t.Fatalf("the deposed leader answered its pending read with %v", answer)
	}
}

func TestARestartedNodeRebuildsItsLogAndCatchesUp(t *testing.T) {
	c := newTestCluster(t, 3)
	leader := c.tickUntilLeader()
	c.propose(leader, 201, "set", "a", "1")
	c.settle()
	c.heartbeat()
	victim := c.members[0]
	if victim == leader {
		victim = c.members[1]
	}
	before := append([]logEntryView{}, c.logs[victim]...)
	term := c.states[victim].Term
	c.sessions[victim] = nil // crash
	c.propose(leader, 202, "set", "b", "2")
	c.settle()

	out := c.start(victim)
	if out.State.Log == nil || out.State.Log.From != 1 {
		t.Fatalf("start did not send the whole log: %+v", out.State.Log)
	}
	if fmt.Sprint(out.State.Log.Entries) != fmt.Sprint(before) || out.State.Term != term {
		t.Fatalf("restarted log %v term %d, was %v term %d", out.State.Log.Entries, out.State.Term, before, term)
	}
	if appliedCommand(out.Applied, 201) == nil {
		t.Fatalf("the restarted node did not apply its committed entries again: %+v", out.Applied)
	}
	c.heartbeat()
	c.heartbeat()
	if appliedCommand(c.applied[victim], 202) == nil {
		t.Fatalf("the restarted node never applied the entry it missed: %+v", c.applied[victim])
	}
}

func TestEveryPrefixOfTheRecordsRestarts(t *testing.T) {
	c := newTestCluster(t, 4)
	leader := c.tickUntilLeader()
	for i := int64(0); i < 6; i++ {
		c.propose(leader, 300+i, "set", "k", fmt.Sprint(i))
		c.settle()
	}
	c.heartbeat()
	all := c.records[leader]
	for keep := 0; keep <= len(all); keep++ {
		s := newSession(newLogger(""))
		s.handle([]byte(`{"kind":"hello","protocol":1}`))
		start, _ := json.Marshal(map[string]any{"kind": "start", "id": leader, "members": c.members, "seed": 1, "records": all[:keep], "options": testOptions})
		if _, err := s.handle(start); err != nil {
			t.Fatalf("restart over %d of %d records: %v", keep, len(all), err)
		}
	}
}

func TestTheSameInputsGiveByteIdenticalOutputs(t *testing.T) {
	run := func(seed int64) string {
		c := newTestCluster(t, seed)
		leader := c.tickUntilLeader()
		for i := int64(0); i < 10; i++ {
			c.propose(leader, 400+i, []string{"set", "get", "del"}[i%3], fmt.Sprintf("k%d", i%2), fmt.Sprint("v", i))
			if i%3 == 0 {
				c.settle()
			}
		}
		c.settle()
		victim := leader%3 + 1
		c.sessions[victim] = nil
		c.heartbeat()
		c.start(victim)
		c.tickUntilLeader()
		c.heartbeat()
		return c.transcript.String()
	}
	first, second := run(5), run(5)
	if first != second {
		t.Fatal("two runs over the same inputs answered differently")
	}
	if other := run(6); other == first {
		t.Fatal("a different seed changed nothing: is the seed used?")
	}
	if !strings.Contains(first, `"kind":"accepted"`) {
		t.Fatal("the scripted run never had a proposal accepted")
	}
}

func TestTheKeyValueStoreMatchesTheReference(t *testing.T) {
	s := newKeyValueStore()
	str := func(v string) *string { return &v }
	num := func(v int64) *int64 { return &v }
	show := func(v *string) string {
		if v == nil {
			return "null"
		}
		return *v
	}
	steps := []struct {
		c    command
		want string
	}{
		{command{ID: 1, Op: "get", Key: "a"}, "null"},
		{command{ID: 2, Op: "set", Key: "a", Value: str("1")}, "null"},
		{command{ID: 3, Op: "set", Key: "a", Value: str("2")}, "1"},
		{command{ID: 4, Op: "get", Key: "a"}, "2"},
		{command{ID: 5, Op: "set", Key: "b"}, "null"},
		{command{ID: 6, Op: "get", Key: "b"}, ""},
		{command{ID: 7, Op: "del", Key: "a"}, "2"},
		{command{ID: 8, Op: "get", Key: "a"}, "null"},
		// A session: a retry (same or older sequence) returns the first result, applies nothing.
		{command{ID: 9, Op: "set", Key: "c", Value: str("x"), Client: num(1), Sequence: num(1)}, "null"},
		{command{ID: 10, Op: "set", Key: "c", Value: str("y"), Client: num(1), Sequence: num(1)}, "null"},
		{command{ID: 11, Op: "get", Key: "c"}, "x"},
		{command{ID: 12, Op: "set", Key: "c", Value: str("z"), Client: num(1), Sequence: num(2)}, "x"},
		{command{ID: 13, Op: "del", Key: "c", Client: num(1), Sequence: num(1)}, "x"},
		{command{ID: 14, Op: "get", Key: "c"}, "z"},
		// append adds to the end; a missing key counts as "".
		{command{ID: 15, Op: "append", Key: "d", Value: str("p")}, "null"},
		{command{ID: 16, Op: "append", Key: "d", Value: str("q")}, "p"},
		{command{ID: 17, Op: "get", Key: "d"}, "pq"},
	}
	for _, step := range steps {
		if got := show(s.Apply(&step.c)); got != step.want {
			t.Fatalf("command %d: got %s, want %s", step.c.ID, got, step.want)
		}
	}
}

func TestOutputsAreWrittenByteForByteAsEncodingJSONWritesThem(t *testing.T) {
	hint, value := uint64(2), "v<1>"
	out := newOutput()
	out.Messages = append(out.Messages, outboundMessage{To: 2, Message: wireEnvelope{Type: "MsgApp", Term: 3, Body: "CAMQ+/=="}})
	out.Records = append(out.Records,
		record{HardState: &hardStateRecord{Term: 3, Vote: 1, Commit: 2}},
		record{Entries: []entryRecord{{Index: 1, Term: 1}, {Index: 2, Term: 3, Type: 1, DataBase64: "AAE="}, {Index: 3, Term: 3, Data: `{"id":4,"op":"set","key":"k\"1","value":"<v>"}`}}},
		record{HardState: &hardStateRecord{Term: 4}, Entries: []entryRecord{{Index: 4, Term: 4}}},
	)
	out.Sync = true
	out.Applied = append(out.Applied, appliedEntry{Index: 1, Term: 1}, appliedEntry{Index: 3, Term: 3, CommandID: 4, Result: json.RawMessage(`"v3"`)})
	out.Answers = append(out.Answers, acceptedAnswer{CommandID: 4, Kind: "accepted", Index: 3, Term: 3}, notLeaderAnswer{CommandID: 5, Kind: "notLeader", LeaderHint: &hint}, readAnswer{CommandID: 6, Kind: "read", Value: &value})
	for _, state := range []*stateView{nil, {Role: "leader", Term: 3, VotedFor: &hint, CommitIndex: 2, AppliedIndex: 2, LeaderHint: &hint, Log: &logDelta{From: 2, Entries: []logEntryView{{Term: 3, CommandID: 4}}}}} {
		out.State = state
		want, _ := json.Marshal(out)
		got, err := out.appendJSON(nil)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("appendJSON wrote\n%s (%v)\nencoding/json writes\n%s", got, err, want)
		}
	}
	empty, _ := newOutput().appendJSON(nil)
	if want, _ := json.Marshal(newOutput()); !bytes.Equal(empty, want) {
		t.Fatalf("an empty output is written %s, encoding/json writes %s", empty, want)
	}
}

func TestPeerMessagesDecodeWithoutTheProtobufRuntimeExactlyAsProtoUnmarshalDecodesThem(t *testing.T) {
	c := newTestCluster(t, 3)
	leader := c.tickUntilLeader()
	for id := int64(1); id <= 5; id++ {
		c.propose(leader, id, "set", "k1", fmt.Sprintf("v%d", id))
		c.settle()
	}
	c.send(leader, map[string]any{"kind": "read", "command": map[string]any{"id": 6, "op": "get", "key": "k1"}})
	c.heartbeat()
	types := map[string]bool{}
	for _, line := range strings.Split(c.transcript.String(), "\n") {
		if _, answer, ok := strings.Cut(line, "> "); ok {
			var out testOutput
			json.Unmarshal([]byte(answer), &out)
			for _, m := range out.Messages {
				data, _ := base64.StdEncoding.DecodeString(m.Message.Body)
				fast, ok := decodeCommonMessage(data)
				slow := &pb.Message{}
				if err := proto.Unmarshal(data, slow); err != nil || !ok || !proto.Equal(fast, slow) {
					t.Fatalf("%s decodes as %v (fast path taken: %v), proto.Unmarshal gives %v (%v)", m.Message.Type, fast, ok, slow, err)
				}
				types[m.Message.Type] = true
			}
		}
	}
	for _, kind := range []string{"MsgVote", "MsgVoteResp", "MsgApp", "MsgAppResp", "MsgHeartbeat", "MsgHeartbeatResp"} {
		if !types[kind] {
			t.Errorf("no %s among the messages %v", kind, types)
		}
	}
	if _, ok := decodeCommonMessage([]byte{0x4a, 0x00}); ok { // field 9, a snapshot: left to proto.Unmarshal
		t.Error("a message with a snapshot took the fast path")
	}
}
