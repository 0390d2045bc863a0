// The hand-written JSON must write exactly what encoding/json writes (entries, records and trace
// files depend on those bytes) and read what encoding/json reads.

package raftcheck

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func text(s string) *string { return &s }
func number(n int64) *int64 { return &n }
func id(n uint64) *uint64   { return &n }

var awkwardStrings = []string{"", "k1", "v17", `say "hi"`, `back\slash`, "<tag> & more", "line\nbreak\ttab\r\b\f\x01", "é ünïcode ✓", "\u2028\u2029", "bad \xff utf-8"}

func TestStringsAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	for _, s := range awkwardStrings {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	}
}

func TestCommandsAreWrittenByteForByteAsEncodingJSONWritesThem(t *testing.T) {
	commands := []Command{
		{ID: 4, Op: "get", Key: "k3"},
		{ID: 11, Op: "set", Key: "k3", Value: text("v11")},
		{ID: -2, Op: "append", Key: "<k>", Value: text(""), Client: number(3), Sequence: number(9)},
		{ID: 7, Op: "del", Key: "k1", Sequence: number(0)},
	}
	for _, s := range awkwardStrings {
		commands = append(commands, Command{ID: 1, Op: s, Key: s, Value: text(s)})
	}
	for _, c := range commands {
		want, _ := json.Marshal(c)
		if got := AppendCommand(nil, &c); !bytes.Equal(got, want) {
			t.Errorf("AppendCommand = %s, encoding/json writes %s", got, want)
		}
		var reference Command
		json.Unmarshal(want, &reference)
		decoded, err := DecodeCommand(want)
		if err != nil || !reflect.DeepEqual(decoded, reference) {
			t.Errorf("DecodeCommand(%s) = %+v, %v; encoding/json reads %+v", want, decoded, err, reference)
		}
	}
}

func TestAnswersAppliedEntriesAndViewsAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	values := []any{
		AcceptedAnswer{CommandID: 17, Kind: "accepted", Index: 4, Term: 3},
		NotLeaderAnswer{CommandID: 18, Kind: "notLeader", LeaderHint: id(2)},
		NotLeaderAnswer{CommandID: 19, Kind: "notLeader"},
		ReadAnswer{CommandID: 20, Kind: "read", Value: text("v<17>")},
		ReadAnswer{CommandID: 21, Kind: "read"},
		TransferAcceptedAnswer{CommandID: 22, Kind: "transferAccepted", Term: 4},
		RejectedAnswer{CommandID: 23, Kind: "rejected", Reason: `a transfer to node 3 is in progress "<now>"`},
	}
	for _, answer := range values {
		want, _ := json.Marshal(answer)
		if got, err := AppendAnswer(nil, answer); err != nil || !bytes.Equal(got, want) {
			t.Errorf("AppendAnswer = %s (%v), encoding/json writes %s", got, err, want)
		}
	}
	for _, entry := range []AppliedEntry{{Index: 4, Term: 3, CommandID: 17, Result: json.RawMessage(`"v17"`)}, {Index: 5, Term: 3}, {Index: 6, Term: 3, CommandID: 2, Result: json.RawMessage(`null`)}} {
		want, _ := json.Marshal(entry)
		if got := AppendAppliedEntry(nil, &entry); !bytes.Equal(got, want) {
			t.Errorf("AppendAppliedEntry = %s, encoding/json writes %s", got, want)
		}
	}
	views := []StateView{
		{Role: "leader", Term: 3, VotedFor: id(1), CommitIndex: 4, AppliedIndex: 4, LeaderHint: id(1), Log: &LogDelta{From: 4, Entries: []LogEntryView{{Term: 3, CommandID: 17}, {Term: 3}}}},
		{Role: "follower", Term: 0},
		{Role: "candidate", Term: 2, VotedFor: id(3), Log: &LogDelta{From: 1, Entries: []LogEntryView{}}},
		{Role: "follower", Log: &LogDelta{From: 1}, SnapshotIndex: id(0), SnapshotTerm: id(0)},
		{Role: "follower", Term: 2, SnapshotIndex: id(5), SnapshotTerm: id(1), Log: &LogDelta{From: 6, Entries: []LogEntryView{}},
			Configuration: &ConfigurationView{Latest: Configuration{Voters: []uint64{1, 2}, Learners: []uint64{}, VotersOutgoing: []uint64{}}, LatestIndex: 3}},
	}
	for _, view := range views {
		want, _ := json.Marshal(view)
		if got := AppendStateView(nil, &view); !bytes.Equal(got, want) {
			t.Errorf("AppendStateView = %s, encoding/json writes %s", got, want)
		}
	}
}

func TestInputsAreReadWhateverTheirFieldOrderSpacingAndUnknownFields(t *testing.T) {
	line := []byte(` { "future" : {"nested":[1,{"a":null},true,false,-2.5e3,"x\"y"]}, "kind":"start","id":3,"members":[1, 2,3],"seed":-1234,` +
		`"records":[{"hardState":{"term":2}},{"entries":[]}],"options":{"electionTicksMin":15},"command":null,"message":null} `)
	in, err := ParseInput(line)
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != "start" || in.ID != 3 || !reflect.DeepEqual(in.Members, []uint64{1, 2, 3}) || in.Seed != -1234 || in.Command != nil || in.Message != nil {
		t.Fatalf("read %+v", in)
	}
	if len(in.Records) != 2 || string(in.Records[0]) != `{"hardState":{"term":2}}` || string(in.Options) != `{"electionTicksMin":15}` {
		t.Fatalf("raw parts read as %s and %s", in.Records, in.Options)
	}
	deliver, err := ParseInput([]byte(`{"kind":"deliver","from":2,"message":{"type":"MsgApp","term":3,"body":"CAMQ\u0041","view":{"kind":"append"}}}`))
	if err != nil || deliver.From != 2 || deliver.Message.Type != "MsgApp" || deliver.Message.Term != 3 || string(deliver.Message.Body) != `"CAMQ\u0041"` {
		t.Fatalf("read %+v %v", deliver, err)
	}
	body, err := NewReader(deliver.Message.Body).StringBytes()
	if err != nil || string(body) != "CAMQA" {
		t.Fatalf("an escaped string reads as %q (%v)", body, err)
	}
	odd, err := ParseInput([]byte(`{"kind":"start","members":null,"records":null,"later":1e400}`))
	if err != nil || odd.Members != nil || odd.Records != nil {
		t.Fatalf("null lists and a huge number in an unknown field read as %+v (%v)", odd, err)
	}
	advance, err := ParseInput([]byte(`{"kind":"advance","elapsedMs":12.5}`))
	if err != nil || advance.ElapsedMs != 12.5 {
		t.Fatalf("read %+v %v", advance, err)
	}
}

func TestAnInputThatIsNotJSONIsRefusedSayingWhere(t *testing.T) {
	for _, line := range []string{`{"kind":"tick"`, `{"kind":tick}`, `{"kind":"tick"} x`, `{"id":-1}`, `{"id":1.5}`, `{"members":[1,,2]}`, `{"kind":"a` + "\x01" + `"}`, `[]`} {
		if _, err := ParseInput([]byte(line)); err == nil {
			t.Errorf("%s was read without an error", line)
		} else if !strings.Contains(err.Error(), "expected") && !strings.Contains(err.Error(), "end of the line") {
			t.Errorf("%s: the error %q does not say what was expected", line, err)
		}
	}
}

func TestMessageViewsAreWrittenWithTheFieldsOfTheirKindAsTheContractNamesThem(t *testing.T) {
	cases := []struct {
		view MessageView
		want string
	}{
		{MessageView{Kind: "voteRequest", Term: 4, Candidate: 2, LastIndex: 9, LastTerm: 3, PreVote: true}, `{"kind":"voteRequest","term":4,"candidate":2,"lastIndex":9,"lastTerm":3,"preVote":true}`},
		{MessageView{Kind: "voteResponse", Term: 4, Granted: true}, `{"kind":"voteResponse","term":4,"granted":true}`},
		{MessageView{Kind: "append", Term: 4, PrevIndex: 9, PrevTerm: 3, EntryIDs: []int64{0, 17}, Commit: 8}, `{"kind":"append","term":4,"prevIndex":9,"prevTerm":3,"entries":2,"commit":8,"entryIds":[0,17]}`},
		{MessageView{Kind: "appendResponse", Term: 4, Success: true, MatchIndex: 11}, `{"kind":"appendResponse","term":4,"success":true,"matchIndex":11}`},
		{MessageView{Kind: "appendResponse", Term: 4, RejectHint: id(6)}, `{"kind":"appendResponse","term":4,"success":false,"matchIndex":0,"rejectHint":6}`},
		{MessageView{Kind: "snapshot", Term: 4, Index: 20, SnapshotTerm: 3}, `{"kind":"snapshot","term":4,"index":20,"snapshotTerm":3}`},
		{MessageView{Kind: "timeoutNow", Term: 4}, `{"kind":"timeoutNow","term":4}`},
		{MessageView{Kind: "heartbeat", Term: 4, Commit: 8}, `{"kind":"heartbeat","term":4,"commit":8}`},
		{MessageView{Kind: "heartbeatResponse", Term: 4}, `{"kind":"heartbeatResponse","term":4}`},
	}
	for _, c := range cases {
		if got := string(AppendMessageView(nil, &c.view)); got != c.want {
			t.Errorf("AppendMessageView(%+v) = %s, want %s", c.view, got, c.want)
		}
	}
}

func TestAdministratorInputsAreReadWithTheirTransferAndChange(t *testing.T) {
	in, err := ParseInput([]byte(`{"kind":"transferLeadership","transfer":{"id":52,"target":3,"future":1}}`))
	if err != nil || in.Transfer == nil || *in.Transfer != (Transfer{ID: 52, Target: 3}) {
		t.Fatalf("read %+v (%v)", in.Transfer, err)
	}
	in, err = ParseInput([]byte(`{"kind":"changeMembership","change":{"id":41,"steps":[{"action":"addVoter","node":4},{"node":1,"action":"remove"}]}}`))
	if err != nil || in.Change == nil || !reflect.DeepEqual(*in.Change, Change{ID: 41, Steps: []ChangeStep{{"addVoter", 4}, {"remove", 1}}}) {
		t.Fatalf("read %+v (%v)", in.Change, err)
	}
}

func TestAStoreRestoredFromItsStateHoldsTheSameValuesAndSessions(t *testing.T) {
	s := NewKeyValueStore()
	s.Apply(&Command{ID: 1, Op: "set", Key: "k1", Value: text("a"), Client: number(2), Sequence: number(1)})
	s.Apply(&Command{ID: 2, Op: "append", Key: "k1", Value: text("b"), Client: number(1), Sequence: number(4)})
	state := s.State()
	encoded, _ := json.Marshal(state)
	if string(encoded) != `{"data":{"k1":"ab"},"sessions":[{"client":1,"sequence":4,"result":"a"},{"client":2,"sequence":1,"result":null}]}` {
		t.Fatalf("the state encodes as %s", encoded)
	}
	restored := RestoredKeyValueStore(state)
	// A retry of client 1's sequence 4 answers the first result and changes nothing.
	if result := restored.Apply(&Command{ID: 3, Op: "append", Key: "k1", Value: text("b"), Client: number(1), Sequence: number(4)}); result == nil || *result != "a" || *restored.Get("k1") != "ab" {
		t.Fatalf("a retried command after restore gave %v and left %v", result, restored.Get("k1"))
	}
}
