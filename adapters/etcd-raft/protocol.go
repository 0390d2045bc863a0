// The JSON shapes of raftcheck's process protocol (version 1). They mirror the Input and Output
// types of src/adapters/contract.ts field for field; the harness treats message bodies and
// durable records as opaque, so their encodings below are this adapter's own choice.

package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/raftcheck/adapters/raftcheck-go"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// protocolVersion is the process protocol version this program speaks.
const protocolVersion = 1

// helloAnswer is the first line the program writes, in answer to the harness's hello.
type helloAnswer struct {
	Protocol int    `json:"protocol"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	// Restartable: a second start is a fresh instance, so the harness may reuse the process.
	Restartable bool `json:"restartable"`
}

// input is the union of every input kind; Kind says which fields are set.
type input struct {
	Kind     string `json:"kind"`
	Protocol int    `json:"protocol,omitempty"` // hello

	// start
	ID      uint64            `json:"id,omitempty"`
	Members []uint64          `json:"members,omitempty"`
	Seed    int64             `json:"seed,omitempty"` // 32 bits; the harness may send it signed
	Records []json.RawMessage `json:"records,omitempty"`
	Options options           `json:"options"`

	// deliver
	From    uint64        `json:"from,omitempty"`
	Message *wireEnvelope `json:"message,omitempty"`

	// propose, read
	Command *command `json:"command,omitempty"`
}

// options are the scenario's implementation options (ImplementationOptions in contract.ts).
type options struct {
	ElectionTicksMin     int `json:"electionTicksMin"`
	ElectionTicksMax     int `json:"electionTicksMax"`
	HeartbeatTicks       int `json:"heartbeatTicks"`
	EntriesPerMessageMax int `json:"entriesPerMessageMax"`
}

// The shared shapes (adapters/raftcheck-go), under this adapter's names.
type (
	command         = raftcheck.Command
	appliedEntry    = raftcheck.AppliedEntry
	acceptedAnswer  = raftcheck.AcceptedAnswer
	notLeaderAnswer = raftcheck.NotLeaderAnswer
	readAnswer      = raftcheck.ReadAnswer
	logEntryView    = raftcheck.LogEntryView
	logDelta        = raftcheck.LogDelta
	stateView       = raftcheck.StateView
	keyValueStore   = raftcheck.KeyValueStore
)

var newKeyValueStore = raftcheck.NewKeyValueStore

// wireEnvelope is a message as the harness carries it: a label, the sender's term, and the body,
// here the raftpb.Message as base64 of its protobuf bytes.
type wireEnvelope struct {
	Type string `json:"type"`
	Term uint64 `json:"term"`
	Body string `json:"body"`
}

type outboundMessage struct {
	To      uint64       `json:"to"`
	Message wireEnvelope `json:"message"`
}

// output answers one input. Slices are never nil, so that they encode as [] and not null.
type output struct {
	Messages []outboundMessage `json:"messages"`
	Records  []record          `json:"records"`
	Sync     bool              `json:"sync"`
	Applied  []appliedEntry    `json:"applied"`
	Answers  []any             `json:"answers"`
	State    *stateView        `json:"state,omitempty"`
}

func newOutput() *output {
	return &output{Messages: []outboundMessage{}, Records: []record{}, Applied: []appliedEntry{}, Answers: []any{}}
}

// record is one durable record, what one Ready asks to persist: a run of entries that overwrites
// the log from its first index on (what raft.MemoryStorage.Append does with it), a HardState, or
// both.
type record struct {
	HardState *hardStateRecord `json:"hardState,omitempty"`
	Entries   []entryRecord    `json:"entries,omitempty"`
}

type hardStateRecord struct {
	Term   uint64 `json:"term"`
	Vote   uint64 `json:"vote"`
	Commit uint64 `json:"commit"`
}

// entryRecord keeps the entry data as a JSON string when it is UTF-8 (our commands are JSON, so
// traces stay readable), and as base64 otherwise; either way it round-trips byte for byte.
type entryRecord struct {
	Index      uint64 `json:"index"`
	Term       uint64 `json:"term"`
	Type       int32  `json:"type,omitempty"` // raftpb.EntryType; 0 (EntryNormal) is omitted
	Data       string `json:"data,omitempty"`
	DataBase64 string `json:"dataBase64,omitempty"`
}

func hardStateToRecord(hs *pb.HardState) *hardStateRecord {
	return &hardStateRecord{Term: hs.GetTerm(), Vote: hs.GetVote(), Commit: hs.GetCommit()}
}

func entriesToRecord(entries []*pb.Entry) []entryRecord {
	out := make([]entryRecord, 0, len(entries))
	for _, e := range entries {
		r := entryRecord{Index: e.GetIndex(), Term: e.GetTerm(), Type: int32(e.GetType())}
		if data := e.GetData(); len(data) > 0 {
			if utf8.Valid(data) {
				r.Data = string(data)
			} else {
				r.DataBase64 = base64.StdEncoding.EncodeToString(data)
			}
		}
		out = append(out, r)
	}
	return out
}

func (r entryRecord) toEntry() (*pb.Entry, error) {
	e := &pb.Entry{Index: proto.Uint64(r.Index), Term: proto.Uint64(r.Term), Type: pb.EntryType(r.Type).Enum()}
	switch {
	case r.DataBase64 != "":
		data, err := base64.StdEncoding.DecodeString(r.DataBase64)
		if err != nil {
			return nil, fmt.Errorf("entry %d: bad dataBase64: %w", r.Index, err)
		}
		e.Data = data
	case r.Data != "":
		e.Data = []byte(r.Data)
	}
	return e, nil
}

// encodeMessage turns a raftpb.Message into the envelope the harness carries. Deterministic
// marshalling keeps the bytes a pure function of the message.
func encodeMessage(m *pb.Message) (outboundMessage, error) {
	bytes, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return outboundMessage{}, err
	}
	return outboundMessage{
		To: m.GetTo(),
		Message: wireEnvelope{
			Type: m.GetType().String(),
			Term: m.GetTerm(),
			Body: base64.StdEncoding.EncodeToString(bytes),
		},
	}, nil
}

func decodeMessage(envelope *wireEnvelope) (*pb.Message, error) {
	bytes, err := base64.StdEncoding.DecodeString(envelope.Body)
	if err != nil {
		return nil, fmt.Errorf("message body is not base64: %w", err)
	}
	m := &pb.Message{}
	if err := proto.Unmarshal(bytes, m); err != nil {
		return nil, fmt.Errorf("message body is not a raftpb.Message: %w", err)
	}
	return m, nil
}

// commandIDOf is the command id an entry carries: 0 for etcd's own entries (the empty entry of
// a new leader, configuration changes).
func commandIDOf(e *pb.Entry) int64 {
	if e.GetType() != pb.EntryNormal || len(e.GetData()) == 0 {
		return 0
	}
	var c command
	if err := json.Unmarshal(e.GetData(), &c); err != nil {
		return 0
	}
	return c.ID
}
