// The JSON shapes of raftcheck's process protocol. They mirror the Input and Output types of
// src/contract/contract.ts field for field; the harness treats message bodies and durable
// records as opaque, so their encodings below are this adapter's own choice. Outputs are written
// by hand (appendJSON, with the shared module's writers): encoding/json's reflection was most of
// the adapter's time per input.

package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/raftcheck/adapters/raftcheck-go"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// input is one input line, as the shared module reads it.
type input = raftcheck.Input

// options are the scenario's implementation options (ImplementationOptions in contract.ts).
type options struct {
	ElectionTicksMin     int `json:"electionTicksMin"`
	ElectionTicksMax     int `json:"electionTicksMax"`
	HeartbeatTicks       int `json:"heartbeatTicks"`
	EntriesPerMessageMax int `json:"entriesPerMessageMax"`
	// The features (protocol 2), each absent (off) unless the scenario switches it on.
	PreVote     bool `json:"preVote,omitempty"`
	CheckQuorum bool `json:"checkQuorum,omitempty"`
	LeaseReads  bool `json:"leaseReads,omitempty"`
	// AsyncStorageWrites: etcd's Config.AsyncStorageWrites (async.go).
	AsyncStorageWrites bool `json:"asyncStorageWrites,omitempty"`
	// SnapshotEntriesThreshold: compact once this many applied entries follow the last snapshot.
	SnapshotEntriesThreshold uint64 `json:"snapshotEntriesThreshold,omitempty"`
}

// The shared shapes (adapters/raftcheck-go), under this adapter's names.
type (
	command         = raftcheck.Command
	appliedEntry    = raftcheck.AppliedEntry
	acceptedAnswer  = raftcheck.AcceptedAnswer
	notLeaderAnswer = raftcheck.NotLeaderAnswer
	readAnswer      = raftcheck.ReadAnswer
	transferAnswer  = raftcheck.TransferAcceptedAnswer
	rejectedAnswer  = raftcheck.RejectedAnswer
	logEntryView    = raftcheck.LogEntryView
	logDelta        = raftcheck.LogDelta
	stateView       = raftcheck.StateView
	snapshotView    = raftcheck.SnapshotView
	configuration   = raftcheck.Configuration
	keyValueStore   = raftcheck.KeyValueStore
)

var newKeyValueStore = raftcheck.NewKeyValueStore

// wireEnvelope is a message as the harness carries it: a label, the sender's term, and the body,
// here the raftpb.Message as base64 of its protobuf bytes.
type wireEnvelope struct {
	Type string `json:"type"`
	Term uint64 `json:"term"`
	Body string `json:"body"`
	// View is the message in Raft's common vocabulary; nil where the contract has no word for it.
	View *messageView `json:"view,omitempty"`
	// Local names the local thread ("append", "apply") of local work (async.go); "" for a message to a peer.
	Local string `json:"local,omitempty"`
}

type outboundMessage struct {
	To      uint64       `json:"to"`
	Message wireEnvelope `json:"message"`
}

// wireEnvelope's view is written inside the message (Message.view), after its body.
func (m *outboundMessage) viewJSON(buffer []byte) []byte {
	if m.Message.View == nil {
		return buffer
	}
	buffer = append(buffer, `,"view":`...)
	return raftcheck.AppendMessageView(buffer, m.Message.View)
}

// output answers one input. Slices are never nil, so that they encode as [] and not null.
type output struct {
	Messages []outboundMessage `json:"messages"`
	Records  []record          `json:"records"`
	Sync     bool              `json:"sync"`
	Applied  []appliedEntry    `json:"applied"`
	Answers  []any             `json:"answers"`
	State    *stateView        `json:"state,omitempty"`
	// Feature snapshots: a snapshot installed (from a leader, or restored at start), or taken.
	SnapshotInstalled *snapshotView `json:"snapshotInstalled,omitempty"`
	SnapshotTaken     *snapshotView `json:"snapshotTaken,omitempty"`
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
	Snapshot  *snapshotRecord  `json:"snapshot,omitempty"`
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
			View: viewOf(m),
		},
	}, nil
}

func decodeMessage(envelope *raftcheck.Envelope) (*pb.Message, error) {
	body, err := raftcheck.NewReader(envelope.Body).StringBytes()
	if err != nil {
		return nil, fmt.Errorf("message body is not a string: %w", err)
	}
	bytes := make([]byte, base64.StdEncoding.DecodedLen(len(body)))
	count, err := base64.StdEncoding.Decode(bytes, body)
	if err != nil {
		return nil, fmt.Errorf("message body is not base64: %w", err)
	}
	m, err := unmarshalMessage(bytes[:count])
	if err != nil {
		return nil, fmt.Errorf("message body is not a raftpb.Message: %w", err)
	}
	return m, nil
}

// commandIDOf is the command id an entry carries: a configuration entry's is its change's id; 0
// for etcd's own entries (the empty entry of a new leader, the entry that leaves a joint
// configuration).
func commandIDOf(e *pb.Entry) int64 {
	if isConfChange(e) {
		_, context, _ := confChangeOf(e)
		return context.ID
	}
	if e.GetType() != pb.EntryNormal || len(e.GetData()) == 0 {
		return 0
	}
	c, err := raftcheck.DecodeCommand(e.GetData())
	if err != nil {
		return 0
	}
	return c.ID
}

// parseOptions reads start's options; unknown ones (other implementations') are ignored.
func parseOptions(raw json.RawMessage) (options, error) {
	var o options
	if len(raw) == 0 {
		return o, nil
	}
	err := json.Unmarshal(raw, &o)
	return o, err
}

// appendJSON appends the output as encoding/json would write it, byte for byte.
func (out *output) appendJSON(buffer []byte) ([]byte, error) {
	buffer = append(buffer, `{"messages":[`...)
	for index := range out.Messages {
		if index > 0 {
			buffer = append(buffer, ',')
		}
		m := &out.Messages[index]
		buffer = append(buffer, `{"to":`...)
		buffer = strconv.AppendUint(buffer, m.To, 10)
		buffer = append(buffer, `,"message":{"type":`...)
		buffer = raftcheck.AppendString(buffer, m.Message.Type)
		buffer = append(buffer, `,"term":`...)
		buffer = strconv.AppendUint(buffer, m.Message.Term, 10)
		buffer = append(buffer, `,"body":`...)
		buffer = raftcheck.AppendString(buffer, m.Message.Body)
		buffer = m.viewJSON(buffer)
		if m.Message.Local != "" {
			buffer = append(buffer, `,"local":`...)
			buffer = raftcheck.AppendString(buffer, m.Message.Local)
		}
		buffer = append(buffer, "}}"...)
	}
	buffer = append(buffer, `],"records":[`...)
	for index := range out.Records {
		if index > 0 {
			buffer = append(buffer, ',')
		}
		buffer = out.Records[index].appendJSON(buffer)
	}
	buffer = append(buffer, `],"sync":`...)
	buffer = raftcheck.AppendBool(buffer, out.Sync)
	buffer = append(buffer, `,"applied":[`...)
	for index := range out.Applied {
		if index > 0 {
			buffer = append(buffer, ',')
		}
		buffer = raftcheck.AppendAppliedEntry(buffer, &out.Applied[index])
	}
	buffer = append(buffer, `],"answers":[`...)
	for index, answer := range out.Answers {
		if index > 0 {
			buffer = append(buffer, ',')
		}
		var err error
		if buffer, err = raftcheck.AppendAnswer(buffer, answer); err != nil {
			return nil, err
		}
	}
	buffer = append(buffer, ']')
	if out.State != nil {
		buffer = append(buffer, `,"state":`...)
		buffer = raftcheck.AppendStateView(buffer, out.State)
	}
	// Snapshots are rare: encoding/json is fast enough for them.
	for _, snapshot := range []struct {
		name string
		view *snapshotView
	}{{"snapshotInstalled", out.SnapshotInstalled}, {"snapshotTaken", out.SnapshotTaken}} {
		if snapshot.view != nil {
			encoded, err := json.Marshal(snapshot.view)
			if err != nil {
				return nil, err
			}
			buffer = append(buffer, `,"`+snapshot.name+`":`...)
			buffer = append(buffer, encoded...)
		}
	}
	return append(buffer, '}'), nil
}

func (r *record) appendJSON(buffer []byte) []byte {
	buffer = append(buffer, '{')
	if r.HardState != nil {
		buffer = append(buffer, `"hardState":{"term":`...)
		buffer = strconv.AppendUint(buffer, r.HardState.Term, 10)
		buffer = append(buffer, `,"vote":`...)
		buffer = strconv.AppendUint(buffer, r.HardState.Vote, 10)
		buffer = append(buffer, `,"commit":`...)
		buffer = strconv.AppendUint(buffer, r.HardState.Commit, 10)
		buffer = append(buffer, '}')
	}
	if len(r.Entries) > 0 {
		if r.HardState != nil {
			buffer = append(buffer, ',')
		}
		buffer = append(buffer, `"entries":[`...)
		for index := range r.Entries {
			if index > 0 {
				buffer = append(buffer, ',')
			}
			buffer = r.Entries[index].appendJSON(buffer)
		}
		buffer = append(buffer, ']')
	}
	if r.Snapshot != nil {
		if r.HardState != nil || len(r.Entries) > 0 {
			buffer = append(buffer, ',')
		}
		encoded, _ := json.Marshal(r.Snapshot) // plain data: it cannot fail
		buffer = append(buffer, `"snapshot":`...)
		buffer = append(buffer, encoded...)
	}
	return append(buffer, '}')
}

func (e *entryRecord) appendJSON(buffer []byte) []byte {
	buffer = append(buffer, `{"index":`...)
	buffer = strconv.AppendUint(buffer, e.Index, 10)
	buffer = append(buffer, `,"term":`...)
	buffer = strconv.AppendUint(buffer, e.Term, 10)
	if e.Type != 0 {
		buffer = append(buffer, `,"type":`...)
		buffer = strconv.AppendInt(buffer, int64(e.Type), 10)
	}
	if e.Data != "" {
		buffer = append(buffer, `,"data":`...)
		buffer = raftcheck.AppendString(buffer, e.Data)
	}
	if e.DataBase64 != "" {
		buffer = append(buffer, `,"dataBase64":`...)
		buffer = raftcheck.AppendString(buffer, e.DataBase64)
	}
	return append(buffer, '}')
}
