// The shapes of raftcheck's protocol (docs/PROTOCOL.md) that every Go adapter writes the same
// way: commands, applied entries, answers and the state view.

package raftcheck

import "encoding/json"

// Command is a client command (Command in contract.ts). It is also the entry data the adapters
// propose, so its field order fixes the bytes of every entry.
type Command struct {
	ID       int64   `json:"id"`
	Op       string  `json:"op"`
	Key      string  `json:"key"`
	Value    *string `json:"value,omitempty"`
	Client   *int64  `json:"client,omitempty"`
	Sequence *int64  `json:"sequence,omitempty"`
}

// AppliedEntry is an entry the node applied, in log order.
type AppliedEntry struct {
	Index     uint64 `json:"index"`
	Term      uint64 `json:"term"`
	CommandID int64  `json:"commandId"`
	// Result is the state machine's answer as JSON (a string or null); absent for entries that
	// carry no command, as in the reference.
	Result json.RawMessage `json:"result,omitempty"`
}

type AcceptedAnswer struct {
	CommandID int64  `json:"commandId"`
	Kind      string `json:"kind"` // "accepted"
	Index     uint64 `json:"index"`
	Term      uint64 `json:"term"`
}

type NotLeaderAnswer struct {
	CommandID  int64   `json:"commandId"`
	Kind       string  `json:"kind"` // "notLeader"
	LeaderHint *uint64 `json:"leaderHint"`
}

type ReadAnswer struct {
	CommandID int64   `json:"commandId"`
	Kind      string  `json:"kind"` // "read"
	Value     *string `json:"value"`
}

// TransferAcceptedAnswer answers a transferLeadership input a leader takes (feature leadershipTransfer).
type TransferAcceptedAnswer struct {
	CommandID int64  `json:"commandId"`
	Kind      string `json:"kind"` // "transferAccepted"
	Term      uint64 `json:"term"`
}

// RejectedAnswer refuses a membership change or a leadership transfer, saying why.
type RejectedAnswer struct {
	CommandID int64  `json:"commandId"`
	Kind      string `json:"kind"` // "rejected"
	Reason    string `json:"reason"`
}

type LogEntryView struct {
	Term      uint64 `json:"term"`
	CommandID int64  `json:"commandId"`
}

type LogDelta struct {
	From    uint64         `json:"from"`
	Entries []LogEntryView `json:"entries"`
}

// StateView is the white-box view (StateView in contract.ts), its log as a delta.
type StateView struct {
	Role         string    `json:"role"`
	Term         uint64    `json:"term"`
	VotedFor     *uint64   `json:"votedFor"`
	CommitIndex  uint64    `json:"commitIndex"`
	AppliedIndex uint64    `json:"appliedIndex"`
	LeaderHint   *uint64   `json:"leaderHint"`
	Log          *LogDelta `json:"log,omitempty"`
	// Feature snapshots: the latest snapshot's index and term, 0 and 0 without one (nil: no such
	// feature). A node with the feature sends them always: a restart that lost its snapshot must
	// say so, or the harness keeps the one it knew.
	SnapshotIndex *uint64 `json:"snapshotIndex,omitempty"`
	SnapshotTerm  *uint64 `json:"snapshotTerm,omitempty"`
	// Feature membership: the configuration in force and the latest committed.
	Configuration *ConfigurationView `json:"configuration,omitempty"`
}

// Configuration is a cluster configuration (Configuration in contract.ts); VotersOutgoing is
// non-empty only in a joint configuration.
type Configuration struct {
	Voters         []uint64 `json:"voters"`
	Learners       []uint64 `json:"learners"`
	VotersOutgoing []uint64 `json:"votersOutgoing"`
}

// ConfigurationView is the view's configurations (ConfigurationView in contract.ts).
type ConfigurationView struct {
	Latest         Configuration `json:"latest"`
	LatestIndex    uint64        `json:"latestIndex"`
	Committed      Configuration `json:"committed"`
	CommittedIndex uint64        `json:"committedIndex"`
}

// SnapshotView is a snapshot taken or installed, in full (SnapshotView in contract.ts).
type SnapshotView struct {
	Index         uint64            `json:"index"`
	Term          uint64            `json:"term"`
	Configuration Configuration     `json:"configuration"`
	Data          map[string]string `json:"data"`
}

// Envelope is a message as the harness carries it: a label, the sender's term, and the body,
// whose JSON is the adapter's own.
type Envelope struct {
	Type string
	Term uint64
	Body json.RawMessage
	// Local names the local thread of local work (feature asyncStorageWrites): "append" or
	// "apply"; "" for a message from a peer.
	Local string
}

// Input is the union of the input kinds (Input in contract.ts); Kind says which fields are set.
// Records, Options and Message.Body are the raw JSON of the line, for the adapter to read.
type Input struct {
	Kind     string
	Protocol int // hello

	// start
	ID      uint64
	Members []uint64
	Seed    int64 // 32 bits; the harness may send it signed
	Records []json.RawMessage
	Options json.RawMessage

	ElapsedMs float64 // advance

	// deliver
	From    uint64
	Message *Envelope

	Command *Command // propose, read

	Transfer *Transfer // transferLeadership
	Change   *Change   // changeMembership
}

// Transfer is an administrator's request to hand leadership to Target (LeadershipTransfer in contract.ts).
type Transfer struct {
	ID     int64
	Target uint64
}

// Change is an administrator's membership change (MembershipChange in contract.ts): one step is
// a single-server change, several a joint one.
type Change struct {
	ID    int64
	Steps []ChangeStep
}

// ChangeStep is one step: Action is addVoter, addLearner, promote or remove.
type ChangeStep struct {
	Action string
	Node   uint64
}

// ParseInput reads one input line; fields it does not know are skipped.
func ParseInput(line []byte) (*Input, error) {
	in := &Input{}
	r := NewReader(line)
	err := r.Object(func(key []byte) error { return in.readField(r, key) })
	if err == nil {
		err = r.End()
	}
	return in, err
}

func (in *Input) readField(r *Reader, key []byte) error {
	var err error
	switch string(key) {
	case "kind":
		in.Kind, err = r.String()
	case "protocol":
		var protocol int64
		protocol, err = r.Int()
		in.Protocol = int(protocol)
	case "id":
		in.ID, err = r.Uint()
	case "members":
		err = r.Array(func() error {
			member, err := r.Uint()
			in.Members = append(in.Members, member)
			return err
		})
	case "seed":
		in.Seed, err = r.Int()
	case "records":
		err = r.Array(func() error {
			record, err := r.Raw()
			in.Records = append(in.Records, record)
			return err
		})
	case "options":
		in.Options, err = r.Raw()
	case "elapsedMs":
		in.ElapsedMs, err = r.Float()
	case "from":
		in.From, err = r.Uint()
	case "message":
		if !r.Null() {
			in.Message, err = readEnvelope(r)
		}
	case "command":
		if !r.Null() {
			in.Command = &Command{}
			err = readCommand(r, in.Command)
		}
	case "transfer":
		if !r.Null() {
			in.Transfer = &Transfer{}
			err = readTransfer(r, in.Transfer)
		}
	case "change":
		if !r.Null() {
			in.Change = &Change{}
			err = readChange(r, in.Change)
		}
	default:
		err = r.Skip()
	}
	return err
}

func readTransfer(r *Reader, t *Transfer) error {
	return r.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "id":
			t.ID, err = r.Int()
		case "target":
			t.Target, err = r.Uint()
		default:
			err = r.Skip()
		}
		return err
	})
}

func readChange(r *Reader, c *Change) error {
	return r.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "id":
			c.ID, err = r.Int()
		case "steps":
			err = r.Array(func() error {
				var step ChangeStep
				err := r.Object(func(key []byte) error {
					var err error
					switch string(key) {
					case "action":
						step.Action, err = r.String()
					case "node":
						step.Node, err = r.Uint()
					default:
						err = r.Skip()
					}
					return err
				})
				c.Steps = append(c.Steps, step)
				return err
			})
		default:
			err = r.Skip()
		}
		return err
	})
}

func readEnvelope(r *Reader) (*Envelope, error) {
	envelope := &Envelope{}
	err := r.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			envelope.Type, err = r.String()
		case "term":
			envelope.Term, err = r.Uint()
		case "body":
			envelope.Body, err = r.Raw()
		case "local":
			envelope.Local, err = r.String()
		default:
			err = r.Skip()
		}
		return err
	})
	return envelope, err
}

// DecodeCommand reads a command from entry data (AppendCommand wrote it).
func DecodeCommand(data []byte) (Command, error) {
	var c Command
	r := NewReader(data)
	err := readCommand(r, &c)
	if err == nil {
		err = r.End()
	}
	return c, err
}

func readCommand(r *Reader, c *Command) error {
	return r.Object(func(key []byte) error {
		var err error
		switch string(key) {
		case "id":
			c.ID, err = r.Int()
		case "op":
			c.Op, err = r.String()
		case "key":
			c.Key, err = r.String()
		case "value":
			c.Value, err = readOptionalString(r)
		case "client":
			c.Client, err = readOptionalInt(r)
		case "sequence":
			c.Sequence, err = readOptionalInt(r)
		default:
			err = r.Skip()
		}
		return err
	})
}

func readOptionalString(r *Reader) (*string, error) {
	if r.Null() {
		return nil, nil
	}
	s, err := r.String()
	return &s, err
}

func readOptionalInt(r *Reader) (*int64, error) {
	if r.Null() {
		return nil, nil
	}
	value, err := r.Int()
	return &value, err
}

// MessageView is a message in Raft's common vocabulary (MessageView in contract.ts), from which
// the harness reads the promises a node makes. Kind says which fields are written.
type MessageView struct {
	Kind string // voteRequest, voteResponse, append, appendResponse, snapshot, timeoutNow, heartbeat, heartbeatResponse
	Term uint64
	// voteRequest
	Candidate, LastIndex, LastTerm uint64
	// voteRequest, voteResponse
	PreVote bool
	Granted bool // voteResponse
	// append
	PrevIndex, PrevTerm uint64
	EntryIDs            []int64
	Commit              uint64 // append, heartbeat
	// appendResponse
	Success    bool
	MatchIndex uint64
	RejectHint *uint64
	// snapshot
	Index, SnapshotTerm uint64
}
