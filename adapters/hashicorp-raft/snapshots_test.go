// The snapshot path without a wasm host (go test, native): the SnapshotStore's records and their
// replay, the FSM's snapshots and restores, compaction and the view's log, and InstallSnapshot
// as a message pair.

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/raftcheck/adapters/raftcheck-go"
)

var threeVoters = raft.Configuration{Servers: []raft.Server{
	{Suffrage: raft.Voter, ID: "1", Address: "1"}, {Suffrage: raft.Voter, ID: "2", Address: "2"}, {Suffrage: raft.Nonvoter, ID: "3", Address: "3"},
}}

func set(id int64, key, value string) *raft.Log {
	data, _ := json.Marshal(command{ID: id, Op: "set", Key: key, Value: &value})
	return &raft.Log{Index: uint64(id), Term: 1, Type: raft.LogCommand, Data: data}
}

// encodedRecords is what the output sends: the records as JSON.
func encodedRecords(t *testing.T, records []any) []json.RawMessage {
	t.Helper()
	encoded := make([]json.RawMessage, len(records))
	for i, r := range records {
		bytes, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		encoded[i] = bytes
	}
	return encoded
}

// takeSnapshot does what hashicorp's takeSnapshot does with the FSM and the store.
func takeSnapshot(t *testing.T, s *stores, f *fsm, index, term uint64) string {
	t.Helper()
	snapshot, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	sink, err := s.Create(raft.SnapshotVersionMax, index, term, threeVoters, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := snapshot.Persist(sink); err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil { // hashicorp closes it again
		t.Fatal(err)
	}
	return sink.ID()
}

func TestATakenSnapshotIsARecordThatARestartRestoresFrom(t *testing.T) {
	s := newStores()
	f := newFSM(s)
	for id := int64(1); id <= 3; id++ {
		f.Apply(set(id, "k", string(rune('a'+id))))
	}
	s.StoreLogs([]*raft.Log{set(1, "k", "b"), set(2, "k", "c"), set(3, "k", "d")})
	id := takeSnapshot(t, s, f, 3, 1)
	want := &raftcheck.SnapshotView{Index: 3, Term: 1, Configuration: raftcheck.Configuration{Voters: []uint64{1, 2}, Learners: []uint64{3}, VotersOutgoing: []uint64{}}, Data: map[string]string{"k": "d"}}
	if !reflect.DeepEqual(s.taken, want) || s.snapshotIndex() != 3 || s.snapshotTerm() != 1 {
		t.Fatalf("taken %+v, latest %d/%d; want %+v", s.taken, s.snapshotIndex(), s.snapshotTerm(), want)
	}
	records := encodedRecords(t, s.takeRecords())

	restarted := newStores()
	if err := restarted.replay(records); err != nil {
		t.Fatal(err)
	}
	metas, _ := restarted.List()
	if len(metas) != 1 || metas[0].ID != id || metas[0].Index != 3 || metas[0].ConfigurationIndex != 1 || !reflect.DeepEqual(metas[0].Configuration, threeVoters) {
		t.Fatalf("after replay the store lists %+v", metas)
	}
	// NewRaft's restoreSnapshot: Open the newest, hand it to the FSM.
	restoredFSM := newFSM(restarted)
	_, source, err := restarted.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := restoredFSM.Restore(source); err != nil {
		t.Fatal(err)
	}
	if got := restoredFSM.kv.Get("k"); got == nil || *got != "d" || restoredFSM.appliedIndex != 3 || !reflect.DeepEqual(restarted.installed, want) || restarted.lowestChanged != 4 {
		t.Fatalf("restored %v at %d, installed %+v, view from %d", got, restoredFSM.appliedIndex, restarted.installed, restarted.lowestChanged)
	}
}

func TestTheStoreListsTheNewestSnapshotsFirstAndKeepsTwo(t *testing.T) {
	s := newStores()
	f := newFSM(s)
	takeSnapshot(t, s, f, 5, 2)
	takeSnapshot(t, s, f, 9, 1) // an older term sorts after, whatever its index
	takeSnapshot(t, s, f, 7, 2)
	metas, _ := s.List()
	got := [][2]uint64{}
	for _, meta := range metas {
		got = append(got, [2]uint64{meta.Term, meta.Index})
	}
	if !reflect.DeepEqual(got, [][2]uint64{{2, 7}, {2, 5}}) {
		t.Fatalf("listed (term, index) %v", got)
	}
	restarted := newStores()
	if err := restarted.replay(encodedRecords(t, s.takeRecords())); err != nil {
		t.Fatal(err)
	}
	if again, _ := restarted.List(); !reflect.DeepEqual(again, metas) {
		t.Fatalf("after replay %+v, before %+v", again, metas)
	}
}

func TestAnInstalledSnapshotRestoresTheFSMAndTheViewsLogStartsAfterIt(t *testing.T) {
	leader := newStores()
	leaderFSM := newFSM(leader)
	leaderFSM.Apply(set(1, "x", "1"))
	id := takeSnapshot(t, leader, leaderFSM, 6, 2)
	_, source, _ := leader.Open(id)
	data, _ := io.ReadAll(source)

	// The follower, as hashicorp's installSnapshot: Create, copy, Close, then Open and Restore.
	follower := newStores()
	followerFSM := newFSM(follower)
	follower.StoreLogs([]*raft.Log{{Index: 1, Term: 1}, {Index: 2, Term: 1}})
	follower.takeRecords()
	follower.lowestChanged = 0
	sink, _ := follower.Create(raft.SnapshotVersionMax, 6, 2, threeVoters, 1, nil)
	sink.Write(data)
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if follower.taken != nil {
		t.Fatal("an installed snapshot reported as taken")
	}
	_, restore, _ := follower.Open(sink.ID())
	if err := followerFSM.Restore(restore); err != nil {
		t.Fatal(err)
	}
	if follower.installed == nil || follower.installed.Index != 6 || follower.installed.Data["x"] != "1" || follower.lowestChanged != 7 {
		t.Fatalf("installed %+v, view from %d", follower.installed, follower.lowestChanged)
	}
	if applied := followerFSM.takeApplied(6); len(applied) != 0 {
		t.Fatalf("entries under an installed snapshot reported applied one by one: %+v", applied)
	}
}

func TestCompactionChangesNoEntryOfTheViewAndKeepsTermsForTheAppliedReport(t *testing.T) {
	s := newStores()
	f := newFSM(s)
	for id := int64(1); id <= 5; id++ {
		s.StoreLogs([]*raft.Log{set(id, "k", "v")})
		if id == 3 {
			f.takeApplied(2)
		}
		f.Apply(set(id, "k", "v"))
	}
	s.lowestChanged = 0
	takeSnapshot(t, s, f, 4, 1)
	s.DeleteRange(1, 4) // compactLogs, TrailingLogs 0
	if s.lowestChanged != 0 || s.first != 5 || s.last != 5 {
		t.Fatalf("after compaction: view from %d, log %d..%d", s.lowestChanged, s.first, s.last)
	}
	applied := f.takeApplied(5)
	if len(applied) != 3 || applied[0].Index != 3 || applied[0].Term != 1 || applied[0].CommandID != 3 {
		t.Fatalf("applied after compaction %+v", applied)
	}
	s.DeleteRange(5, 5) // a conflicting suffix, past the snapshot
	if s.lowestChanged != 5 || s.first != 0 || s.last != 0 {
		t.Fatalf("after truncation: view from %d, log %d..%d", s.lowestChanged, s.first, s.last)
	}
	// hashicorp compacts from FirstIndex (0 when empty) to the last index it remembers.
	s.DeleteRange(0, 5)
	if s.first != 0 || s.last != 0 {
		t.Fatalf("deleting from an empty log moved it to %d..%d", s.first, s.last)
	}
}

func TestInstallSnapshotIsARequestWithTheSnapshotAndAResponse(t *testing.T) {
	leader := newTransport(1, time.Minute, func() uint64 { return 4 })
	follower := newTransport(2, time.Minute, func() uint64 { return 4 })
	request := &raft.InstallSnapshotRequest{Term: 4, LastLogIndex: 9, LastLogTerm: 3, Size: 5, SnapshotVersion: raft.SnapshotVersionMax}
	done := make(chan error, 1)
	response := &raft.InstallSnapshotResponse{}
	go func() { done <- leader.InstallSnapshot("2", "2", request, response, bytes.NewReader([]byte(`{"a":1}`))) }()
	var sent []outbound
	for len(sent) == 0 {
		time.Sleep(time.Millisecond)
		sent = leader.takeMessages()
	}
	message := sent[0].Message
	if sent[0].To != 2 || message.Type != "InstallSnapshot" || string(message.Body.Snapshot) != `{"a":1}` || !reflect.DeepEqual(message.View, &messageView{Kind: "snapshot", Term: 4, Index: 9, SnapshotTerm: 3}) {
		t.Fatalf("sent %+v", sent)
	}
	wire, _ := json.Marshal(message)
	var delivered envelope
	if err := json.Unmarshal(wire, &delivered); err != nil {
		t.Fatal(err)
	}
	if err := follower.deliver(1, &delivered); err != nil {
		t.Fatal(err)
	}
	rpc := <-follower.consumer
	got, _ := io.ReadAll(rpc.Reader)
	if r, ok := rpc.Command.(*raft.InstallSnapshotRequest); !ok || r.LastLogIndex != 9 || string(got) != `{"a":1}` {
		t.Fatalf("raft got %+v with %q", rpc.Command, got)
	}
	rpc.Respond(&raft.InstallSnapshotResponse{Term: 4, Success: true}, nil)
	var answered []outbound
	for len(answered) == 0 {
		time.Sleep(time.Millisecond)
		answered = follower.takeMessages()
	}
	answer := answered[0].Message
	if answered[0].To != 1 || answer.Type != "InstallSnapshotResponse" || !reflect.DeepEqual(answer.View, &messageView{Kind: "appendResponse", Term: 4, Success: true, MatchIndex: 9}) {
		t.Fatalf("answered %+v", answered)
	}
	if err := leader.deliver(2, &answer); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil || !response.Success || response.Term != 4 {
		t.Fatalf("the call returned %v, %+v", err, response)
	}
}
