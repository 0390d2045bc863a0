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
}
